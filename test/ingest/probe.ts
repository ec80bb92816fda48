// ffprobe of recorded media, summed over the files of one stream (one file per publish session).
// MPEG-TS and FLV are both readable while the server is still appending to them.
import { execFile } from 'node:child_process';

export interface ProbeResult {
  /** Codec of the newest file that has video (the current or last session); null if none. */
  codec: string | null;
  width: number | null;
  height: number | null;
  /** Video packets read (one per frame for these containers), summed over all files. */
  frames: number;
  /** Container durations summed over all files. */
  durationSeconds: number;
}

interface FfprobeJson {
  streams?: { codec_name?: string; width?: number; height?: number; nb_read_packets?: string }[];
  format?: { duration?: string };
}

function ffprobe(file: string): Promise<FfprobeJson> {
  const args = [
    '-v',
    'error',
    '-count_packets',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=codec_name,width,height,nb_read_packets:format=duration',
    '-of',
    'json',
    file,
  ];
  return new Promise((resolve) => {
    execFile('ffprobe', args, { timeout: 30_000, maxBuffer: 1 << 20 }, (err, stdout) => {
      // A file with a header only (a session that just began) makes ffprobe fail: count it as empty.
      if (err && !stdout) return resolve({});
      try {
        resolve(JSON.parse(stdout) as FfprobeJson);
      } catch {
        resolve({});
      }
    });
  });
}

export async function probeFiles(files: string[]): Promise<ProbeResult> {
  const res: ProbeResult = { codec: null, width: null, height: null, frames: 0, durationSeconds: 0 };
  for (const f of files) {
    const j = await ffprobe(f);
    const v = j.streams?.[0];
    if (v?.codec_name) {
      res.codec = v.codec_name;
      res.width = v.width ?? null;
      res.height = v.height ?? null;
    }
    res.frames += Number(v?.nb_read_packets ?? 0) || 0;
    res.durationSeconds += Number(j.format?.duration ?? 0) || 0;
  }
  return res;
}
