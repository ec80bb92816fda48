// WS-Discovery responder of one camera (SOAP-over-UDP). Replies go to the prober's address and port,
// from the camera's own unicast address, after a random 0-500 ms delay (APP_MAX_DELAY).
import dgram from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import type { CameraModel } from './model.ts';
import { parseProbe, ProbeReplier } from './probe-matches.ts';

const MAX_DATAGRAM = 64 * 1024;
const APP_MAX_DELAY_MS = 500;

export interface DiscoveryResponder {
  close(): Promise<void>;
}

function bind(sock: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind({ port, address, exclusive: false }, () => {
      sock.off('error', reject);
      resolve();
    });
  });
}

/**
 * loopback: a unicast socket on host:port (no SO_REUSEADDR, so a clash shows) plus a socket on
 * group:port joined on 127.0.0.1 when the kernel allows it. netns: one socket on 0.0.0.0:port joined
 * on the camera's interface.
 */
export async function startDiscoveryResponder(m: CameraModel): Promise<DiscoveryResponder> {
  const { mode, host, discoveryPort: port, discoveryGroup: group } = m.net;
  const replier = new ProbeReplier(m);
  const timers = new Set<NodeJS.Timeout>();
  const sockets: Socket[] = [];
  let closed = false;

  const unicast = dgram.createSocket({ type: 'udp4', reuseAddr: mode === 'netns' });
  sockets.push(unicast);
  const onMessage = (msg: Buffer, rinfo: RemoteInfo) => {
    if (closed || msg.length > MAX_DATAGRAM) return;
    const probe = parseProbe(msg.toString('utf8'));
    if (!probe) return;
    let delay = Math.random() * APP_MAX_DELAY_MS;
    for (const reply of replier.replies(probe)) {
      const t = setTimeout(() => {
        timers.delete(t);
        if (!closed) unicast.send(reply, rinfo.port, rinfo.address, () => undefined);
      }, delay);
      timers.add(t);
      delay += 20 + Math.random() * 80; // the second Hikvision copy follows shortly
    }
  };
  const ignore = () => undefined;
  unicast.on('error', ignore);
  unicast.on('message', onMessage);
  try {
    if (mode === 'netns') {
      await bind(unicast, port, '0.0.0.0');
      unicast.addMembership(group, host);
    } else {
      await bind(unicast, port, host);
      const multi = dgram.createSocket({ type: 'udp4', reuseAddr: true });
      sockets.push(multi);
      multi.on('error', ignore);
      multi.on('message', onMessage);
      await bind(multi, port, group);
      try {
        multi.addMembership(group, '127.0.0.1');
      } catch {
        // Kernel refused the membership: unicast probes still work (see README).
      }
    }
  } catch (e) {
    for (const s of sockets) s.close();
    throw e;
  }

  return {
    close: async () => {
      closed = true;
      for (const t of timers) clearTimeout(t);
      await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
