// The demo end to end, as a newcomer runs it (`edge-gateway demo`, short settings): its summary
// shows delivery live and by backfill with nothing lost; afterwards no process it started is left,
// no port it reported is bound and its temp dir is gone. A Ctrl-C in the middle does the same.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../scripts/demo/demo.ts';
import { BIN } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';
import { portsHeldOutside, stillAlive, watchTree, type Proc } from './procs.ts';

const work = mkdtempSync(join(tmpdir(), 'egw-demo-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  child: ChildProcess;
  out: () => string;
  manifest: () => Manifest | null;
  exited: Promise<number | null>;
  tree: { seen: Map<string, Proc>; stop: () => void };
}

function startDemo(args: string[], name: string): Run {
  const file = join(work, `${name}.json`);
  const child = spawn(process.execPath, [BIN, 'demo', '--manifest', file, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LANG: 'C.UTF-8' },
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const tree = watchTree(child.pid!);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => tree.stop());
  const manifest = () => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    } catch {
      return null; // not written yet, or being written
    }
  };
  return { child, out: () => out, manifest, exited, tree };
}

/** After the demo: none of its processes, none of its ports, no temp dir. */
async function expectNothingLeft(run: Run): Promise<void> {
  const m = run.manifest();
  expect(m, run.out()).not.toBeNull();
  const procs = [...run.tree.seen.values()];
  // The rig and the gateway really ran under it: the check below would otherwise prove nothing.
  expect(
    procs.some((p) => p.cmd.includes('mosquitto')),
    run.out(),
  ).toBe(true);
  expect(procs.some((p) => p.cmd.includes('nginx'))).toBe(true);
  expect(procs.some((p) => /^ffmpeg /.test(p.cmd))).toBe(true);
  expect(procs.some((p) => p.cmd.includes('edge-gateway.js run'))).toBe(true);
  // Children killed by a signal are reaped a moment after their parent notices.
  await waitFor(() => procs.every((p) => !stillAlive(p)), 'every process of the demo to be gone', 5000).catch(
    () => undefined,
  );
  expect(
    procs.filter(stillAlive).map((p) => `${p.pid} ${p.cmd}`),
    'processes left',
  ).toEqual([]);
  expect(m!.ports.length).toBeGreaterThan(10);
  // The demo's processes are gone (above): a port of it still listening must then be held by
  // a process outside this test run, one that left the demo's tree (test/demo/procs.ts).
  expect(portsHeldOutside(m!.ports, process.ppid)).toEqual([]);
  expect(existsSync(m!.dir)).toBe(false);
}

describe('npm run demo', () => {
  it('runs end to end: relayed live, backfilled after the cut, nothing lost; leaves nothing behind', async () => {
    const run = startDemo(['--live-seconds', '6', '--outage-seconds', '12'], 'full');
    const code = await run.exited;
    const out = run.out();
    expect(code, out).toBe(0);
    const summary = run.manifest()!.summary!;
    expect(summary.relayed.length, out).toBeGreaterThanOrEqual(2);
    expect(summary.notRelayed.length, out).toBe(2);
    for (const d of summary.destinations) {
      expect(d.liveSeconds, `${d.id}\n${out}`).toBeGreaterThan(10);
      // Two or more cameras, each cut for 12 s and segmented every 2 s.
      expect(d.backfillSeconds, `${d.id}\n${out}`).toBeGreaterThanOrEqual(12);
      expect(d.outageSegments).toBeGreaterThan(0);
      expect(d.outageSegmentsMissing).toBe(0);
      expect(d.lostSeconds).toBe(0);
    }
    expect(summary.nothingLost).toBe(true);
    // The H.265-only camera is not sent to the RTMP platform, and the summary says why, not "nothing arrived".
    expect(
      summary.notSent.map((n) => n.destination),
      out,
    ).toEqual(['national']);
    expect(summary.notSent[0]!.reason).toMatch(/^H\.265 cannot be sent over RTMP/);
    expect(out).toMatch(/^ {3}not sent: hikvision-\w+ to national: H\.265 cannot be sent over RTMP/m);
    expect(summary.nothingArrived, out).toEqual([]);
    // What the user reads.
    expect(out).toMatch(/^Summary$/m);
    expect(out).toMatch(/national: \d+ s delivered live, [1-9]\d* s by backfill/);
    expect(out).toMatch(/province: \d+ s delivered live, [1-9]\d* s by backfill/);
    expect(out).toMatch(/nothing lost: every second recorded during the 1\d s outage/);
    expect(out).toMatch(/mosquitto_sub -h 127\.0\.0\.1 -p \d+ -t 'edgegw\/demo\/#' -v/);
    expect(out).not.toContain('Demo-Secret-7');
    await expectNothingLeft(run);
  }, 170_000);

  it('stops everything and removes its temp dir on Ctrl-C in the middle', async () => {
    const run = startDemo(['--live-seconds', '300', '--outage-seconds', '300'], 'interrupted');
    try {
      await waitFor(() => /^3\. /m.test(run.out()), 'the live phase', 120_000, 250);
      run.child.kill('SIGINT');
      const code = await Promise.race([
        run.exited,
        new Promise<'late'>((r) => setTimeout(() => r('late'), 30_000)),
      ]);
      expect(code, run.out()).toBe(130);
      expect(run.out()).toMatch(/Interrupted: stopping everything/);
      await expectNothingLeft(run);
    } finally {
      run.child.kill('SIGKILL');
    }
  }, 170_000);
});
