// A part that keeps failing is named (issue 12 item 6): the real daemon relays a simulated camera
// to an RTMP ingest that is down, so every reconnect of its destination is refused. After
// relay.failingAfter refusals in a row the destination is `failing` in `status` (one alarm), the
// camera and its pull are untouched (nothing else of the site delivers, as when the uplink is down,
// so it stays in the tee: test/app/tee-exit.test.ts), and once the ingest is back the destination
// delivers and the alarm clears.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRtmpIngest, type Ingest } from '../ingest/index.ts';
import { startSite, type SimSite } from '../sim/site.ts';
import { runCli } from '../support/cli.ts';
import { startDaemon, type Daemon } from '../support/daemon.ts';
import { waitFor } from '../support/wait.ts';

let site: SimSite;
let rtmp: Ingest;
let dir: string;
let socket: string;
let daemon: Daemon;
const FAILING_AFTER = 3;

beforeAll(async () => {
  site = await startSite({ cameras: [{ id: 'hik-1', personality: 'hikvision' }] });
  rtmp = await startRtmpIngest();
  // Down from the start: its port refuses every connection.
  await rtmp.kill();
  dir = mkdtempSync(join(tmpdir(), 'egw-failing-'));
  socket = join(dir, 'status.sock');
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      'site: { id: sim, name: Failing }',
      'discovery: { enabled: false }',
      'cameras:',
      `  - { id: gate, url: "${site.cameras[0]!.rtspUrl('main')}" }`,
      'destinations:',
      `  - { id: national, url: "${rtmp.urlTemplate}" }`,
      `relay: { statusSocket: ${socket}, failingAfter: ${FAILING_AFTER} }`,
      'schedules: { rediscover: "off", retention: "off", availabilityReport: "off" }',
      `recording: { dir: ${join(dir, 'rec')}, enabled: false }`,
      `store: { path: ${join(dir, 'gateway.db')} }`,
      'mqtt: { url: "mqtt://127.0.0.1:1" }',
    ].join('\n'),
  );
  daemon = await startDaemon(config, socket);
}, 120_000);

afterAll(async () => {
  await daemon?.stop();
  await rtmp?.stop();
  await site?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const gate = async () => (await daemon.status()).streams.find((s) => s.cameraId === 'gate');
const failingLines = () =>
  daemon
    .log()
    .split('\n')
    .filter((l) => l.includes('"msg":"failing:'));

describe('a destination refused again and again', () => {
  it(`is failing in status after ${FAILING_AFTER} refusals in a row, with one alarm, and the camera untouched`, async () => {
    await waitFor(
      async () => (await gate())?.destinations[0]?.failingSince,
      `national failing\n${daemon.log().slice(-3000)}`,
      90_000,
    );
    const st = (await gate())!;
    const national = st.destinations[0]!;
    const since = Date.parse(national.failingSince!) - Date.parse((await daemon.status()).startedAt);
    console.log(
      `failing: national after ${national.failures} refusals, ${since / 1000} s after the daemon started`,
    );
    expect(national.failures).toBeGreaterThanOrEqual(FAILING_AFTER);
    expect(national.state).toBe('backing-off');
    expect(national.lastError).toMatch(/could not open the destination: Connection refused/);
    expect(st.state).toBe('live');
    expect(st.failingSince).toBeNull();
    expect(st.restartsLastHour).toBe(0);
    expect(failingLines()).toHaveLength(1);
    expect(failingLines()[0]).toMatch(/"part":"destination","destinationId":"national"/);
    const shown = await runCli(['status', '--socket', socket]);
    expect(shown.stdout).toMatch(/national\s+backing-off, FAILING: \d+ failures in a row/);
  }, 120_000);

  it('delivers once the ingest is back, and the alarm clears', async () => {
    await rtmp.restart();
    await waitFor(
      async () => (await gate())?.destinations[0]?.state === 'live',
      `national live again\n${daemon.log().slice(-3000)}`,
      90_000,
    );
    expect((await gate())!.destinations[0]).toMatchObject({ failures: 0, failingSince: null });
    expect(daemon.log()).toContain('"msg":"no longer failing"');
    expect(failingLines()).toHaveLength(1);
  }, 120_000);
});
