// `npm run demo` / `edge-gateway demo`: the whole product on one machine, as a newcomer's first
// command. See README.md in this folder for what runs where and how the uplink is cut.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mismatchParams } from '../../src/core/codec-fit.ts';
import type { GatewayStatus } from '../../src/core/status.ts';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { setLang, t, type Lang } from '../../src/i18n/index.ts';
import { gatewayFiles, runCommand, startGateway, writeConfig, type GatewayProcess } from './gateway.ts';
import { checkPrerequisites } from './prerequisites.ts';
import { summarise, summaryLines, type Backlog, type Summary } from './report.ts';
import { startRig, type Rig } from './rig.ts';
import { clock, counts, OutageWatch, tickLine } from './watch.ts';

export interface DemoOptions {
  lang: Lang;
  liveSeconds: number;
  outageSeconds: number;
  keepRunning: boolean;
  /** A JSON file where the demo writes its temp dir, ports and summary (for tests and scripts). */
  manifest?: string | undefined;
  signal: AbortSignal;
  out?: (line: string) => void;
}

export interface Manifest {
  pid: number;
  dir: string;
  ports: number[];
  gatewayPid: number | null;
  summary: Summary | null;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** Runs the demo; resolves with the exit code once everything it started is stopped and removed. */
export async function runDemo(o: DemoOptions): Promise<number> {
  setLang(o.lang);
  const say = o.out ?? ((line: string) => process.stdout.write(line + '\n'));
  const missing = checkPrerequisites();
  if (missing.length > 0) {
    say(t('demo.missing', { what: missing.join(', ') }));
    return EXIT.unavailable;
  }
  const dir = mkdtempSync(join(tmpdir(), 'edge-gateway-demo-'));
  const manifest: Manifest = { pid: process.pid, dir, ports: [], gatewayPid: null, summary: null };
  const writeManifest = () => o.manifest && writeFileSync(o.manifest, JSON.stringify(manifest, null, 2));
  let rig: Rig | null = null;
  let gateway: GatewayProcess | null = null;
  let code = 0;
  try {
    say(t('demo.title'));
    say(t('demo.starting', { dir }));
    rig = await startRig(dir);
    manifest.ports = rig.ports();
    writeManifest();
    o.signal.throwIfAborted();
    const files = gatewayFiles(dir);
    writeConfig(files, rig);

    say('');
    say(t('demo.step.run', { command: `edge-gateway run --config ${files.config}`, log: files.log }));
    gateway = await startGateway(files, o.signal);
    manifest.gatewayPid = gateway.pid;
    writeManifest();
    await waitLive(gateway, o.signal, say);

    say('');
    say(t('demo.step.inventory', { command: `edge-gateway inventory --config ${files.config}` }));
    const found = await runCommand(['--lang', o.lang, 'inventory', '--config', files.config], o.signal);
    for (const line of found.stdout.trimEnd().split('\n')) say(`    ${line}`);
    let before = livePairs(await gateway.status());

    say('');
    say(t('demo.look.title'));
    say(t('demo.look.status', { command: `npx edge-gateway status --config ${files.config}` }));
    say(t('demo.look.backlog', { command: `npx edge-gateway backlog --config ${files.config}` }));
    say(
      t('demo.look.mqtt', {
        command: `mosquitto_sub -h 127.0.0.1 -p ${rig.broker.port} -t 'edgegw/demo/#' -v`,
      }),
    );
    say(t('demo.look.ingests', { rtmp: rig.rtmp.dir, rtsp: rig.rtsp.dir }));
    say(t('demo.look.backfill', { dir: join(dir, 'central', 'backfill') }));
    say(t('demo.look.spool', { dir: files.spool, log: files.log }));

    say('');
    say(t('demo.phase.live', { seconds: o.liveSeconds }));
    await ticking(gateway, o.liveSeconds * 1000, null, o.signal, say);
    before = livePairs(await gateway.status());

    say('');
    say(t('demo.phase.cut', { seconds: o.outageSeconds }));
    if (process.getuid?.() !== 0) say(t('demo.noNetAdmin'));
    const from = Date.now();
    const watch = new OutageWatch(files.db, from - 60_000);
    watch.lines(); // outages before the cut (a camera that never went live) are not news
    await rig.uplink.cut();
    try {
      await ticking(gateway, o.outageSeconds * 1000, watch, o.signal, say);
    } finally {
      await rig.uplink.restore();
    }
    const to = Date.now();

    say('');
    say(t('demo.phase.restore'));
    const backlog = await drain(gateway, files.config, before, watch, o.signal, say);

    const status = await gateway.status();
    manifest.summary = await summarise({
      dbPath: files.db,
      status,
      backlog,
      outage: { from, to },
      destinations: [
        { id: 'national', ingest: rig.rtmp, receiver: rig.receivers.national },
        { id: 'province', ingest: rig.rtsp, receiver: rig.receivers.province },
      ],
      logins: (address) => {
        const cam = rig!.site.cameras.find((c) => c.host === address);
        return cam ? { failed: cam.failedLogins(), locked: cam.locked() } : null;
      },
    });
    writeManifest();
    say('');
    for (const line of summaryLines(manifest.summary)) say(line);
    if (!manifest.summary.nothingLost) code = EXIT.checkFailed;

    if (o.keepRunning) {
      say('');
      say(t('demo.keepRunning', { dir }));
      await new Promise<void>((resolve) =>
        o.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
    }
  } catch (err) {
    if (!o.signal.aborted) {
      say(t('demo.failed', { error: (err as Error).message }));
      code = EXIT.software;
    }
  } finally {
    if (o.signal.aborted) say(t('demo.interrupted'));
    await gateway?.stop();
    await rig?.stop();
    rmSync(dir, { recursive: true, force: true });
    say(t('demo.cleaned', { dir }));
  }
  return o.signal.aborted ? 130 : code;
}

/** Until every destination is live, or every stream has one live and the rest had their chance. */
async function waitLive(g: GatewayProcess, signal: AbortSignal, say: (l: string) => void): Promise<void> {
  say(t('demo.waitingLive'));
  const start = Date.now();
  for (;;) {
    await sleep(1000, signal);
    const s = await g.status();
    const c = counts(s);
    const everyStream =
      s.streams.length > 0 && s.streams.every((x) => x.destinations.some((d) => d.state === 'live'));
    if ((c.live === c.destinations && c.destinations > 0) || (everyStream && Date.now() - start > 25_000)) {
      say(tickLine(s));
      for (const x of s.streams)
        for (const d of x.destinations.filter((d) => d.state !== 'live'))
          say(t('demo.notLive', { camera: x.cameraId, destination: d.id, why: d.lastError ?? d.state }));
      for (const u of s.unsent)
        say(
          t('demo.notSent', {
            camera: u.cameraId,
            destination: u.destinationId,
            reason: t('relay.unsent.codec', mismatchParams(u.reason)),
          }),
        );
      return;
    }
    if (Date.now() - start > 90_000) throw new Error(t('demo.neverLive'));
  }
}

async function ticking(
  g: GatewayProcess,
  ms: number,
  watch: OutageWatch | null,
  signal: AbortSignal,
  say: (l: string) => void,
): Promise<void> {
  const end = Date.now() + ms;
  const every = Math.min(5000, Math.max(1000, ms / 4));
  while (Date.now() < end) {
    await sleep(Math.min(every, end - Date.now()), signal);
    watch?.lines().forEach(say);
    say(tickLine(await g.status()));
  }
}

const livePairs = (s: GatewayStatus) =>
  new Set(
    s.streams.flatMap((x) =>
      x.destinations.filter((d) => d.state === 'live').map((d) => `${x.cameraId}|${d.id}`),
    ),
  );

/**
 * After the cut: until what was live before it is live again with nothing owed and no outage open
 * (or the backlog stopped shrinking for a minute); returns the backlog.
 */
async function drain(
  g: GatewayProcess,
  config: string,
  before: Set<string>,
  watch: OutageWatch,
  signal: AbortSignal,
  say: (l: string) => void,
): Promise<Backlog> {
  let best = Infinity;
  let bestAt = Date.now();
  const mine = (p: { cameraId: string; destinationId: string }) =>
    before.has(`${p.cameraId}|${p.destinationId}`);
  for (;;) {
    await sleep(3000, signal);
    watch.lines().forEach(say);
    const s = await g.status();
    say(tickLine(s));
    const r = await runCommand(['backlog', '--json', '--config', config], signal);
    const backlog = JSON.parse(r.stdout) as Backlog & {
      openOutages: { cameraId: string; destinationId: string }[];
    };
    const owed = backlog.pending.filter(mine).reduce((n, p) => n + p.seconds, 0);
    const live = livePairs(s);
    if (owed === 0 && !backlog.openOutages.some(mine) && [...before].every((p) => live.has(p)))
      return backlog;
    if (owed < best) [best, bestAt] = [owed, Date.now()];
    if (Date.now() - bestAt > 60_000) {
      say(t('demo.drainStuck', { time: clock(), owed }));
      return backlog;
    }
  }
}
