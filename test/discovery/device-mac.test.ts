// The MAC of a device read over ONVIF (GetNetworkInterfaces): read for a device without a UUID (a
// scan hit), not for one WS-Discovery already identified, and never at the cost of the read itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUsable } from '../../src/core/device-report.ts';
import { probeDevice } from '../../src/onvif/probe-device.ts';
import { startSite, type SimSite } from '../sim/site.ts';

let site: SimSite;
const opts = {
  credentials: { username: 'admin', password: 'Secret-123' },
  timeoutMs: 1500,
  maxInFlight: 2,
};

beforeAll(async () => {
  site = await startSite({
    cameras: [
      { id: 'hik-1', personality: 'hikvision', rtsp: false },
      { id: 'dahua-1', personality: 'dahua', rtsp: false },
    ],
  });
});
afterAll(() => site?.stop());

describe('the MAC of a device read over ONVIF', () => {
  it('is read for a device found by the scan (no endpoint reference)', async () => {
    for (const c of site.cameras) {
      const r = await probeDevice({ onvifUrl: c.onvifUrl, source: 'scan' }, opts);
      expect([isUsable(r), r.mac], c.spec.id).toEqual([true, c.mac]);
    }
  });

  it('is not asked of a device WS-Discovery identified by its UUID', async () => {
    const c = site.cameras[0]!;
    c.failCall('GetNetworkInterfaces', 'fault');
    try {
      const r = await probeDevice(
        { onvifUrl: c.onvifUrl, endpointRef: c.endpointRef, source: 'discovery' },
        opts,
      );
      expect([isUsable(r), r.mac, r.notes.join()]).toEqual([true, null, '']);
    } finally {
      c.failCall('GetNetworkInterfaces', null);
    }
  });

  it.each(['fault', 'hang', 'forbidden'] as const)(
    'is left null when the camera refuses it (%s): the read goes on, no failed login counted',
    async (how) => {
      const c = site.cameras[1]!; // a Dahua: locks after 5 failed logins
      c.failCall('GetNetworkInterfaces', how);
      try {
        const r = await probeDevice({ onvifUrl: c.onvifUrl, source: 'scan' }, opts);
        expect([isUsable(r), r.error, r.mac]).toEqual([true, null, null]);
        expect(c.failedLogins()).toBe(0);
      } finally {
        c.failCall('GetNetworkInterfaces', null);
      }
    },
  );
});
