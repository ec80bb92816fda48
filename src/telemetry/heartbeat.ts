// The heartbeat document: small (at most 1 KB, tested), built from the last host sample and
// the relay status without any I/O. Pure.
import type { GatewayStatus } from '../core/status.ts';
import type { HostSample } from '../health/host-sampler.ts';

export interface HeartbeatPayload {
  seq: number;
  session: number;
  at: string;
  uptime: number;
  cpu: number | null;
  load: [number, number, number] | null;
  mem: { used: number; total: number } | null;
  disk: { used: number; free: number } | null;
  tempC: number | null;
  pi?: { raw: string; now: string[]; since: string[] };
  clockSynced: boolean | null;
  /** The last wall-clock step this daemon saw and re-dated its recording for, or null. */
  clockStep: { seconds: number; at: string } | null;
  uplink: { broker: boolean; reconnects: number; video: 'up' | 'partial' | 'down' | 'none' };
  /** authFailed and failing are flags as counts: above 0, something needs a technician. */
  cameras: { online: number; total: number; authFailed: number; failing: number };
  destinations: { up: number; total: number };
  /** Store-and-forward (issue 4) is not built: nothing is held back yet, the size is unknown. */
  backlog: { seconds: number; bytes: number | null };
}

export interface HeartbeatInput {
  seq: number;
  session: number;
  status: GatewayStatus;
  host: HostSample | null;
  broker: boolean;
  reconnects: number;
  clockStep?: { deltaMs: number; at: string } | null;
  now?: Date;
}

export function heartbeat(i: HeartbeatInput): HeartbeatPayload {
  const h = i.host;
  const streams = i.status.streams;
  const cameras = new Set(streams.map((s) => s.cameraId));
  const online = new Set(streams.filter((s) => s.state === 'live').map((s) => s.cameraId));
  const dests = streams.flatMap((s) => s.destinations);
  const up = dests.filter((d) => d.state === 'live').length;
  const refused = new Set(streams.filter((s) => s.state === 'auth-failed').map((s) => s.cameraId));
  const parts = streams.flatMap((s) => [s, ...s.destinations, ...(s.recording ? [s.recording] : [])]);
  return {
    seq: i.seq,
    session: i.session,
    at: (i.now ?? new Date()).toISOString(),
    uptime: i.status.uptimeSeconds,
    cpu: h?.cpuPercent ?? null,
    load: h?.load ?? null,
    mem:
      h && h.memUsedBytes !== null && h.memTotalBytes !== null
        ? { used: h.memUsedBytes, total: h.memTotalBytes }
        : null,
    disk: h?.disk ?? null,
    tempC: h?.cpuTempC ?? null,
    ...(h?.pi ? { pi: h.pi } : {}),
    clockSynced: h?.clockSynced ?? null,
    clockStep: i.clockStep ? { seconds: Math.round(i.clockStep.deltaMs / 1000), at: i.clockStep.at } : null,
    uplink: {
      broker: i.broker,
      reconnects: i.reconnects,
      video: dests.length === 0 ? 'none' : up === dests.length ? 'up' : up === 0 ? 'down' : 'partial',
    },
    cameras: {
      online: online.size,
      total: cameras.size,
      authFailed: refused.size,
      failing: parts.filter((p) => p.failingSince !== null).length,
    },
    // A destination not sent for its codec is one the site should have and has not.
    destinations: { up, total: dests.length + i.status.unsent.length },
    // Video still owed to backfill endpoints (store and forward).
    backlog: i.status.backfill
      ? { seconds: Math.round(i.status.backfill.pendingSeconds), bytes: i.status.backfill.pendingBytes }
      : { seconds: 0, bytes: null },
  };
}
