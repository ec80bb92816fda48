// What came back by backfill, read from the gateway's own index and the receiver's files: the
// seconds of a fault's span covered by segments the receiver stored with the hash the gateway
// recorded when the segment closed. Shared by the store-and-forward tests of each protocol.
import { compactIso } from '../../src/buffer/backfill-url.ts';
import { openStore } from '../../src/store/db.ts';
import { SpoolRepo } from '../../src/store/spool.ts';
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
