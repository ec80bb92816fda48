import { describe, expect, it } from 'vitest';
import type { MediaProfile } from '../../src/core/camera.ts';
import { carries, mismatchParams, type Muxers } from '../../src/core/codec-fit.ts';
import { chooseProfile, fillTemplate, planRelay, type PlanDestination } from '../../src/core/relay-plan.ts';

const profile = (
  token: string,
  width: number,
  height: number,
  kbps: number | null,
  encoding = 'H264',
): MediaProfile => ({
  token,
  name: token,
  encoding,
  width,
  height,
  fps: 25,
  bitrateKbps: kbps,
  streamUri: `rtsp://10.0.0.5/${token}`,
});
const main = profile('main', 1920, 1080, 4096);
const sub = profile('sub', 640, 360, 512);
const cam = (id: string) => ({ id, profiles: [sub, main] });
const dest = (id: string, over: Partial<PlanDestination> = {}): PlanDestination => ({
  id,
  url: `rtmp://${id}.example/live/{siteId}-{cameraId}`,
  profile: 'main',
  audio: false,
  ...over,
});

describe('chooseProfile', () => {
  it('picks the largest for main and the smallest for sub, never assuming profiles[0]', () => {
    expect(chooseProfile([sub, main], 'main')?.token).toBe('main');
    expect(chooseProfile([main, sub], 'sub')?.token).toBe('sub');
  });

  it('picks the best profile under the cap for auto, and the smallest when none fits', () => {
    expect(chooseProfile([sub, main], 'auto', 5000)?.token).toBe('main');
    expect(chooseProfile([sub, main], 'auto', 1000)?.token).toBe('sub');
    expect(chooseProfile([sub, main], 'auto', 100)?.token).toBe('sub');
  });

  it('prefers H.264 on equal size for sub as for main', () => {
    const sub265 = profile('sub265', 640, 360, 512, 'H265');
    expect(chooseProfile([main, sub265, sub], 'sub')?.token).toBe('sub');
    expect(chooseProfile([main, sub, sub265], 'sub')?.token).toBe('sub');
  });

  it('skips profiles without an encoder or a stream URI', () => {
    const empty = { ...profile('ch9', 1920, 1080, null), encoding: null };
    const noUri = { ...profile('x', 3840, 2160, 8000), streamUri: null };
    expect(chooseProfile([empty, noUri, sub], 'main')?.token).toBe('sub');
    expect(chooseProfile([empty], 'main')).toBeNull();
  });
});

describe('planRelay', () => {
  it('pulls each camera stream once however many destinations take it', () => {
    const plan = planRelay([cam('c1'), cam('c2')], [dest('national'), dest('ioc'), dest('doh')], 'site-1');
    expect(plan.ingests).toHaveLength(2);
    expect(plan.ingests[0]!.outputs.map((o) => o.destinationId)).toEqual(['national', 'ioc', 'doh']);
    expect(plan.ingests[0]!.outputs[0]!.url).toBe('rtmp://national.example/live/site-1-c1');
  });

  it('pulls main and sub separately when destinations want different streams', () => {
    const plan = planRelay([cam('c1')], [dest('national'), dest('ioc', { profile: 'sub' })], 's');
    expect(plan.ingests.map((i) => i.profileToken).sort()).toEqual(['main', 'sub']);
  });

  it('sends a destination only the cameras it lists', () => {
    const plan = planRelay([cam('c1'), cam('c2')], [dest('national'), dest('ioc', { cameras: ['c2'] })], 's');
    const c1 = plan.ingests.find((i) => i.cameraId === 'c1')!;
    expect(c1.outputs.map((o) => o.destinationId)).toEqual(['national']);
  });

  it('steps auto destinations down to fit the uplink budget, and warns when fixed ones do not fit', () => {
    const fits = planRelay([cam('c1'), cam('c2')], [dest('national', { profile: 'auto' })], 's', 2000);
    expect(fits.ingests.every((i) => i.profileToken === 'sub')).toBe(true);
    expect(fits.warnings).toEqual([]);
    const over = planRelay([cam('c1'), cam('c2')], [dest('national')], 's', 2000);
    expect(over.uplinkKbps).toBe(8192);
    expect(over.warnings[0]).toMatch(/needs 8192 kbit\/s upstream but uplink.kbps is 2000/);
  });

  it('warns about transcoding and about cameras with nothing to send', () => {
    const plan = planRelay(
      [cam('c1'), { id: 'dead', profiles: [] }],
      [dest('national', { transcode: { codec: 'h264', bitrateKbps: 800 } })],
      's',
    );
    expect(plan.warnings.some((w) => /transcodes camera c1/.test(w))).toBe(true);
    expect(plan.warnings.some((w) => /dead has no usable stream/.test(w))).toBe(true);
  });

  it('fills URL templates with encoded ids', () => {
    expect(fillTemplate('srt://x:9000?streamid={siteId}/{cameraId}', 'a b', 'c/d')).toBe(
      'srt://x:9000?streamid=a%20b/c%2Fd',
    );
  });
});

describe('codec and destination fit', () => {
  const ff51: Muxers = { ffmpeg: '5.1', hevcInFlv: false };
  const ff61: Muxers = { ffmpeg: '6.1', hevcInFlv: true };
  const main265 = profile('main265', 1920, 1080, 4096, 'H265');
  const sub265 = profile('sub265', 640, 360, 512, 'H265');
  const only265 = { id: 'yard', profiles: [sub265, main265] };
  const mixed = { id: 'gate', profiles: [sub, main265] };
  const rtsp = (id: string, over: Partial<PlanDestination> = {}) =>
    dest(id, { url: `rtsp://${id}.example/{cameraId}`, ...over });
  const outputsOf = (plan: ReturnType<typeof planRelay>) =>
    plan.ingests.map((i) => [i.cameraId, i.profileToken, i.outputs.map((o) => o.destinationId), i.record]);

  it('knows which containers carry which codec', () => {
    expect(carries('rtmp', 'H264', ff51)).toBe(true);
    expect(carries('rtmp', 'H265', ff51)).toBe(false);
    expect(carries('rtmps', 'H265', ff51)).toBe(false);
    expect(carries('rtmp', 'H265', ff61)).toBe(true);
    expect(carries('rtmp', 'MJPEG', ff61)).toBe(false);
    for (const p of ['rtsp', 'rtsps', 'srt']) expect(carries(p, 'H265', ff51), p).toBe(true);
  });

  it('leaves an H.265-only camera out of an RTMP destination with the reason, and sends its other destinations', () => {
    const plan = planRelay([only265], [dest('national'), rtsp('province')], 's', undefined, true, ff51);
    expect(outputsOf(plan)).toEqual([['yard', 'main265', ['province'], true]]);
    expect(plan.unsent).toEqual([
      {
        cameraId: 'yard',
        destinationId: 'national',
        reason: { code: 'codec-container', codec: 'H265', protocol: 'rtmp', ffmpeg: '5.1' },
      },
    ]);
    expect(mismatchParams(plan.unsent[0]!.reason)).toEqual({
      codec: 'H.265',
      protocol: 'RTMP',
      ffmpeg: '5.1',
    });
    expect(plan.warnings).toEqual([]);
  });

  it('pulls nothing for a camera whose only destination cannot take it, with recording off', () => {
    const plan = planRelay([only265], [dest('national')], 's', undefined, false, ff51);
    expect(plan.ingests).toEqual([]);
    expect(plan.unsent.map((u) => u.destinationId)).toEqual(['national']);
    expect(plan.uplinkKbps).toBe(0);
  });

  it('sends H.265 over RTMP where ffmpeg writes HEVC in FLV (6.1, enhanced RTMP)', () => {
    const plan = planRelay([only265], [dest('national'), rtsp('province')], 's', undefined, true, ff61);
    expect(outputsOf(plan)).toEqual([['yard', 'main265', ['national', 'province'], true]]);
    expect(plan.unsent).toEqual([]);
  });

  it('moves the whole camera to its H.264 profile when an RTMP destination needs it: one pull', () => {
    const plan = planRelay([mixed], [dest('national'), rtsp('province')], 's', undefined, true, ff51);
    // The RTSP destination and the recording follow the RTMP one to the H.264 sub-stream.
    expect(outputsOf(plan)).toEqual([['gate', 'sub', ['national', 'province'], true]]);
    expect(plan.unsent).toEqual([]);
    expect(plan.uplinkKbps).toBe(1024);
  });

  it('keeps the H.265 main stream where no destination needs another', () => {
    const plan = planRelay(
      [mixed],
      [rtsp('province'), dest('ioc', { url: 'srt://ioc:9000' })],
      's',
      0,
      true,
      ff51,
    );
    expect(outputsOf(plan)).toEqual([['gate', 'main265', ['province', 'ioc'], true]]);
  });

  it('leaves a destination that wants the sub-stream where it is, and moves nothing else for it', () => {
    const plan = planRelay(
      [mixed],
      [dest('national', { profile: 'sub' }), rtsp('province')],
      's',
      undefined,
      true,
      ff51,
    );
    expect(outputsOf(plan).sort()).toEqual([
      ['gate', 'main265', ['province'], true],
      ['gate', 'sub', ['national'], false],
    ]);
  });

  it('lets a transcoding destination take H.265 (it encodes H.264 itself)', () => {
    const transcode = { codec: 'h264' as const, bitrateKbps: 800 };
    const plan = planRelay([only265], [dest('national', { transcode })], 's', undefined, false, ff51);
    expect(outputsOf(plan)).toEqual([['yard', 'main265', ['national'], false]]);
    expect(plan.unsent).toEqual([]);
  });

  it('names MJPEG too, and still says "no usable stream" for a camera with no stream at all', () => {
    const jpeg = { id: 'door', profiles: [profile('jpeg', 640, 480, 2000, 'MJPEG')] };
    const plan = planRelay(
      [jpeg, { id: 'dead', profiles: [] }],
      [dest('national')],
      's',
      undefined,
      false,
      ff61,
    );
    expect(plan.unsent.map((u) => [u.cameraId, u.reason.codec, u.reason.ffmpeg])).toEqual([
      ['door', 'MJPEG', '6.1'],
    ]);
    expect(plan.warnings).toEqual(['camera dead has no usable stream for destination national']);
  });

  it('checks no codec without muxers (the survey estimate, which knows no ffmpeg)', () => {
    const plan = planRelay([only265], [dest('national')], 's');
    expect(outputsOf(plan)).toEqual([['yard', 'main265', ['national'], false]]);
    expect(plan.unsent).toEqual([]);
  });
});
