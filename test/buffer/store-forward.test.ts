// Store and forward end to end, per uplink fault: the destination and its backfill receiver are
// (1) black-holed (nftables drops their packets: nothing is acknowledged) and (2) hung (SIGSTOP:
// their kernels keep acknowledging into receive buffers of megabytes while nothing is read),
// then killed and replaced. Each time, the seconds of the fault must come back by backfill with
// matching hashes, and local recording must show no gap.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpoolRepo } from '../../src/store/spool.ts';
import { startRtmpIngest, type Ingest } from '../ingest/index.ts';
import { startSite, type SimSite } from '../sim/site.ts';
import {
  faultLine,
  readSpool as readSpoolAt,
  runFault,
  writeForwardingConfig,
} from '../support/backfilled.ts';
import { blackholePort, canBlackhole } from '../support/blackhole.ts';
import { runCli } from '../support/cli.ts';
import { startDaemon, type Daemon } from '../support/daemon.ts';
import { startReceiverProcess, type ReceiverProcess } from '../support/receiver-process.ts';
import { waitFor } from '../support/wait.ts';

const FAULT_MS = 40_000;
const STALL_MS = 4000;
const TOKEN = 'bf-token-Zq81';
let site: SimSite;
let rtmp: Ingest;
let receiver: ReceiverProcess;
let dir: string;
let config: string;
let daemon: Daemon;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'egw-sf-'));
  [site, rtmp, receiver] = await Promise.all([
    startSite({ cameras: [{ id: 'cam-a', personality: 'dahua' }] }),
    // A black-holed publisher session would hold the stream name for a minute or more.
    startRtmpIngest({ dropIdlePublisherSeconds: 10 }),
    startReceiverProcess(join(dir, 'received'), TOKEN),
  ]);
  config = writeForwardingConfig({
    dir,
    cameraUrl: site.cameras[0]!.rtspUrl('main'),
    destination: { id: 'national', url: rtmp.urlTemplate },
    receiverUrl: receiver.url,
    stallSeconds: STALL_MS / 1000,
  });
  daemon = await startDaemon(config, join(dir, 's.sock'), { BACKFILL_TOKEN: TOKEN });
}, 120_000);

afterAll(async () => {
  await daemon?.stop();
  await Promise.allSettled([site?.stop(), rtmp?.stop(), receiver?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const readSpool = <T>(fn: (repo: SpoolRepo) => T): T => readSpoolAt(join(dir, 'gateway.db'), fn);

/** Runs one fault from its start to its end, then checks what came back; returns the figures. */
async function survives(name: string, fault: () => Promise<() => Promise<void>>) {
  // Both are seen during the fault: a black hole when nothing is acknowledged for stallSeconds, a
  // hung server when its window has only shrunk for as long (docs/relay.md).
  const run = await runFault({
    daemon,
    dbPath: join(dir, 'gateway.db'),
    receiver,
    destinationId: 'national',
    faultMs: FAULT_MS,
    fault,
  });
  const { from, to, detectedMs } = run;
  console.info(faultLine(`${name}, stallSeconds ${STALL_MS / 1000}`, run));
  expect(run.backfilledSeconds / run.faultSeconds).toBeGreaterThanOrEqual(0.9);
  // Seen while it lasted, not at the kill: stallSeconds of evidence from the look before the
  // fault (a sparse look is half of it), the look that sees it, this test's poll of the status and
  // a loaded machine's late ticks. The figures printed above are the measure (docs/relay.md); a
  // CI rehearsal saw 7.1 s on 2 cores against 3.5-5.5 s alone.
  expect(detectedMs, 'the fault seen while it lasted').not.toBeNull();
  expect(detectedMs!).toBeLessThanOrEqual(2.5 * STALL_MS);
  // Local recording went on through the fault without a hole of a segment (2 s); a loaded
  // machine can drop a few packets of the recorder's loopback tap, which is not a hole.
  const all = readSpool((r) => r.complete('cam-a')).filter((s) => s.endMs >= from && s.startMs <= to);
  const gap = all.slice(1).reduce((g, s, i) => Math.max(g, s.startMs - all[i]!.endMs), 0);
  expect(gap).toBeLessThan(2000);
  return { detectedMs };
}

describe('store and forward', () => {
  it.skipIf(!canBlackhole())(
    'gives back the seconds of a black-holed uplink by backfill, hashes matching, with no local gap',
    async () => {
      await survives('black hole', () => {
        const restore = [blackholePort(rtmp.port), blackholePort(receiver.port)];
        return Promise.resolve(() => Promise.resolve(restore.forEach((f) => f())));
      });
    },
    300_000,
  );

  it('gives back the seconds of a hung ingest and receiver (frozen, then killed and replaced)', async () => {
    await survives('hung server', () => {
      rtmp.pause();
      receiver.pause();
      return Promise.resolve(async () => {
        await rtmp.kill();
        await Promise.all([rtmp.restart(), receiver.replace()]);
      });
    });
  }, 300_000);

  it('leaves an empty backlog, and the token never in the log', async () => {
    // (The receiver's 201 comes a moment before the gateway commits the delivery.)
    let last = '';
    await waitFor(async () => {
      const b = await runCli(['backlog', '--json', '--config', config], { env: { BACKFILL_TOKEN: TOKEN } });
      last = b.stdout;
      return (JSON.parse(b.stdout) as { pending: unknown[] }).pending.length === 0;
    }, 'an empty backlog').catch((err: Error) => {
      throw new Error(`${err.message}\n${last}`);
    });
    expect(daemon.log()).not.toContain(TOKEN);
  }, 60_000);
});
