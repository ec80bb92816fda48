// bench:relay: the baseline, one bare ffmpeg tee per camera producing the same outputs.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Ingest } from '../../test/ingest/index.ts';
import { spawnManaged, terminate, type Managed } from '../../test/ingest/process.ts';
import { CameraRig, type Camera } from './camera-rig.ts';
import { processTree } from './proc.ts';
import { onCleanup, sleep, now, fmt, log } from './harness.ts';
import { type Options } from './options.ts';
import { type WindowResult, measureWindow, firstFrames } from './window.ts';

// ---------------------------------------------------------------------------------------------
// The baseline phase: one bare ffmpeg tee per camera, same outputs, same ingests, gateway stopped.

export interface BaselineResult {
  window: WindowResult | null;
  spawnToFrames: number | null;
  problems: string[];
}

export function baselineArgs(cam: Camera, rtmp: Ingest, rtsp: Ingest, recordDir: string | null): string[] {
  const name = `base-${cam.id}`;
  // Recording on (the default): the gateway's segment output too, 4 s MPEG-TS segments on the
  // clock named by their second, a CSV list, every packet flushed; without the fifo and the
  // parameter sets the gateway adds, which are part of what it costs.
  const segments = recordDir
    ? `|[f=segment:segment_time=4:segment_atclocktime=1:segment_format=mpegts:reset_timestamps=1:strftime=1:` +
      `segment_list=${recordDir}/${name}.csv:segment_list_type=csv:segment_format_options=flush_packets=1]` +
      `${recordDir}/${name}-%s.ts`
    : '';
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'error',
    '-rtsp_transport',
    'tcp',
    '-i',
    cam.url,
    '-map',
    '0:v',
    '-c',
    'copy',
    '-f',
    'tee',
    `[f=flv]${rtmp.url(name)}|[f=rtsp:rtsp_transport=tcp]${rtsp.url(name)}${segments}`,
  ];
}

export async function baselinePhase(
  dir: string,
  opts: Options,
  cams: Camera[],
  rig: CameraRig,
  rtmp: Ingest,
  rtsp: Ingest,
): Promise<BaselineResult> {
  const problems: string[] = [];
  const streams = cams.flatMap((c) => [
    { ingest: rtmp, name: `base-${c.id}` },
    { ingest: rtsp, name: `base-${c.id}` },
  ]);
  const t0 = now();
  let recordDir: string | null = null;
  if (opts.record) {
    recordDir = join(dir, 'base-rec');
    mkdirSync(recordDir, { recursive: true });
  }
  const procs: Managed[] = cams.map((c) => spawnManaged('ffmpeg', baselineArgs(c, rtmp, rtsp, recordDir)));
  const stopAll = () => Promise.all(procs.map((m) => terminate(m, 3000)));
  const unregister = onCleanup(stopAll);
  try {
    const spawnToFrames = await firstFrames(streams, t0, 120_000);
    if (spawnToFrames === null) problems.push('not every stream reached its ingests within 120 s');
    log(`baseline: frames at every ingest ${fmt(spawnToFrames)} s`);
    await sleep(opts.settleSeconds * 1000);
    log(`baseline: measuring ${opts.seconds} s`);
    const window = await measureWindow({
      seconds: opts.seconds,
      pids: () => procs.filter((m) => !m.exit()).flatMap((m) => processTree(m.pid)),
      daemonPid: null,
      streams,
      rig,
      ingests: [rtmp, rtsp],
      classify: () => 'ffmpeg -f tee',
    });
    const dead = procs.filter((m) => m.exit());
    if (dead.length > 0)
      problems.push(`${dead.length} baseline ffmpeg exited: ${dead[0]!.tail().slice(-300).trim()}`);
    return { window, spawnToFrames, problems };
  } finally {
    unregister();
    await stopAll();
  }
}
