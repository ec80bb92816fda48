// runFfmpeg against a real ffmpeg: what a process running for days leaves in the daemon's memory.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { runFfmpeg } from '../../src/relay/ffmpeg-process.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('runFfmpeg', () => {
  it("keeps none of a long-running ffmpeg's progress output once it has been read", async () => {
    // A progress block after nearly every frame: in seconds, the output of a camera's ffmpeg
    // over many hours (one block a second).
    const proc = runFfmpeg({
      input: 'nullsrc=size=16x16:rate=1000',
      inputOptions: ['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'lavfi'],
      output: '-',
      outputOptions: ['-frames:v', '1000000', '-f', 'null', '-stats_period', '0.0005', '-progress', 'pipe:1'],
    });
    let blocks = 0;
    let before = 0;
    proc.onProgress(() => {
      if (++blocks === 200) before = heapAfterGc();
    });
    const exit = await proc.exited;
    expect(exit.code, exit.tail.join('\n')).toBe(0);
    expect(blocks, 'progress blocks read').toBeGreaterThan(3000);
    // Each block is a dozen lines: kept, they would hold megabytes.
    const grown = heapAfterGc() - before;
    expect(grown, `heap growth over ${blocks} progress blocks`).toBeLessThan(1024 * 1024);
  }, 60_000);
});
