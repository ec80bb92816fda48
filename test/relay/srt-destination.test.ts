// An SRT platform against a real SRT listener (Debian's srt-live-transmit): frames arrive; the
// listener killed for 30 s, stopped (hung) for 30 s, and the UDP path black-holed for 30 s are
// each seen from libsrt's sockets (srt-evidence.ts), put in the ledger as an outage owed from
// before the fault, given back by backfill with matching hashes, and the stream arrives again.
// After them all, the product's own `backlog --json` adds up within a segment.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAccount, destinationAccount, settledBacklog } from '../support/accounting.ts';
import { startSrtIngest, type SrtIngest } from '../ingest/index.ts';
import { startSite, type SimSite } from '../sim/site.ts';
import { faultLine, forwardingLive, runFault, writeForwardingConfig } from '../support/backfilled.ts';
import { blackholePort, canBlackhole } from '../support/blackhole.ts';
import { startDaemon, type Daemon } from '../support/daemon.ts';
import { startReceiverProcess, type ReceiverProcess } from '../support/receiver-process.ts';
import { waitFor } from '../support/wait.ts';

const FAULT_MS = 30_000;
const TOKEN = 'srt-bf-token-7Yq2';
let site: SimSite;
let srt: SrtIngest;
let receiver: ReceiverProcess;
let dir: string;
let daemon: Daemon;
let config: string;
const SEGMENT_S = 2;
const db = () => join(dir, 'gateway.db');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'egw-srt-'));
  [site, srt, receiver] = await Promise.all([
    startSite({ cameras: [{ id: 'cam-a', personality: 'dahua' }] }),
    startSrtIngest('cam-a'),
    startReceiverProcess(join(dir, 'received'), TOKEN),
  ]);
  config = writeForwardingConfig({
    dir,
    cameraUrl: site.cameras[0]!.rtspUrl('main'),
    destination: { id: 'srt-platform', url: srt.urlTemplate },
    receiverUrl: receiver.url,
    // SRT's breaks are seen after libsrt's 5 s peer idle timeout: the default 10 s holds it.
    stallSeconds: 10,
  });
  daemon = await startDaemon(config, join(dir, 's.sock'), { BACKFILL_TOKEN: TOKEN });
}, 120_000);

afterAll(async () => {
  await daemon?.stop();
  await Promise.allSettled([site?.stop(), srt?.stop(), receiver?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const live = () => forwardingLive(daemon);

/** Runs one fault for FAULT_MS, then checks the ledger, the backfill and the stream; prints the figures. */
async function survives(name: string, fault: () => Promise<() => Promise<void>>) {
  let framesBefore = 0;
  const run = await runFault({
    daemon,
    dbPath: db(),
    receiver,
    destinationId: 'srt-platform',
    faultMs: FAULT_MS,
    fault: async () => {
      const end = await fault();
      return async () => {
        framesBefore = await srt.framesReceived('cam-a');
        await end();
      };
    },
  });
  expect(run.detectedMs, 'the fault seen while it lasted').not.toBeNull();
  await waitFor(
    async () => (await srt.framesReceived('cam-a')) > framesBefore + 25,
    'frames at the SRT listener again',
    30_000,
  );
  console.info(faultLine(`SRT ${name}`, run));
  expect(run.backfilledSeconds / run.faultSeconds).toBeGreaterThanOrEqual(0.9);
}

describe('an SRT destination', () => {
  it('delivers the camera to a real SRT listener', async () => {
    await waitFor(live, 'the SRT destination live', 60_000);
    await waitFor(async () => (await srt.framesReceived('cam-a')) > 25, 'frames at the listener', 30_000);
    const probe = await srt.probe('cam-a');
    const main = site.cameras[0]!.profiles.find((p) => p.mount === 'main')!;
    expect([probe.codec, probe.width, probe.height]).toEqual(['h264', main.width, main.height]);
  }, 90_000);

  it('sees the listener killed for 30 s, and gives its seconds back by backfill', async () => {
    await survives('listener killed', async () => {
      await srt.kill();
      return () => srt.restart();
    });
  }, 240_000);

  it('sees a hung listener (stopped for 30 s, then killed and replaced), and gives its seconds back by backfill', async () => {
    await survives('hung listener', () => {
      srt.pause();
      return Promise.resolve(async () => {
        await srt.kill();
        await srt.restart();
      });
    });
  }, 240_000);

  it.skipIf(!canBlackhole())(
    'sees a black-holed SRT path (UDP dropped), and gives its seconds back by backfill',
    async () => {
      await survives('black hole', () => {
        const restore = [blackholePort(srt.port, 'udp'), blackholePort(receiver.port)];
        return Promise.resolve(() => Promise.resolve(restore.forEach((f) => f())));
      });
    },
    240_000,
  );

  it('accounts every second of the run after the faults, within a segment', async () => {
    await waitFor(live, 'the SRT destination live', 60_000);
    const b = await settledBacklog(config, { BACKFILL_TOKEN: TOKEN }, 'cam-a', 'srt-platform');
    const { d, sum } = destinationAccount(b, 'cam-a', 'srt-platform');
    console.info(describeAccount('SRT accounting cam-a/srt-platform', d, sum));
    expect(d.configuredSeconds).toBeGreaterThan(60);
    expect(Math.abs(d.configuredSeconds - sum)).toBeLessThanOrEqual(SEGMENT_S);
  }, 180_000);
});
