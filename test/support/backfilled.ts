// What came back by backfill, read from the gateway's own index and the receiver's files: the
// seconds of a fault's span covered by segments the receiver stored with the hash the gateway
// recorded when the segment closed. Shared by the store-and-forward tests of each protocol.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { compactIso } from '../../src/buffer/backfill-url.ts';
import { openStore } from '../../src/store/db.ts';
import { SpoolRepo } from '../../src/store/spool.ts';
import type { Daemon } from './daemon.ts';
import type { ReceiverProcess } from './receiver-process.ts';
import { waitFor } from './wait.ts';

export function readSpool<T>(dbPath: string, fn: (repo: SpoolRepo) => T): T {
  const db = openStore(dbPath, { readonly: true });
  try {
    return fn(new SpoolRepo(db));
  } finally {
    db.close();
  }
}

/** Seconds of [from, to] covered by segments the receiver stored with the hash the index recorded. */
export function backfilledSeconds(
  dbPath: string,
  receiver: ReceiverProcess,
  site: string,
  camera: string,
  from: number,
  to: number,
): number {
  const stored = receiver.stored(site, camera);
  const got = readSpool(dbPath, (r) => r.complete(camera))
    .filter((s) => s.startMs < to && s.endMs > from && stored.get(`${compactIso(s.startMs)}.ts`) === s.sha256)
    .map((s) => [Math.max(s.startMs, from), Math.min(s.endMs, to)] as const)
    .sort((a, b) => a[0] - b[0]);
  // The union: segments of two recorder runs may overlap.
  let covered = 0;
  let reach = from;
  for (const [start, end] of got) {
    covered += Math.max(0, end - Math.max(start, reach));
    reach = Math.max(reach, end);
  }
  return covered / 1000;
}

/**
 * The configuration of a one-camera gateway forwarding to one destination with a backfill
 * receiver (token from ${BACKFILL_TOKEN}), 2 s segments and quick retries, as the store-and-forward
 * tests run it; returns its path. The status socket is dir/s.sock, the store dir/gateway.db.
 */
export function writeForwardingConfig(opts: {
  dir: string;
  cameraUrl: string;
  destination: { id: string; url: string };
  receiverUrl: string;
  stallSeconds: number;
}): string {
  const { dir } = opts;
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      'site: { id: sim, name: Store and forward }',
      'cameras:',
      `  - { id: cam-a, url: "${opts.cameraUrl}" }`,
      'destinations:',
      `  - id: ${opts.destination.id}`,
      `    url: "${opts.destination.url}"`,
      `    backfill: { url: "${opts.receiverUrl}/{siteId}/{cameraId}/{start}.ts", token: "\${BACKFILL_TOKEN}" }`,
      `relay: { statusSocket: ${join(dir, 's.sock')}, stallSeconds: ${opts.stallSeconds}, startGraceSeconds: 15, backoffSeconds: [0.5, 1, 2], stopTimeoutSeconds: 2 }`,
      'backfill: { retrySeconds: [1, 2], timeoutSeconds: 5 }',
      `recording: { dir: ${join(dir, 'spool')}, segmentSeconds: 2, minFreeMb: 1 }`,
      `store: { path: ${join(dir, 'gateway.db')} }`,
      'mqtt: { url: "mqtt://127.0.0.1:1" }',
    ].join('\n'),
  );
  return config;
}

/** Whether the one destination of the one camera is live, by the daemon's status. */
export async function forwardingLive(daemon: Daemon): Promise<boolean> {
  return (await daemon.status()).streams[0]?.destinations[0]?.state === 'live';
}

export interface FaultRun {
  /** When the fault began and ended (wall ms), and how long after its start status left live. */
  from: number;
  to: number;
  detectedMs: number | null;
  /** The destination's closed outage in the ledger that covers the fault. */
  outage: { startMs: number; cause: string };
  backfilledSeconds: number;
  faultSeconds: number;
}

/**
 * One fault of the one destination, start to end, as the store-and-forward tests of each protocol
 * run it: live first; the fault held for faultMs (noting when status left live); then live again,
 * its outage closed in the ledger (a tick after status may show live), not the camera's and owed
 * from before the fault began; then what came back by backfill, waited for up to two minutes.
 */
export async function runFault(opts: {
  daemon: Daemon;
  /** The gateway's store. */
  dbPath: string;
  receiver: ReceiverProcess;
  destinationId: string;
  faultMs: number;
  fault: () => Promise<() => Promise<void>>;
}): Promise<FaultRun> {
  const { daemon, dbPath, destinationId } = opts;
  const live = () => forwardingLive(daemon);
  await waitFor(live, `${destinationId} live`, 60_000);
  const from = Date.now();
  const end = await opts.fault();
  let detectedMs: number | null = null;
  await waitFor(async () => !(await live()), 'the fault to be seen', opts.faultMs)
    .then(() => (detectedMs = Date.now() - from))
    .catch(() => undefined);
  await new Promise((r) => setTimeout(r, Math.max(0, from + opts.faultMs - Date.now())));
  await end();
  const to = Date.now();
  await waitFor(live, `${destinationId} live again`, 60_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${daemon.log().slice(-6000)}`);
  });
  const closed = () =>
    readSpool(dbPath, (r) => r.outages(from)).find(
      (o) => o.destinationId === destinationId && o.endMs !== null,
    );
  await waitFor(() => closed() !== undefined, 'a closed outage in the ledger', 30_000).catch(() => undefined);
  const outage = closed();
  expect(outage, 'an outage in the ledger').toBeDefined();
  expect(outage!.cause).not.toBe('camera');
  expect(outage!.startMs, 'owed from before the fault began').toBeLessThanOrEqual(from);
  const faultSeconds = (to - from) / 1000;
  let seconds = 0;
  await waitFor(
    () =>
      (seconds = backfilledSeconds(dbPath, opts.receiver, 'sim', 'cam-a', from, to)) >=
      0.99 * faultSeconds - 2,
    `the fault's seconds backfilled (${destinationId})`,
    120_000,
    500,
  ).catch(() => undefined);
  return { from, to, detectedMs, outage: outage!, backfilledSeconds: seconds, faultSeconds };
}

/** The line a fault test prints: its figures for the closing notes and docs. */
export function faultLine(name: string, r: FaultRun): string {
  const detected = r.detectedMs === null ? 'at its end' : `after ${(r.detectedMs / 1000).toFixed(1)} s`;
  return `${name}: fault ${r.faultSeconds.toFixed(1)} s, detected ${detected}, owed from ${((r.from - r.outage.startMs) / 1000).toFixed(1)} s before it, backfilled ${r.backfilledSeconds.toFixed(1)} s (${Math.round((100 * r.backfilledSeconds) / r.faultSeconds)} %)`;
}
