// Which ffmpeg is installed decides option names: the RTSP input socket timeout is -stimeout in
// 4.x and -timeout from 5.0 (where -timeout on 4.x means "listen as a server").
import { execFile } from 'node:child_process';
import type { Muxers } from '../core/codec-fit.ts';

export interface FfmpegVersion {
  major: number;
  minor: number;
  text: string;
}

export class FfmpegMissingError extends Error {
  override name = 'FfmpegMissingError';
}

export function parseFfmpegVersion(output: string): FfmpegVersion | null {
  const m = /ffmpeg version n?(\d+)\.(\d+)/.exec(output);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), text: `${m[1]}.${m[2]}` };
}

export function checkSupported(v: FfmpegVersion): void {
  if (v.major < 4 || (v.major === 4 && v.minor < 4)) {
    throw new FfmpegMissingError(
      `ffmpeg ${v.text} is too old: 4.4 or newer is needed (Debian 12 ships 5.1; run scripts/setup.sh)`,
    );
  }
}

/** What this ffmpeg's muxers can write: HEVC in FLV (enhanced RTMP) came with 6.1. */
export function muxersOf(v: FfmpegVersion): Muxers {
  return { ffmpeg: v.text, hevcInFlv: v.major > 6 || (v.major === 6 && v.minor >= 1) };
}

export function detectFfmpeg(binary = process.env.FFMPEG_PATH ?? 'ffmpeg'): Promise<FfmpegVersion> {
  return new Promise((resolve, reject) => {
    execFile(binary, ['-hide_banner', '-version'], { timeout: 10_000 }, (err, stdout) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        return reject(
          new FfmpegMissingError(
            code === 'ENOENT'
              ? `ffmpeg is not installed (looked for "${binary}"): run scripts/setup.sh`
              : `ffmpeg -version failed: ${err.message}`,
          ),
        );
      }
      const v = parseFfmpegVersion(stdout);
      if (!v)
        return reject(
          new FfmpegMissingError(`cannot read the ffmpeg version from: ${stdout.split('\n')[0] ?? ''}`),
        );
      try {
        checkSupported(v);
      } catch (e) {
        return reject(e instanceof Error ? e : new Error(String(e)));
      }
      resolve(v);
    });
  });
}
