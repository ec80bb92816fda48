// WS-Discovery client: multicast Probes on every IPv4 interface (or the configured ones) and
// unicast Probes to given hosts, replies gathered for a window and de-duplicated.
// Datagrams are untrusted: size-capped, parsed defensively, and a bad one never throws.
import { randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import { networkInterfaces } from 'node:os';
import type { ProbeMatch } from '../core/camera.ts';
import { candidateUrls } from '../core/xaddr.ts';
import { buildProbe, parseProbeMatches } from './parse/probe-matches.ts';

const MAX_DATAGRAM_BYTES = 32 * 1024;

export interface ProbeInterface {
  name: string;
  address: string;
  cidr: string;
}

export interface Responder {
  endpoint: string;
  source: string;
  interfaceName: string;
  match: ProbeMatch;
  /** Device-service URLs to try, best first. */
  urls: string[];
}

export interface IgnoredReply {
  source: string;
  reason: string;
}

export interface WsDiscoveryOptions {
  interfaces: string[];
  windowMs: number;
  multicastAddress: string;
  port: number;
  /** Hosts to probe by unicast as well (e.g. a configured subnet). */
  unicastHosts?: string[];
  /** Skip multicast: used when only unicast hosts are to be probed. */
  multicast?: boolean;
  /** Called for each new responder as its reply arrives, so reading it need not wait for the window. */
  onResponder?: (r: Responder) => void;
  signal?: AbortSignal;
}

/** IPv4 interfaces to probe; loopback only when named explicitly. */
export function probeInterfaces(names: string[]): { found: ProbeInterface[]; missing: string[] } {
  const all = networkInterfaces();
  const found: ProbeInterface[] = [];
  for (const [name, addrs] of Object.entries(all)) {
    if (names.length > 0 && !names.includes(name)) continue;
    for (const a of addrs ?? []) {
      if (a.family !== 'IPv4' || (a.internal && names.length === 0) || !a.cidr) continue;
      found.push({ name, address: a.address, cidr: a.cidr });
    }
  }
  return { found, missing: names.filter((n) => !(n in all)) };
}

export async function wsDiscover(
  opts: WsDiscoveryOptions,
): Promise<{ responders: Responder[]; ignored: IgnoredReply[]; interfaces: ProbeInterface[] }> {
  const { found } = probeInterfaces(opts.interfaces);
  const responders = new Map<string, Responder>();
  const ignored: IgnoredReply[] = [];
  const messageId = `urn:uuid:${randomUUID()}`;
  const probes = [buildProbe(messageId), buildProbe(`urn:uuid:${randomUUID()}`, null)].map((p) =>
    Buffer.from(p),
  );
  const sockets: dgram.Socket[] = [];

  const onMessage = (iface: ProbeInterface) => (msg: Buffer, rinfo: dgram.RemoteInfo) => {
    if (msg.length > MAX_DATAGRAM_BYTES)
      return void ignored.push({ source: rinfo.address, reason: `datagram of ${msg.length} bytes` });
    let matches: ProbeMatch[];
    try {
      matches = parseProbeMatches(msg.toString('utf8')).matches;
    } catch (err) {
      return void ignored.push({
        source: rinfo.address,
        reason: `not a WS-Discovery reply: ${(err as Error).message}`,
      });
    }
    if (matches.length === 0)
      return void ignored.push({ source: rinfo.address, reason: 'empty ProbeMatches (not a camera)' });
    for (const match of matches) {
      // Replies come once per interface and per probe; the endpoint and address identify a device.
      const key = `${match.endpoint}|${rinfo.address}`;
      if (responders.has(key)) continue;
      const responder: Responder = {
        endpoint: match.endpoint,
        source: rinfo.address,
        interfaceName: iface.name,
        match,
        urls: candidateUrls(match.xaddrs, rinfo.address, iface.cidr || `${rinfo.address}/32`),
      };
      responders.set(key, responder);
      opts.onResponder?.(responder);
    }
  };

  const open = async (iface: ProbeInterface | null): Promise<dgram.Socket> => {
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    sockets.push(socket);
    const label = iface ?? { name: 'unicast', address: '0.0.0.0', cidr: '' };
    socket.on('error', (err) =>
      ignored.push({ source: label.address, reason: `socket error: ${err.message}` }),
    );
    socket.on('message', onMessage(label));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, iface?.address, () => (socket.off('error', reject), resolve()));
    });
    return socket;
  };

  try {
    const multicast: dgram.Socket[] = [];
    if (opts.multicast !== false) {
      for (const iface of found) {
        const socket = await open(iface);
        try {
          socket.setMulticastInterface(iface.address);
          socket.setMulticastTTL(1);
          multicast.push(socket);
        } catch (err) {
          ignored.push({
            source: iface.address,
            reason: `no multicast on ${iface.name}: ${(err as Error).message}`,
          });
        }
      }
    }
    const unicastHosts = opts.unicastHosts ?? [];
    const unicast = unicastHosts.length > 0 ? await open(null) : null;
    // The Probe is sent three times (SOAP-over-UDP repeats: datagrams get lost).
    for (let round = 0; round < 3 && !opts.signal?.aborted; round++) {
      for (const socket of multicast)
        for (const p of probes) send(socket, p, opts.port, opts.multicastAddress);
      if (unicast) for (const host of unicastHosts) for (const p of probes) send(unicast, p, opts.port, host);
      await delay(Math.min(250, opts.windowMs / 4), opts.signal);
    }
    await delay(opts.windowMs, opts.signal);
  } finally {
    for (const s of sockets) s.close();
  }
  return { responders: [...responders.values()], ignored, interfaces: found };
}

function send(socket: dgram.Socket, payload: Buffer, port: number, host: string): void {
  socket.send(payload, port, host, () => undefined);
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}
