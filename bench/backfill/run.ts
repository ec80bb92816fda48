// Backfill figures (issue 4): throughput as a multiple of real time (seconds of video delivered
// per wall second) to the reference receiver on loopback, uncapped and capped, and whether the
// cap held within 10 %. Segments are copies of one real 4 s 1080p25 H.264 MPEG-TS clip at
// ~4 Mbit/s. The live frame rate during backfill needs the whole daemon and is not measured here.
// Run: npm run bench:backfill [-- --seconds 120 --cap 40000 --low-cap 8000]. See bench/backfill/README.md.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startReceiver } from '../../scripts/backfill-receiver.ts';
import { Backfill } from '../../src/buffer/backfill.ts';
import { configSchema } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { openStore } from '../../src/store/db.ts';
import { SpoolRepo } from '../../src/store/spool.ts';

const SEG_S = 4;
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '120' },
    cap: { type: 'string', default: '40000' },
    'low-cap': { type: 'string', default: '8000' },
    'low-seconds': { type: 'string', default: '20' },
    kbps: { type: 'string', default: '4000' },
  },
});
const clipKbps = Number(values.kbps);

/** One real segment, encoded once and cached under .tmp/. */
function clip(): string {
  const dir = join(process.cwd(), '.tmp', 'bench-backfill');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `clip-1080p-${clipKbps}k-${SEG_S}s.ts`);
  if (!existsSync(path)) {
    // testsrc2 plus noise so the encoder really spends its bitrate, as a camera scene would.
    execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=1920x1080:rate=25,noise=alls=30:allf=t`,
      '-t',
      String(SEG_S),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-g',
      '50',
      '-b:v',
      `${clipKbps}k`,
      '-minrate',
      `${clipKbps}k`,
      '-maxrate',
      `${clipKbps}k`,
      '-bufsize',
      `${clipKbps * 2}k`,
      '-x264-params',
      'nal-hrd=cbr',
      '-f',
      'mpegts',
      path,
    ]);
  }
  return path;
}

interface Run {
  label: string;
  capKbps: number | null;
  segments: number;
  bytes: number;
  wallS: number;
  xRealTime: number;
  kbps: number;
  capHeld: boolean | null;
}

async function run(
  label: string,
  source: string,
  videoSeconds: number,
  capKbps: number | null,
): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-backfill-'));
  const t0 = Date.UTC(2026, 10, 22, 4, 0, 0);
  const count = Math.round(videoSeconds / SEG_S);
  const bytes = statSync(source).size;
  const sha256 = createHash('sha256').update(readFileSync(source)).digest('hex');
  const db = openStore(join(dir, 'gw.db'));
  const spool = new SpoolRepo(db);
  mkdirSync(join(dir, 'rec'));
  // Two cameras, so two pairs upload at once under the one cap.
  const cameras = ['gate-1', 'gate-2'];
  for (let i = 0; i < count; i++) {
    const cameraId = cameras[i % cameras.length]!;
    const path = join(dir, 'rec', `${cameraId}-${i}.ts`);
    copyFileSync(source, path);
    const startMs = t0 + Math.floor(i / cameras.length) * SEG_S * 1000;
    spool.addSegment({
      cameraId,
      path,
      startMs,
      endMs: startMs + SEG_S * 1000,
      bytes,
      sha256,
      recovered: false,
    });
  }
  for (const c of cameras) {
    spool.openOutage(c, 'central', 'uplink', t0);
    spool.closeOutage(c, 'central', t0 + videoSeconds * 1000);
  }
  let done = 0;
  let firstAt = 0;
  let lastAt = 0;
  let finished: () => void = () => undefined;
  const all = new Promise<void>((r) => (finished = r));
  const rx = await startReceiver({
    dir: join(dir, 'received'),
    print: (line) => {
      const rec = JSON.parse(line) as { status: number };
      if (rec.status !== 201) throw new Error(`receiver answered ${rec.status}`);
      lastAt = performance.now();
      if (++done === count) finished();
    },
  });
  const cfg = configSchema.parse({
    site: { id: 'bench', name: 'Bench' },
    recording: { dir: join(dir, 'rec') },
    mqtt: { url: 'mqtt://127.0.0.1:1' },
    destinations: [
      {
        id: 'central',
        url: 'rtmp://127.0.0.1:1/live/{cameraId}',
        backfill: { url: `${rx.url}/v1/{siteId}/{cameraId}/{start}.ts`, token: 'bench-token' },
      },
    ],
    backfill: capKbps === null ? {} : { maxKbps: capKbps },
  });
  const bf = new Backfill({ cfg, db, logger: silentLogger });
  firstAt = performance.now();
  await bf.start(new AbortController().signal);
  await all;
  await bf.stop();
  await rx.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  const wallS = (lastAt - firstAt) / 1000;
  const kbps = (count * bytes * 8) / wallS / 1000;
  return {
    label,
    capKbps,
    segments: count,
    bytes: count * bytes,
    wallS,
    xRealTime: (count * SEG_S) / wallS,
    kbps,
    capHeld: capKbps === null ? null : Math.abs(kbps - capKbps) / capKbps <= 0.1,
  };
}

const source = clip();
const clipBitrate = (statSync(source).size * 8) / SEG_S / 1000;
const seconds = Number(values.seconds);
const runs = [
  await run('uncapped', source, seconds, null),
  await run(`capped ${values.cap} kbps`, source, seconds, Number(values.cap)),
  await run(
    `capped ${values['low-cap']} kbps`,
    source,
    Number(values['low-seconds']),
    Number(values['low-cap']),
  ),
];

const pad = (s: string, n: number) => s.padEnd(n);
console.log(
  `backfill on loopback, ${cpus().length} cores, Node ${process.versions.node}; segments ${SEG_S} s 1080p25 H.264 at ${clipBitrate.toFixed(0)} kbit/s, 2 cameras, 2 uploads in flight`,
);
console.log(
  `${pad('run', 22)}${pad('video s', 9)}${pad('MB', 8)}${pad('wall s', 9)}${pad('x real time', 13)}${pad('kbit/s', 10)}cap held (10 %)`,
);
for (const r of runs) {
  console.log(
    `${pad(r.label, 22)}${pad(String(r.segments * SEG_S), 9)}${pad((r.bytes / 1e6).toFixed(1), 8)}${pad(r.wallS.toFixed(2), 9)}${pad(r.xRealTime.toFixed(1), 13)}${pad(r.kbps.toFixed(0), 10)}${
      r.capHeld === null
        ? '-'
        : `${r.capHeld ? 'yes' : 'NO'} (${(((r.kbps - r.capKbps!) / r.capKbps!) * 100).toFixed(1)} %)`
    }`,
  );
}
console.log(JSON.stringify({ clipKbps: Math.round(clipBitrate), runs }));
if (runs.some((r) => r.capHeld === false)) process.exitCode = 1;
