// What the survey of the simulated site (site.ts) must say, whatever the format.
import { expect } from 'vitest';
import type { SurveyReport } from '../../src/report/model.ts';
import type { SurveySite } from './site.ts';

export type Report = SurveyReport & { lang: string };

export function cameraOf(r: Report, s: SurveySite, simId: string) {
  const host = s.cam(simId).host;
  const port = s.cam(simId).onvifPort;
  const c = r.cameras.find((x) => x.address === host && x.port === port);
  expect(c, simId).toBeDefined();
  return c!;
}

export function expectSiteReport(r: Report, s: SurveySite): void {
  expect(r.site).toEqual({ id: 'khu-cach-ly-a', name: 'Khu cách ly A' });
  expect(r.technician).toBe('Nguyễn Văn An');
  const ok = cameraOf(r, s, 'hik-ok');
  expect(ok).toMatchObject({ id: 'hik-ok', verdict: 'warn', onvif: true, auth: 'ws-security', rtsp: 'ok' });
  // A slow snapshot on a loaded machine may add a warning; the clock one is always there.
  expect(ok.manufacturer).toBe('HIKVISION');
  expect(ok.mac).toBe(s.cam('hik-ok').mac);
  expect(ok.clockSkewSeconds).toBeLessThan(-3500);
  expect(ok.warnings.map((w) => w.step)).toContain('time');
  expect(ok.profiles.find((p) => p.main)).toMatchObject({
    encoding: 'H264',
    width: 1280,
    height: 720,
    fps: 15,
  });
  expect(ok.measured).toMatchObject({ codec: 'H264', width: 1280, height: 720 });
  expect(ok.password).toEqual({ status: 'not-default', attempts: 2, why: null });

  const dflt = cameraOf(r, s, 'dahua-default');
  expect(dflt.password).toEqual({ status: 'default', attempts: 2, why: null });
  expect(dflt).toMatchObject({ manufacturer: 'Dahua', rtsp: 'ok' });
  expect(dflt.verdict).not.toBe('fail');

  const wrong = cameraOf(r, s, 'wrongpw');
  expect(wrong).toMatchObject({ id: 'wrongpw', verdict: 'fail' });
  expect(wrong.problem).toMatchObject({ step: 'auth', reason: { key: 'survey.reason.auth.rejected' } });
  expect(wrong.password).toEqual({ status: 'not-checked', attempts: 0, why: 'login-rejected' });

  const locked = cameraOf(r, s, 'locked');
  expect(locked.problem).toMatchObject({ step: 'auth', fix: { key: 'hint.auth.locked' } });
  expect(locked.password).toEqual({ status: 'not-checked', attempts: 0, why: 'locked' });

  const norstp = cameraOf(r, s, 'norstp');
  expect(norstp).toMatchObject({ verdict: 'fail', rtsp: 'failed', problem: { step: 'rtsp' } });

  const offline = r.cameras.find((c) => c.id === 'offline')!;
  expect(offline).toMatchObject({ verdict: 'fail', onvif: null, problem: { step: 'tcp' } });
  expect(offline.password.why).toBe('unreachable');

  expect(r.cameras).toHaveLength(6);
  expect(r.ignored.map((i) => i.address)).toEqual([s.cam('notcam').host]);
  // Two destinations, both on main streams of the 2 usable cameras: 2 x 2 x 1536 kbit/s > 4000.
  expect(r.uplink).toMatchObject({ configuredKbps: 4000, neededKbps: 6144, fits: false });
  expect(r.recommendations.map((m) => m.key)).toEqual(
    expect.arrayContaining(['survey.rec.fixFailed', 'survey.rec.password.default', 'survey.rec.useSub']),
  );
}
