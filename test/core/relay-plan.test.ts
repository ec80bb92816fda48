import { describe, expect, it } from 'vitest';
import type { MediaProfile } from '../../src/core/camera.ts';
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
