// Media2 replies (no captured fixture has one): profiles with H.265, and stream URIs.
import { describe, expect, it } from 'vitest';
import { normaliseEncoding, parseProfiles, parseProfiles2 } from '../../src/onvif/parse/profiles.ts';
import { parseMediaUri } from '../../src/onvif/parse/stream-uri.ts';

const soap = (body: string, header = '') =>
  `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema"` +
  ` xmlns:tr2="http://www.onvif.org/ver20/media/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl">` +
  `<env:Header>${header}</env:Header><env:Body>${body}</env:Body></env:Envelope>`;

// Shape per the ONVIF schema (VideoEncoder2Configuration, VideoRateControl2): values are elements.
const encoder2 = (encoding: string, w: number, h: number, fps: number, kbps: number) =>
  `<tr2:VideoEncoder token="ve" GovLength="50" Profile="Main"><tt:Name>ve</tt:Name><tt:UseCount>1</tt:UseCount>` +
  `<tt:Encoding>${encoding}</tt:Encoding><tt:Resolution><tt:Width>${w}</tt:Width><tt:Height>${h}</tt:Height>` +
  `</tt:Resolution><tt:RateControl ConstantBitRate="false"><tt:FrameRateLimit>${fps}</tt:FrameRateLimit>` +
  `<tt:BitrateLimit>${kbps}</tt:BitrateLimit></tt:RateControl><tt:Quality>5</tt:Quality></tr2:VideoEncoder>`;

const profile2 = (token: string, name: string, configurations: string) =>
  `<tr2:Profiles token="${token}" fixed="true"><tr2:Name>${name}</tr2:Name>` +
  `<tr2:Configurations><tr2:VideoSource token="vs"/>${configurations}</tr2:Configurations></tr2:Profiles>`;

describe('parseProfiles2 (Media2)', () => {
  const xml = soap(
    '<tr2:GetProfilesResponse>' +
      profile2('Main', 'MainStream', encoder2('H265', 2560, 1440, 25, 4096)) +
      profile2('Sub', 'SubStream', encoder2('H264', 640, 360, 15, 512)) +
      profile2('Jpeg', 'Snapshot', encoder2('JPEG', 1280, 720, 1, 2048)) +
      // Attribute form, as some firmwares write it.
      profile2(
        'Attr',
        'AttrForm',
        '<tr2:VideoEncoder token="v4" Encoding="HEVC"><tt:Resolution><tt:Width>1920</tt:Width>' +
          '<tt:Height>1080</tt:Height></tt:Resolution><tt:RateControl FrameRateLimit="12.5" BitrateLimit="2000"/>' +
          '</tr2:VideoEncoder>',
      ) +
      profile2('Audio', 'AudioOnly', '') +
      '</tr2:GetProfilesResponse>',
  );

  it('reads encoders in document order, with H.265 visible', () => {
    expect(parseProfiles2(xml)).toEqual([
      {
        token: 'Main',
        name: 'MainStream',
        encoding: 'H265',
        width: 2560,
        height: 1440,
        fps: 25,
        bitrateKbps: 4096,
        streamUri: null,
      },
      {
        token: 'Sub',
        name: 'SubStream',
        encoding: 'H264',
        width: 640,
        height: 360,
        fps: 15,
        bitrateKbps: 512,
        streamUri: null,
      },
      {
        token: 'Jpeg',
        name: 'Snapshot',
        encoding: 'MJPEG',
        width: 1280,
        height: 720,
        fps: 1,
        bitrateKbps: 2048,
        streamUri: null,
      },
      {
        token: 'Attr',
        name: 'AttrForm',
        encoding: 'H265',
        width: 1920,
        height: 1080,
        fps: 12.5,
        bitrateKbps: 2000,
        streamUri: null,
      },
      {
        token: 'Audio',
        name: 'AudioOnly',
        encoding: null,
        width: null,
        height: null,
        fps: null,
        bitrateKbps: null,
        streamUri: null,
      },
    ]);
  });

  it('returns [] for an empty or missing profile list, and Media1 ignores Media2 configurations', () => {
    expect(parseProfiles2(soap('<tr2:GetProfilesResponse/>'))).toEqual([]);
    expect(parseProfiles(soap('<x/>'))).toEqual([]);
    expect(parseProfiles(xml).map((p) => p.encoding)).toEqual([null, null, null, null, null]);
  });

  it.each([
    ['H264', 'H264'],
    ['h264', 'H264'],
    ['H.265', 'H265'],
    ['HEVC', 'H265'],
    ['JPEG', 'MJPEG'],
    ['MJPEG', 'MJPEG'],
    ['MPEG4', 'MPEG4'],
    ['MPV4-ES', 'MPEG4'],
    ['SmartH264', 'SMARTH264'],
    [' ', null],
    [undefined, null],
  ])('normaliseEncoding(%s) = %s', (raw, expected) => {
    expect(normaliseEncoding(raw)).toBe(expected);
  });
});

describe('parseMediaUri', () => {
  it('reads a Media2 reply (Uri directly under the response)', () => {
    const xml = soap(
      '<tr2:GetStreamUriResponse><tr2:Uri>\n\t rtsp://10.0.0.5/h265 \n</tr2:Uri></tr2:GetStreamUriResponse>',
    );
    expect(parseMediaUri(xml)).toBe('rtsp://10.0.0.5/h265');
  });

  it('returns null for an empty or missing Uri', () => {
    expect(
      parseMediaUri(soap('<tr2:GetSnapshotUriResponse><tr2:Uri> </tr2:Uri></tr2:GetSnapshotUriResponse>')),
    ).toBeNull();
    expect(parseMediaUri(soap('<tr2:Other/>'))).toBeNull();
  });
});
