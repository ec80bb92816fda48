// Store and forward end to end: the uplink (the destination and its backfill receiver) is
// black-holed for a minute, then restored. Every segment recorded during the outage must reach
// the receiver with a matching SHA-256, and local recording must show no gap.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../../scripts/backfill-receiver.ts';
import { openStore } from '../../src/store/db.ts';
import { SpoolRepo } from '../../src/store/spool.ts';
import { startRtmpIngest, type Ingest } from '../ingest/index.ts';
import { startSite, type SimSite } from '../sim/site.ts';
import { blackholePort, canBlackhole } from '../support/blackhole.ts';
import { runCli } from '../support/cli.ts';
import { startDaemon, type Daemon } from '../support/daemon.ts';
import { waitFor } from '../support/wait.ts';

const OUTAGE_MS = 60_000;
let site: SimSite;
let rtmp: Ingest;
let receiver: Receiver;
let dir: string;
let config: string;
let daemon: Daemon;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'egw-sf-'));
  [site, rtmp, receiver] = await Promise.all([
    startSite({ cameras: [{ id: 'cam-a', personality: 'dahua' }] }),
    startRtmpIngest(),
    startReceiver({ dir: join(dir, 'received'), token: 'bf-token-Zq81', print: () => undefined }),
  ]);
  config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      'site: { id: sim, name: Store and forward }',
      'cameras:',
      `  - { id: cam-a, url: "${site.cameras[0]!.rtspUrl('main')}" }`,
      'destinations:',
      `  - id: national`,
      `    url: "${rtmp.urlTemplate}"`,
      `    backfill: { url: "${receiver.url}/{siteId}/{cameraId}/{start}.ts", token: "\${BACKFILL_TOKEN}" }`,
      `relay: { statusSocket: ${join(dir, 's.sock')}, stallSeconds: 4, startGraceSeconds: 15, backoffSeconds: [0.5, 1, 2], stopTimeoutSeconds: 2 }`,
      'backfill: { retrySeconds: [1, 2] }',
      `recording: { dir: ${join(dir, 'spool')}, segmentSeconds: 2, minFreeMb: 1 }`,
      `store: { path: ${join(dir, 'gateway.db')} }`,
      'mqtt: { url: "mqtt://127.0.0.1:1" }',
    ].join('\n'),
  );
  daemon = await startDaemon(config, join(dir, 's.sock'), { BACKFILL_TOKEN: 'bf-token-Zq81' });
}, 120_000);

afterAll(async () => {
  await daemon?.stop();
  await Promise.allSettled([site?.stop(), rtmp?.stop(), receiver?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('store and forward', () => {
  it('delivers every second recorded during a one-minute uplink outage, hashes matching, with no local gap', async () => {
    const live = async () => (await daemon.status()).streams[0]?.destinations[0]?.state === 'live';
    await waitFor(live, 'national live', 60_000);
    const from = Date.now();
    // A black hole when root (packets dropped), else frozen servers (SIGSTOP).
    const restore = canBlackhole()
      ? [blackholePort(rtmp.port), blackholePort(receiver.port)]
      : [(rtmp.pause(), () => rtmp.resume())];
    try {
      await waitFor(async () => !(await live()), 'the outage to be seen', 40_000);
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
    } finally {
      restore.forEach((f) => f());
    }
    const to = Date.now();
    await waitFor(live, 'national live again', 60_000);

    const db = openStore(join(dir, 'gateway.db'), { readonly: true });
    const repo = new SpoolRepo(db);
    const outage = repo.outages(from).find((o) => o.destinationId === 'national' && o.endMs !== null)!;
    db.close();
    expect(outage).toBeDefined();
    expect(outage.cause).not.toBe('camera');
    // Every segment recorded from the moment the uplink died (not from when the gateway noticed,
    // stallSeconds later) reaches the receiver with its hash.
    expect(outage.startMs).toBeLessThanOrEqual(from);
    const owed = () => {
      const d = openStore(join(dir, 'gateway.db'), { readonly: true });
      try {
        return new SpoolRepo(d).complete('cam-a').filter((s) => s.startMs < to && s.endMs > from);
      } finally {
        d.close();
      }
    };
    const got = () => new Set(receiver.records.filter((r) => r.status === 201).map((r) => r.sha256));
    await waitFor(
      () => owed().length > 0 && owed().every((s) => got().has(s.sha256)),
      'every owed segment at the receiver',
      90_000,
    );
    const segs = owed();
    expect((segs.at(-1)!.endMs - segs[0]!.startMs) / 1000).toBeGreaterThan(OUTAGE_MS / 1000 - 5);
    // Local recording went on through the outage without a hole.
    const all = new SpoolRepo(openStore(join(dir, 'gateway.db'), { readonly: true }))
      .complete('cam-a')
      .filter((s) => s.endMs >= from && s.startMs <= to);
    const gap = all.slice(1).reduce((g, s, i) => Math.max(g, s.startMs - all[i]!.endMs), 0);
    expect(gap).toBeLessThan(1000);
    // The backlog is empty, and the token never reached the log.
    // (The receiver's 201 comes a moment before the gateway commits the delivery.)
    let last = '';
    await waitFor(async () => {
      const b = await runCli(['backlog', '--json', '--config', config], {
        env: { BACKFILL_TOKEN: 'bf-token-Zq81' },
      });
      last = b.stdout;
      return (JSON.parse(b.stdout) as { pending: unknown[] }).pending.length === 0;
    }, 'an empty backlog').catch((err: Error) => {
      throw new Error(`${err.message}\n${last}`);
    });
    expect(daemon.log()).not.toContain('bf-token-Zq81');
  }, 300_000);
});
