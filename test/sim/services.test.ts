// SOAP services of the simulated cameras: GetServices, Media and Media2 profiles, stream URI quirks, faults.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSite } from './site.ts';
import type { SimCamera, SimSite } from './site.ts';
import {
  findCamera,
  http,
  NS_MEDIA,
  NS_MEDIA2,
  op,
  signed,
  soap,
  soapBody,
  text,
  withDigest,
} from './test-clients.ts';

const GSDT = op('GetSystemDateAndTime');

let site: SimSite;
const cam = (id: string): SimCamera => findCamera(site, id);

beforeAll(async () => {
  site = await startSite({
    cameras: [
      { id: 'hik-1', personality: 'hikvision', clockSkewSeconds: -86_400 * 400, rtsp: false },
      {
        id: 'hik-digest',
        personality: 'hikvision',
        auth: 'http-digest',
        streamUriHost: 'credentials',
        rtsp: false,
      },
      {
        id: 'dahua-vn',
        personality: 'dahua',
        password: 'Mật-khẩu-Đà-Nẵng-9',
        streamUriHost: 'whitespace',
        rtsp: false,
      },
      { id: 'axis-1', personality: 'axis', auth: 'ws-security', streamUriHost: 'zero', rtsp: false },
      { id: 'nn-1', personality: 'noname', streamUriHost: 'loopback-wrong', rtsp: false },
    ],
  });
});
afterAll(() => site?.stop());

describe('SOAP services', () => {
  it('GetServices with and without capabilities; Media2 is listed on Hikvision', async () => {
    const c = cam('hik-1');
    const body = (b: boolean) => op('GetServices', undefined, `<IncludeCapability>${b}</IncludeCapability>`);
    const withCaps = await soap(c.onvifUrl, body(true), await signed(c));
    expect(withCaps.body).toContain(`<tds:Namespace>${NS_MEDIA2}</tds:Namespace>`);
    expect(withCaps.body).toContain('<tds:Capabilities>');
    expect(withCaps.body).toContain(`<tds:XAddr>http://${c.host}:${c.onvifPort}/onvif/Media2</tds:XAddr>`);
    const without = await soap(c.onvifUrl, body(false), await signed(c));
    expect(without.body).not.toContain('Capabilities');
    expect(without.body).toContain(`<tds:Namespace>${NS_MEDIA}</tds:Namespace>`);
  });

  it('Media2 shows one more profile than Media1: an H.265 sub-stream, and encoders match the spec', async () => {
    for (const id of ['hik-1', 'dahua-vn']) {
      const c = cam(id);
      const m1 = await soap(c.onvifUrl, op('GetProfiles', NS_MEDIA), await signed(c));
      const m2 = await soap(c.onvifUrl, op('GetProfiles', NS_MEDIA2, '<Type>All</Type>'), await signed(c));
      const count = (xml: string) => (xml.match(/<[\w.-]+:Profiles /g) ?? []).length;
      expect(count(m1.body), id).toBe(2);
      expect(count(m2.body), id).toBe(3);
      expect(m1.body).not.toContain('H265');
      expect(m2.body).toContain('<tt:Encoding>H265</tt:Encoding>');
      const main = c.profiles[0];
      expect(text(m1.body, 'Width')).toBe(String(main?.width));
      expect(text(m1.body, 'FrameRateLimit')).toBe(String(main?.fps));
    }
  });

  it('stream URIs carry the configured quirks', async () => {
    const uri = async (c: SimCamera, token: string) => {
      const r = await soap(
        c.onvifUrl,
        op('GetStreamUri', NS_MEDIA, `<ProfileToken>${token}</ProfileToken>`),
        await signed(c),
      );
      return /<(?:[\w.-]+:)?Uri>([^<]*)</.exec(r.body)?.[1] ?? '';
    };
    const hik = cam('hik-1');
    expect(await uri(hik, 'Profile_1')).toBe(
      `${hik.rtspUrl('main')}?transportmode=unicast&amp;profile=Profile_1`,
    );
    const dahua = cam('dahua-vn');
    expect(await uri(dahua, 'MediaProfile00001')).toMatch(
      new RegExp(`^\\n +rtsp://${dahua.host}:\\d+/dahua-vn/sub\\?channel=1`),
    );
    expect(await uri(cam('axis-1'), 'profile_1_h264')).toMatch(/^rtsp:\/\/0\.0\.0\.0(:\d+)?\/axis-1\/main\?/);
    const nn = await uri(cam('nn-1'), 'main');
    expect(nn).toMatch(/^rtsp:\/\/127\.\d+\.\d+\.251(:\d+)?\/nn-1\/main$/);
    const creds = await withDigest(cam('hik-digest').onvifUrl, 'admin', 'Secret-123', {
      body: soapBody(op('GetStreamUri', NS_MEDIA, '<ProfileToken>Profile_2</ProfileToken>')),
    });
    expect(creds.body).toContain(`rtsp://admin:Secret-123@${cam('hik-digest').host}:`);
  });

  it('unknown actions get ActionNotSupported, broken XML a WellFormed fault, unknown profiles NoProfile', async () => {
    const c = cam('axis-1');
    const unknown = await soap(c.onvifUrl, op('GetFooBar'), await signed(c));
    expect(unknown.status).toBe(500);
    expect(unknown.body).toContain('ter:ActionNotSupported');
    const broken = await http(c.onvifUrl, {
      body: '<s:Envelope><s:Body>' + randomBytes(50).toString('latin1'),
    });
    expect(broken.status).toBe(400);
    expect(broken.body).toContain('ter:WellFormed');
    const noProfile = await soap(
      c.onvifUrl,
      op('GetStreamUri', NS_MEDIA, '<ProfileToken>nope</ProfileToken>'),
      await signed(c),
    );
    expect(noProfile.body).toContain('ter:NoProfile');
    expect((await soap(c.onvifUrl, GSDT)).status).toBe(200);
  });

  it('Axis fails GetServices without IncludeCapability, as the captured firmware does', async () => {
    const c = cam('axis-1');
    const r = await soap(c.onvifUrl, op('GetServices'), await signed(c));
    expect(r.body).toContain('<SOAP-ENV:Value>ter:Action</SOAP-ENV:Value>');
  });

  it('GetScopes, GetSnapshotUri and identities: unique serials and endpoints (noname batch serial aside)', async () => {
    const c = cam('hik-1');
    const scopes = await soap(c.onvifUrl, op('GetScopes'), await signed(c));
    expect(scopes.body).toContain(`<tt:ScopeItem>onvif://www.onvif.org/MAC/${c.mac}</tt:ScopeItem>`);
    const snap = await soap(
      c.onvifUrl,
      op('GetSnapshotUri', NS_MEDIA, '<ProfileToken>Profile_1</ProfileToken>'),
      await signed(c),
    );
    expect(text(snap.body, 'Uri')).toBe(c.snapshotUrl);
    const named = site.cameras.filter((x) => x.spec.personality !== 'noname');
    expect(new Set(named.map((x) => x.serial)).size).toBe(named.length);
    expect(new Set(site.cameras.map((x) => x.endpointRef)).size).toBe(site.cameras.length);
  });
});
