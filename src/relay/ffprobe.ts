// Measures a live stream with ffprobe: codec, size, frame rate and bitrate from a few seconds of
// packets, and whether a key frame arrived. Input is restricted to network protocols so a
// hostile URI can never make ffprobe read a local file.
import { spawn } from 'node:child_process';
import { scrubText } from '../log/secrets.ts';

export interface StreamMeasure {
  codec: string | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  bitrateKbps: number | null;
  keyframe: boolean;
  packets: number;
}

export class FfprobeError extends Error {
  override name = 'FfprobeError';
}

let versionCache: Promise<number> | null = null;

/** ffprobe's major version; the RTSP socket timeout option was renamed in 5.0 (stimeout -> timeout). */
export function ffprobeMajor(): Promise<number> {
  versionCache ??= run(['-version'], 5000).then(
    (r) => Number(/version n?(\d+)\./.exec(r.stdout)?.[1] ?? 5),
    () => {
      throw new FfprobeError('ffprobe is not installed: run scripts/setup.sh (it installs ffmpeg)');
    },
  );
  return versionCache;
}

function run(
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffprobe', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => (clearTimeout(timer), reject(err)));
    child.on('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
  });
}

export async function measureStream(uri: string, seconds: number, timeoutMs: number): Promise<StreamMeasure> {
  const major = await ffprobeMajor();
  const args = [
    '-v',
    'error',
    '-protocol_whitelist',
    'tcp,udp,rtp,rtsp,tls,rtsps,srtp',
    '-rtsp_transport',
    'tcp',
    major >= 5 ? '-timeout' : '-stimeout',
    String(Math.round(timeoutMs * 1000)),
    '-select_streams',
    'v:0',
    '-read_intervals',
    `%+${seconds}`,
    '-show_entries',
    'stream=codec_name,width,height,avg_frame_rate,r_frame_rate:packet=pts_time,size,flags',
    '-of',
    'json',
    uri,
  ];
  const r = await run(args, timeoutMs + seconds * 1000 + 5000);
  if (r.code !== 0)
    throw new FfprobeError(scrubText(r.stderr.trim().split('\n').pop() || `ffprobe exited with ${r.code}`));
  const parsed = JSON.parse(r.stdout) as {
    streams?: {
      codec_name?: string;
      width?: number;
      height?: number;
      avg_frame_rate?: string;
      r_frame_rate?: string;
    }[];
    packets?: { pts_time?: string; size?: string; flags?: string }[];
  };
  const stream = parsed.streams?.[0];
  const packets = parsed.packets ?? [];
  const times = packets.map((p) => Number(p.pts_time)).filter(Number.isFinite);
  const span = times.length > 1 ? Math.max(...times) - Math.min(...times) : 0;
  const bytes = packets.reduce((n, p) => n + Number(p.size ?? 0), 0);
  return {
    codec: stream?.codec_name?.toUpperCase() ?? null,
    width: stream?.width ?? null,
    height: stream?.height ?? null,
    fps:
      span > 0
        ? Math.round(((times.length - 1) / span) * 10) / 10
        : (rate(stream?.avg_frame_rate) ?? rate(stream?.r_frame_rate)),
    bitrateKbps: span > 0 ? Math.round((bytes * 8) / span / 1000) : null,
    keyframe: packets.some((p) => p.flags?.includes('K') ?? false),
    packets: packets.length,
  };
}

function rate(r: string | undefined): number | null {
  const [n, d] = (r ?? '').split('/').map(Number);
  return n && d ? Math.round((n / d) * 10) / 10 : null;
}

export interface FileProbe {
  /** False when ffprobe itself failed (timeout, crash): nothing is known about the file. */
  ok: boolean;
  videoPackets: number;
  keyframes: number;
  durationSeconds: number;
}

/** What a (possibly truncated) local segment holds: enough to decide whether to keep it. */
export async function probeFile(path: string): Promise<FileProbe> {
  const r = await run(
    [
      '-v',
      'error',
      '-protocol_whitelist',
      'file',
      '-select_streams',
      'v:0',
      '-show_entries',
      'packet=pts_time,flags',
      '-of',
      'json',
      path,
    ],
    30_000,
  );
  const packets =
    r.code === 0
      ? ((JSON.parse(r.stdout) as { packets?: { pts_time?: string; flags?: string }[] }).packets ?? [])
      : [];
  const times = packets.map((p) => Number(p.pts_time)).filter(Number.isFinite);
  return {
    ok: r.code === 0,
    videoPackets: packets.length,
    keyframes: packets.filter((p) => p.flags?.includes('K')).length,
    durationSeconds: times.length > 1 ? Math.max(...times) - Math.min(...times) : 0,
  };
}
