// What came back by backfill, read from the gateway's own index and the receiver's files: the
// seconds of a fault's span covered by segments the receiver stored with the hash the gateway
// recorded when the segment closed. Shared by the store-and-forward tests of each protocol.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compactIso } from '../../src/buffer/backfill-url.ts';
import { openStore } from '../../src/store/db.ts';
import { SpoolRepo } from '../../src/store/spool.ts';
import type { Daemon } from './daemon.ts';
import type { ReceiverProcess } from './receiver-process.ts';

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
