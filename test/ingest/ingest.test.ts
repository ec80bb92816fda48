// The ingest servers themselves, against a real ffmpeg publisher: what they record, and that their
// fault injection (pause/resume, kill/restart, stop) does to a publisher what the relay tests rely on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  isPortFree,
  makeClip,
  pidExists,
  startPush,
  startRtmpIngest,
  startRtspIngest,
  stopAllPushes,
} from './index.ts';
import type { Ingest } from './index.ts';

const root = mkdtempSync(join(tmpdir(), 'ingest-test-'));
let clip = '';
let heavyClip = '';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitFor(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (await cond()) return Date.now() - t0;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

beforeAll(async () => {
  [clip, heavyClip] = await Promise.all([
    // 1 s GOP: a session that starts anywhere in the loop is decodable within a second.
    makeClip(join(root, 'clip.ts'), { width: 640, height: 360, fps: 15, seconds: 2 }),
    // ~10 Mbit/s: fills the ~3 MB that the kernel buffers on loopback within a few seconds of pause().
    makeClip(join(root, 'heavy.ts'), { width: 640, height: 360, fps: 15, seconds: 2, bitrate: '10M' }),
  ]);
});

afterEach(stopAllPushes);

afterAll(async () => {
  await stopAllPushes();
  rmSync(root, { recursive: true, force: true });
});

const kinds = [
  ['rtsp', (dir: string) => startRtspIngest({ dir })],
  ['rtmp', (dir: string) => startRtmpIngest({ dir })],
] as const;

describe.each(kinds)('%s ingest', (kind, start) => {
  let ingest: Ingest;

  beforeAll(async () => {
    ingest = await start(join(root, kind));
  });

  afterAll(async () => {
    await ingest?.stop();
  });

  it('records 5 s of pushed H.264 at the pushed size', async () => {
    expect(ingest.urlTemplate).toBe(`${kind}://127.0.0.1:${ingest.port}/live/{cameraId}`);
    const push = startPush(clip, ingest.url('cam-a'), { seconds: 5 });
    // Poll while the file grows, as relay tests do: the incremental count must end up exact.
    const seen: number[] = [];
    while (!push.exit()) {
      seen.push(await ingest.framesReceived('cam-a'));
      await sleep(300);
    }
    const exit = await push.exited;
    expect(exit.code, push.tail()).toBe(0);
    const p = await ingest.probe('cam-a');
    expect(p, ingest.log()).toMatchObject({ codec: 'h264', width: 640, height: 360 });
    expect(p.frames).toBeGreaterThan(50);
    expect(p.durationSeconds).toBeGreaterThan(3);
    expect(ingest.files('cam-a')).toHaveLength(1);
    // The in-process counter agrees with ffprobe's packet count, and it grew while it was polled.
    expect(await ingest.framesReceived('cam-a')).toBe(p.frames);
    expect(seen.filter((n) => n > 0 && n < p.frames).length).toBeGreaterThan(3);
    expect(await ingest.framesReceived('no-such-stream')).toBe(0);
  });

  it('pause() stalls a pushing ffmpeg; resume() lets data flow again', async () => {
    const push = startPush(heavyClip, ingest.url('cam-p'));
    await waitFor('first frames', async () => (await ingest.framesReceived('cam-p')) > 15, 10_000);
    ingest.pause();
    let stalledAfter = 0;
    let pushed = 0;
    let received = 0;
    try {
      stalledAfter = await waitFor(
        'the publisher to stall',
        () => Date.now() - push.lastProgressAt() > 1500,
        20_000,
      );
      pushed = push.frames();
      // What the server wrote just before it froze may still be reaching the file: settle first.
      await sleep(1000);
      received = await ingest.framesReceived('cam-p');
      await sleep(1000);
      expect(await ingest.framesReceived('cam-p')).toBe(received); // a black hole: nothing more is stored
      expect(push.frames()).toBe(pushed);
      expect(push.exit(), 'ffmpeg blocks, it does not fail').toBeNull();
    } finally {
      // Never leave the server frozen for the tests that follow.
      ingest.resume();
    }
    await waitFor(
      'data to flow again',
      async () => push.frames() > pushed + 15 && (await ingest.framesReceived('cam-p')) > received + 15,
      10_000,
    );
    expect(push.exit()).toBeNull();
    console.info(`${kind}: publisher stalled ${stalledAfter - 1500} ms after pause() at ~10 Mbit/s`);
  });

  it('records several streams published at the same moment, each under its own name', async () => {
    const names = Array.from({ length: 6 }, (_, i) => `cam-m${i}`);
    const pushes = names.map((n) => startPush(clip, ingest.url(n), { seconds: 3 }));
    const exits = await Promise.all(pushes.map((p) => p.exited));
    expect(exits.map((e) => e.code)).toEqual(names.map(() => 0));
    for (const n of names) {
      expect(ingest.files(n)).toHaveLength(1);
      expect(await ingest.framesReceived(n)).toBeGreaterThan(30);
    }
  });

  it('survives a killed publisher and records the same stream when it reconnects', async () => {
    const first = startPush(clip, ingest.url('cam-r'));
    // Over a second, so that nginx's per-second file name of the next session differs.
    await waitFor('first session', async () => (await ingest.framesReceived('cam-r')) > 20, 10_000);
    await first.kill();
    const before = await ingest.framesReceived('cam-r');
    const second = startPush(clip, ingest.url('cam-r'), { seconds: 2 });
    expect((await second.exited).code, second.tail() + ingest.log()).toBe(0);
    expect(ingest.files('cam-r')).toHaveLength(2);
    expect(await ingest.framesReceived('cam-r')).toBeGreaterThan(before + 20);
  });

  it('kill() drops the publisher; restart() on the same port accepts the same stream again', async () => {
    const port = ingest.port;
    const first = startPush(clip, ingest.url('cam-k'));
    await waitFor('first session', async () => (await ingest.framesReceived('cam-k')) > 20, 10_000);
    const killedAt = Date.now();
    await ingest.kill();
    expect(ingest.pid).toBeNull();
    const exit = await first.exited; // a reset connection ends ffmpeg's push
    expect(exit.code).not.toBe(0);
    const exitedAfter = Date.now() - killedAt;

    await ingest.restart();
    expect(ingest.port).toBe(port);
    const before = await ingest.framesReceived('cam-k');
    const second = startPush(clip, ingest.url('cam-k'), { seconds: 2 });
    expect((await second.exited).code, second.tail() + ingest.log()).toBe(0);
    expect(ingest.files('cam-k')).toHaveLength(2);
    expect(await ingest.framesReceived('cam-k')).toBeGreaterThan(before + 20);
    expect((await ingest.probe('cam-k')).codec).toBe('h264');
    console.info(`${kind}: publisher exited (code ${exit.code}) ${exitedAfter} ms after kill()`);
  });

  it('stop() leaves no process and frees the port', async () => {
    const pid = ingest.pid;
    const port = ingest.port;
    expect(pid).not.toBeNull();
    await ingest.stop();
    expect(ingest.pid).toBeNull();
    expect(pidExists(pid as number)).toBe(false);
    expect(await isPortFree(port)).toBe(true);
  });
});
