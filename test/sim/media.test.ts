// Real video: the RTSP servers serve H.264 (and Axis' MJPEG) at exactly the sizes GetProfiles
// advertises, restart on the same port, and stop() leaves no process or port behind.
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSite } from './site.ts';
import type { SimCamera, SimSite } from './site.ts';
import { ffprobe, NS_MEDIA, op, soap, wsSecurity, cameraUtc } from './test-clients.ts';

let site: SimSite;
const cam = (id: string): SimCamera => {
  const c = site.cameras.find((x) => x.spec.id === id);
  if (!c) throw new Error(id);
  return c;
};

/** rtsp_server.py processes of this site, found by the address they were told to bind. */
function rtspServers(hosts: string[]): string[] {
  return hosts.flatMap((h) => {
    try {
      return execFileSync('pgrep', ['-f', `rtsp_server.py --address ${h} `], { encoding: 'utf8' })
        .trim()
        .split('\n');
    } catch {
      return []; // pgrep exits 1 when nothing matches
    }
  });
}

function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

async function advertised(c: SimCamera): Promise<{ width: number; height: number; fps: number }[]> {
  const t = await soap(c.onvifUrl, op('GetSystemDateAndTime'));
  const header = wsSecurity('admin', 'Secret-123', cameraUtc(t.body));
  const r = await soap(c.onvifUrl, op('GetProfiles', NS_MEDIA), header);
  return [
    ...r.body.matchAll(/<tt:Width>(\d+)<\/tt:Width>\s*<tt:Height>(\d+)<[\s\S]*?<tt:FrameRateLimit>(\d+)</g),
  ].map((m) => ({ width: Number(m[1]), height: Number(m[2]), fps: Number(m[3]) }));
}

beforeAll(async () => {
  site = await startSite({
    cameras: [
      { id: 'hik-video', personality: 'hikvision' },
      { id: 'axis-video', personality: 'axis' },
      { id: 'hik-h265', personality: 'hikvision', codec: 'h265' },
      { id: 'hik-mixed', personality: 'hikvision', codec: 'h265-main' },
    ],
  });
});
afterAll(() => site?.stop());

describe('RTSP', () => {
  it('ffprobe over TCP sees H.264 main at the advertised size once the site has started', async () => {
    const c = cam('hik-video');
    const [stream] = await ffprobe(c.rtspUrl('main'), 'tcp');
    const [main] = await advertised(c);
    expect(stream?.codec_name).toBe('h264');
    expect(stream?.profile).toBe('Main');
    expect({ width: stream?.width, height: stream?.height }).toEqual({
      width: main?.width,
      height: main?.height,
    });
    expect(stream?.r_frame_rate).toBe(`${main?.fps}/1`);
  });

  it('the sub stream plays over UDP at the advertised size', async () => {
    const c = cam('hik-video');
    const [stream] = await ffprobe(c.rtspUrl('sub'), 'udp');
    const [, sub] = await advertised(c);
    expect(stream).toMatchObject({ codec_name: 'h264', width: sub?.width, height: sub?.height });
  });

  it("Axis' MJPEG profile is real MJPEG, at the URI GetStreamUri gives", async () => {
    const c = cam('axis-video');
    const t = await soap(c.onvifUrl, op('GetSystemDateAndTime'));
    const header = wsSecurity('admin', 'Secret-123', cameraUtc(t.body));
    const r = await soap(
      c.onvifUrl,
      op('GetStreamUri', NS_MEDIA, '<ProfileToken>profile_1_jpeg</ProfileToken>'),
      header,
    );
    const uri = (/<tt:Uri>([^<]*)</.exec(r.body)?.[1] ?? '').replace(/&amp;/g, '&');
    expect(uri).toContain('/axis-video/jpeg?profile=profile_1_jpeg');
    const [stream] = await ffprobe(uri, 'tcp');
    expect(stream).toMatchObject({ codec_name: 'mjpeg', width: 640, height: 360 });
  });

  it('an H.265-only camera serves real H.265 and lists its profiles through Media2 only', async () => {
    const c = cam('hik-h265');
    expect(await advertised(c)).toEqual([]);
    expect(c.profiles.map((p) => [p.encoding, p.media1, p.media2])).toEqual([
      ['H265', false, true],
      ['H265', false, true],
    ]);
    const [stream] = await ffprobe(c.rtspUrl('main'), 'tcp');
    expect(stream).toMatchObject({ codec_name: 'hevc', width: 1280, height: 720 });
  });

  it('an H.265 main / H.264 sub camera serves each codec on its mount; Media1 lists only the H.264 one', async () => {
    const c = cam('hik-mixed');
    expect((await advertised(c)).map((p) => p.width)).toEqual([640]);
    expect(c.profiles.map((p) => [p.token, p.encoding, p.media1, p.media2])).toEqual([
      ['Profile_1', 'H265', false, true],
      ['Profile_2', 'H264', true, true],
    ]);
    const [main] = await ffprobe(c.rtspUrl('main'), 'tcp');
    const [sub] = await ffprobe(c.rtspUrl('sub'), 'tcp');
    expect(main).toMatchObject({ codec_name: 'hevc', width: 1280, height: 720 });
    expect(sub).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
  });

  it('stopRtsp kills the server while ONVIF keeps answering; startRtsp brings it back on the same port', async () => {
    const c = cam('hik-video');
    await c.stopRtsp();
    expect(rtspServers([c.host])).toHaveLength(0);
    await expect(ffprobe(c.rtspUrl('main'))).rejects.toThrow(/refused/i);
    expect((await soap(c.onvifUrl, op('GetSystemDateAndTime'))).status).toBe(200);
    await c.startRtsp();
    expect(rtspServers([c.host])).toHaveLength(1);
    const [stream] = await ffprobe(c.rtspUrl('main'));
    expect(stream?.codec_name).toBe('h264');
  });
});

describe('stop()', () => {
  it('leaves no process and no listening port behind', async () => {
    const hosts = site.cameras.map((c) => c.host);
    expect(rtspServers(hosts)).toHaveLength(4);
    await site.stop();
    expect(rtspServers(hosts)).toHaveLength(0);
    for (const c of site.cameras) {
      expect(await refused(c.host, c.onvifPort)).toBe(true);
      expect(await refused(c.host, c.rtspPort)).toBe(true);
    }
  });
});
