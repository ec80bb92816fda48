// Issue 12 item 7: how many of a slow camera's round trips a read takes, counted by the camera
// (test/sim/rounds.ts: a request's round is told by what it could have waited for, not by a
// clock), and what each round carries. Two rules bound it, and this test holds both:
// - nothing is signed before the camera's clock is known (a token signed on a wrong clock is a
//   failed login), so round 1 carries only unsigned calls: the clock and GetServices (PRE_AUTH);
// - until one signed call succeeded, it goes alone (two on a locked account would be two failed
//   logins where one is enough), so round 2 carries GetProfiles and nothing else.
// After that, two calls a round (discovery.maxInFlightPerCamera). The calls the read needs come
// first (GetDeviceInformation, the stream URIs, GetNetworkInterfaces where the MAC is needed); a
// discovery read asks the snapshot URI only in a free slot of their last round. A camera with three
// video profiles is then read in 4 rounds without it (5 where the caller wants it: the diagnose
// ladder, the survey); with two profiles, or three and a MAC to read, it fits in the last round.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeDevice, type ProbeOptions } from '../../src/onvif/probe-device.ts';
import { startSite, type SimCamera, type SimSite } from '../sim/site.ts';
import type { SimSoapRequest } from '../sim/types.ts';

// Each answer this late: requests sent side by side always arrive before either is answered.
const DELAY_MS = 800;
const opts: ProbeOptions = {
  credentials: { username: 'admin', password: 'Secret-123' },
  timeoutMs: 10_000,
  maxInFlight: 2,
};

let site: SimSite;
const cam = (id: string): SimCamera => site.cameras.find((c) => c.spec.id === id)!;

beforeAll(async () => {
  site = await startSite({
    cameras: [
      // Media2: Profile_1, Profile_2 and an H.265 profile, three video profiles.
      { id: 'hik', personality: 'hikvision', responseDelayMs: DELAY_MS, rtsp: false },
      // Media1: main and sub.
      { id: 'noname', personality: 'noname', responseDelayMs: DELAY_MS, rtsp: false },
      { id: 'dahua', personality: 'dahua', responseDelayMs: DELAY_MS, rtsp: false, lockoutAfter: 1 },
    ],
  });
}, 120_000);

afterAll(async () => {
  await site?.stop();
});

/** Reads the camera and returns the report, the rounds its requests fell in and its failed logins. */
async function read(c: SimCamera, endpointRef: string | null, o: ProbeOptions = opts) {
  const [seen, failed] = [c.requests().length, c.failedLogins()];
  const report = await probeDevice({ onvifUrl: c.onvifUrl, endpointRef, source: 'discovery' }, o);
  const requests = c.requests().slice(seen);
  const first = requests[0]?.round ?? 1;
  const rounds: SimSoapRequest[][] = [];
  for (const r of requests) (rounds[r.round - first] ??= []).push(r);
  // Signed calls are marked with a star; each round sorted, as side-by-side calls race.
  const names = rounds.map((r) => r.map((q) => q.action + (q.credentials ? '*' : '')).sort());
  return { report, rounds, names, failedLogins: c.failedLogins() - failed };
}

describe('round trips of a slow camera', () => {
  it('reads three video profiles in four rounds: the clock beside GetServices unsigned, GetProfiles signed alone, then two a round, without the snapshot URI', async () => {
    const c = cam('hik');
    const { report, rounds, names, failedLogins } = await read(c, c.endpointRef);

    expect(report.error).toBeNull();
    expect(report.profiles.filter((p) => p.streamUri)).toHaveLength(3);
    // Read on first use (the remote snapshot command), not at the cost of a fifth round.
    expect(report.snapshotUri).toBeNull();
    expect(report.notes.filter((n) => n.startsWith('snapshot:'))).toEqual([]);
    expect(report.info?.serial).toBe(c.serial);
    expect(failedLogins).toBe(0);

    expect(names[0]).toEqual(['GetServices', 'GetSystemDateAndTime']);
    expect(names[1]).toEqual(['GetProfiles*']);
    expect(rounds.map((r) => r.length)).toEqual([2, 1, 2, 2]);
    expect(names.slice(2).flat().sort()).toEqual([
      'GetDeviceInformation*',
      'GetStreamUri*',
      'GetStreamUri*',
      'GetStreamUri*',
    ]);
  }, 60_000);

  it("reads the snapshot URI of three video profiles in a fifth round where the caller needs it ('always': the ladder, the survey)", async () => {
    const c = cam('hik');
    const { report, rounds, names } = await read(c, c.endpointRef, { ...opts, snapshot: 'always' });

    expect(report.error).toBeNull();
    expect(report.snapshotUri).not.toBeNull();
    expect(rounds.map((r) => r.length)).toEqual([2, 1, 2, 2, 1]);
    expect(names[4]).toEqual(['GetSnapshotUri*']);
  }, 60_000);

  it('reads two video profiles in four rounds, the snapshot URI in the free slot of the fourth', async () => {
    const c = cam('noname');
    const { report, rounds, names } = await read(c, c.endpointRef);

    expect(report.error).toBeNull();
    expect(report.profiles.filter((p) => p.streamUri)).toHaveLength(2);
    expect(report.snapshotUri).not.toBeNull();
    expect(names[0]).toEqual(['GetServices', 'GetSystemDateAndTime']);
    expect(names[1]).toEqual(['GetProfiles*']);
    expect(rounds.map((r) => r.length)).toEqual([2, 1, 2, 2]);
    expect(names[3]).toContain('GetSnapshotUri*');
  }, 60_000);

  it('reads the MAC of three video profiles without a UUID in five rounds, the snapshot URI in the free slot of the fifth', async () => {
    const c = cam('hik');
    // As found by a subnet scan: no endpoint reference to identify it.
    const { report, rounds, names } = await read(c, null);

    expect(report.mac?.toLowerCase()).toBe(c.mac.toLowerCase());
    expect(report.snapshotUri).not.toBeNull();
    expect(rounds.map((r) => r.length)).toEqual([2, 1, 2, 2, 2]);
    expect(names.flat()).toContain('GetNetworkInterfaces*');
    expect(names[4]).toContain('GetSnapshotUri*');
  }, 60_000);

  it('sends a refused password twice in all, one signed request a round, around a clock re-read', async () => {
    const c = cam('hik');
    const wrong = { ...opts, credentials: { username: 'admin', password: 'Wrong-password-1' } };
    const { report, names, failedLogins } = await read(c, c.endpointRef, wrong);

    expect(report.error).toMatchObject({ step: 'auth', kind: 'not-authorized' });
    expect(failedLogins).toBe(2);
    expect(names).toEqual([
      ['GetServices', 'GetSystemDateAndTime'],
      ['GetProfiles*'],
      ['GetSystemDateAndTime'],
      ['GetProfiles*'],
    ]);
  }, 60_000);

  it('sends a locked account one signed request, however many calls the read has left', async () => {
    const c = cam('dahua');
    // A recorder with a stale password locks it (lockoutAfter 1).
    const stale = {
      ...opts,
      credentials: { username: 'admin', password: 'Stale-password-1' },
      resyncOnReject: false,
    };
    await read(c, c.endpointRef, stale);
    expect(c.locked()).toBe(true);

    const { report, names, failedLogins } = await read(c, c.endpointRef);
    expect(report.error).toMatchObject({ step: 'auth', kind: 'locked' });
    expect(failedLogins).toBe(1);
    expect(names).toEqual([['GetServices', 'GetSystemDateAndTime'], ['GetProfiles*']]);
  }, 60_000);
});
