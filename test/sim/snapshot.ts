// A small real JPEG for snapshot URIs, made once per process with ffmpeg (640x360 test pattern).
import { spawn } from 'node:child_process';

let jpeg: Promise<Buffer> | undefined;

export function snapshotJpeg(): Promise<Buffer> {
  jpeg ??= new Promise<Buffer>((resolve, reject) => {
    const ff = spawn(
      'ffmpeg',
      [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=640x360',
        '-frames:v',
        '1',
        '-q:v',
        '5',
        '-f',
        'mjpeg',
        '-',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const out: Buffer[] = [];
    let err = '';
    ff.stdout.on('data', (b: Buffer) => out.push(b));
    ff.stderr.on('data', (b: Buffer) => (err += b.toString()));
    ff.on('error', reject);
    ff.on('close', (code) => {
      const buf = Buffer.concat(out);
      if (code === 0 && buf[0] === 0xff && buf[1] === 0xd8) resolve(buf);
      else reject(new Error(`ffmpeg snapshot failed (${code}): ${err}`));
    });
  });
  jpeg.catch(() => (jpeg = undefined)); // retry on the next call
  return jpeg;
}
