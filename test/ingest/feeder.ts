// A real H.264 publisher for the ingest tests: a short clip encoded once, then pushed in real time
// with `-c copy` (looped if asked) so that a running push costs almost no CPU on a 2-core machine.
import { execFile } from 'node:child_process';
import { spawnManaged, terminate, killHard } from './process.ts';
import type { Exit, Managed } from './process.ts';

export interface ClipOptions {
  width?: number;
  height?: number;
  fps?: number;
  seconds?: number;
  /** Keyframe interval in frames; short so a new session is decodable at once. */
  gopFrames?: number;
  /** Target video bitrate such as '10M'; with noise, so the encoder really spends it. */
  bitrate?: string;
}

/** Encodes testsrc2 to an MPEG-TS clip (a .ts loops cleanly with -stream_loop, an .mp4 may not). */
export function makeClip(file: string, opts: ClipOptions = {}): Promise<string> {
  const { width = 640, height = 360, fps = 15, seconds = 2, gopFrames = fps, bitrate } = opts;
  let filter = `testsrc2=size=${width}x${height}:rate=${fps}`;
  if (bitrate) filter += ',noise=alls=40:allf=t';
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    filter,
    '-t',
    String(seconds),
  ];
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', String(gopFrames));
  args.push('-pix_fmt', 'yuv420p');
  if (bitrate) args.push('-b:v', bitrate, '-maxrate', bitrate, '-bufsize', bitrate);
  args.push('-f', 'mpegts', file);
  return new Promise((resolve, reject) => {
    execFile('ffmpeg', args, { timeout: 60_000 }, (err, _out, stderr) =>
      err ? reject(new Error(`clip encode failed: ${stderr || err.message}`)) : resolve(file),
    );
  });
}

export interface PushOptions {
  /** Loop the clip until stopped (default true). */
  loop?: boolean;
  /** Stop after this many seconds of output. */
  seconds?: number;
  /** More output options, e.g. ['-rw_timeout', '5000000']. */
  extraArgs?: string[];
}

export interface Push {
  readonly pid: number;
  readonly url: string;
  /** Frames ffmpeg reports as written (from -progress). */
  frames(): number;
  /** Date.now() when the frame count last grew (or when the push started). */
  lastProgressAt(): number;
  readonly exited: Promise<Exit>;
  exit(): Exit | null;
  tail(): string;
  /** SIGTERM, then SIGKILL if ffmpeg is stuck in a blocked write. */
  stop(): Promise<void>;
  kill(): Promise<void>;
}

const pushes = new Set<Managed>();

function formatArgs(url: string): string[] {
  if (url.startsWith('rtsp://')) return ['-f', 'rtsp', '-rtsp_transport', 'tcp'];
  if (url.startsWith('rtmp://')) return ['-f', 'flv'];
  throw new Error(`no push format for ${url}`);
}

export function startPush(clip: string, url: string, opts: PushOptions = {}): Push {
  const { loop = true, seconds, extraArgs = [] } = opts;
  const args = ['-hide_banner', '-nostats', '-loglevel', 'warning', '-re'];
  if (loop) args.push('-stream_loop', '-1');
  args.push('-i', clip);
  if (seconds !== undefined) args.push('-t', String(seconds));
  args.push('-c', 'copy', '-progress', 'pipe:1', ...formatArgs(url), ...extraArgs, url);
  let frames = 0;
  let lastProgressAt = Date.now();
  const m = spawnManaged('ffmpeg', args, {
    onLine: (line) => {
      const hit = /^frame=(\d+)/.exec(line);
      if (!hit) return;
      const n = Number(hit[1]);
      if (n > frames) lastProgressAt = Date.now();
      frames = n;
    },
  });
  pushes.add(m);
  void m.exited.then(() => pushes.delete(m));
  return {
    pid: m.pid,
    url,
    frames: () => frames,
    lastProgressAt: () => lastProgressAt,
    exited: m.exited,
    exit: m.exit,
    tail: m.tail,
    stop: async () => {
      await terminate(m, 2000);
    },
    kill: async () => {
      await killHard(m);
    },
  };
}

/** Kills every push still running: for afterEach/afterAll, so a failed test leaves no ffmpeg. */
export async function stopAllPushes(): Promise<void> {
  await Promise.all([...pushes].map((m) => killHard(m)));
}
