// Address plan. Loopback mode: cameras of a site get 127.B.C.(10+i), B from the pid and C a block no
// other site holds (a lock listener), so parallel workers and several sites per worker never share
// addresses; the site's multicast group is 239.255.B.C. netns mode: 10.213.X.0/24 on a private bridge.
import dgram from 'node:dgram';
import { createServer } from 'node:net';
import type { Server } from 'node:net';

let siteSeq = 0;
const LOCK_PORT = 47_977;

export interface LoopbackPlan {
  cameraHost(i: number): string;
  /** Never bound: XAddrs of 'wrong-host' cameras (connections are refused at once). */
  wrongHost: string;
  /** Never bound: stream URIs of 'loopback-wrong' cameras. */
  wrongLoopback: string;
  group: string;
  /** Releases the address block. */
  release(): Promise<void>;
}

function listenLock(host: string): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(undefined));
    s.listen(LOCK_PORT, host, () => resolve(s));
  });
}

/**
 * Claims a /24 block 127.B.C.0 for one site. B comes from the pid; C is the first block whose lock
 * (a TCP listener on 127.B.C.1:47977, which only one process can hold) is free.
 */
export async function loopbackPlan(cameras: number): Promise<LoopbackPlan> {
  if (cameras > 230) throw new Error('at most 230 cameras per site');
  const b = 100 + (process.pid % 100);
  for (let attempt = 0; attempt < 250; attempt++) {
    const c = ((siteSeq++ + Math.floor(process.pid / 100)) % 250) + 1;
    const lock = await listenLock(`127.${b}.${c}.1`);
    if (!lock) continue;
    return {
      cameraHost: (i) => `127.${b}.${c}.${10 + i}`,
      wrongHost: `127.${b}.${c}.250`,
      wrongLoopback: `127.${b}.${c}.251`,
      group: `239.255.${b}.${c}`,
      release: () => new Promise((r) => lock.close(() => r())),
    };
  }
  throw new Error('no free 127.x.y.0/24 block for the site');
}

export interface NetnsPlan {
  subnet: string;
  gw: string;
  cameraHost(i: number): string;
  /** TEST-NET-1: no route inside the namespaces, so connecting fails at once. */
  wrongHost: string;
  wrongLoopback: string;
}

export function netnsPlan(cameras: number): NetnsPlan {
  if (cameras > 200) throw new Error('at most 200 cameras per site');
  const x = process.pid % 250;
  return {
    subnet: `10.213.${x}.0/24`,
    gw: `10.213.${x}.1`,
    cameraHost: (i) => `10.213.${x}.${10 + i}`,
    wrongHost: '192.0.2.77',
    wrongLoopback: '127.0.0.1',
  };
}

function canBindUdp(port: number, address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, address, () => s.close(() => resolve(true)));
  });
}

/** A random port in 20000-60000 free on every given address (checked, then released). */
export async function pickDiscoveryPort(hosts: string[]): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    const free = await Promise.all(hosts.map((h) => canBindUdp(port, h)));
    if (free.every(Boolean)) return port;
  }
  throw new Error('no free UDP port for discovery');
}
