// Unicast scan of configured subnets for sites whose cameras sit on another VLAN, where
// multicast never arrives: a TCP connect on each ONVIF port, then an unauthenticated
// GetSystemDateAndTime to tell a camera from any other web server.
import net from 'node:net';
import { getSystemDateAndTime } from './parse/requests.ts';
import { soapBody } from './parse/envelope.ts';
import { postSoap } from './transport.ts';

export interface ScanHit {
  url: string;
  host: string;
  port: number;
}

export interface ScanMiss {
  host: string;
  port: number;
  reason: string;
}

const CONNECT_TIMEOUT_MS = 1500;
const CONCURRENCY = 64;

function tcpOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Paths to try per port: Tapo serves ONVIF on 2020 at /onvif/service. */
function pathsFor(port: number): string[] {
  return port === 2020 ? ['/onvif/device_service', '/onvif/service'] : ['/onvif/device_service'];
}

async function probeOne(
  host: string,
  port: number,
  callTimeoutMs: number,
): Promise<ScanHit | ScanMiss | null> {
  if (!(await tcpOpen(host, port, CONNECT_TIMEOUT_MS))) return null;
  let reason = 'no answer';
  for (const path of pathsFor(port)) {
    const url = `http://${host}:${port}${path}`;
    try {
      const res = await postSoap(new URL(url), getSystemDateAndTime(), {
        credentials: null,
        securityHeader: '',
        timeoutMs: callTimeoutMs,
      });
      soapBody(res.xml);
      return { url, host, port };
    } catch (err) {
      reason = `port open but not ONVIF (${(err as Error).message})`;
    }
  }
  return { host, port, reason };
}

export async function scanHosts(
  hosts: string[],
  ports: number[],
  opts: { callTimeoutMs: number; signal?: AbortSignal },
): Promise<{ hits: ScanHit[]; misses: ScanMiss[] }> {
  const jobs = hosts.flatMap((host) => ports.map((port) => ({ host, port })));
  const hits: ScanHit[] = [];
  const misses: ScanMiss[] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length && !opts.signal?.aborted) {
      const job = jobs[next++]!;
      const r = await probeOne(job.host, job.port, opts.callTimeoutMs);
      if (r && 'url' in r) hits.push(r);
      else if (r) misses.push(r);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, jobs.length) }, worker));
  return { hits, misses };
}
