// Media (ver10) replies edited from the vendor captures, and Media2 (ver20) replies in the vendor's
// envelope. Encoder values always match what rtsp_server.py serves for that profile's mount.
import { invalidArg, wrap } from './envelopes.ts';
import { fixture } from './fixtures.ts';
import type { CameraModel } from './model.ts';
import type { ProfileDef } from './personalities.ts';
import type { Personality } from './types.ts';
import { elementText, elementTexts, escapeXml, findBlocks, mapBlocks, setElementText } from './xml.ts';
import { vendorReply } from './device-responses.ts';

const PROFILES_FIXTURE: Record<Personality, string> = {
  hikvision: 'hikvision_ds-2cd2012-i_GetProfiles.xml',
  // No Dahua IPC capture exists; the Dahua NVR one has the same envelope and profile layout.
  dahua: 'dahua_nvr-36-profiles_GetProfiles-empty-video-encoder.xml',
  axis: 'axis_q6045-e_GetProfiles.xml',
  noname: 'agsh-mockup_360vision-predator-derived_GetProfiles.xml',
};

const STREAM_FIXTURE: Record<Personality, string> = {
  hikvision: 'hikvision_ds-2cd2012-i_GetStreamUri.xml',
  dahua: 'dahua_ipc-unknown_GetStreamUri.xml',
  axis: 'axis_q6045-e_GetStreamUri.xml',
  noname: 'agsh-mockup_360vision-predator-derived_GetStreamUri.xml',
};

// Dahua's NVR capture leaves VideoEncoderConfiguration empty; a working channel has this content.
const DAHUA_ENCODER =
  '\n          <tt:Encoding>H264</tt:Encoding>\n          <tt:Resolution><tt:Width>0</tt:Width><tt:Height>0</tt:Height></tt:Resolution>' +
  '\n          <tt:Quality>4</tt:Quality>\n          <tt:RateControl><tt:FrameRateLimit>0</tt:FrameRateLimit>' +
  '<tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>0</tt:BitrateLimit></tt:RateControl>' +
  '\n          <tt:H264><tt:GovLength>0</tt:GovLength><tt:H264Profile>Main</tt:H264Profile></tt:H264>' +
  '\n          <tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type><tt:IPv4Address>224.1.2.4</tt:IPv4Address></tt:Address>' +
  '<tt:Port>40008</tt:Port><tt:TTL>64</tt:TTL><tt:AutoStart>false</tt:AutoStart></tt:Multicast>' +
  '\n          <tt:SessionTimeout>PT60S</tt:SessionTimeout>';

function fillEncoder(ve: string, prof: ProfileDef): string {
  let b = ve.replace(/^(<[^>]*\stoken=")[^"]*(")/, `$1${prof.encoderToken}$2`);
  b = setElementText(b, 'Name', escapeXml(prof.encoderName), 1);
  if (!/<(?:[\w.-]+:)?Encoding>/.test(b)) b = b.replace(/(<\/(?:[\w.-]+:)?UseCount>)/, `$1${DAHUA_ENCODER}`);
  b = setElementText(b, 'Encoding', prof.encoding);
  b = setElementText(b, 'Width', String(prof.width));
  b = setElementText(b, 'Height', String(prof.height));
  b = setElementText(b, 'FrameRateLimit', String(prof.fps));
  b = setElementText(b, 'BitrateLimit', String(prof.bitrateKbps));
  b = setElementText(b, 'GovLength', String(prof.govLength));
  b = setElementText(b, 'H264Profile', prof.h264Profile);
  if (prof.encoding === 'JPEG') b = mapBlocks(b, 'H264', () => '');
  return b;
}

function profileBlock(template: string, prof: ProfileDef): string {
  let b = template.replace(/^(<[^>]*\stoken=")[^"]*(")/, `$1${prof.token}$2`);
  b = setElementText(b, 'Name', escapeXml(prof.name), 1);
  // The sensor delivers the main stream's size.
  b = mapBlocks(b, 'Bounds', (t) =>
    t.replace(/width="\d+"/, 'width="1280"').replace(/height="\d+"/, 'height="720"'),
  );
  return mapBlocks(b, 'VideoEncoderConfiguration', (ve) => fillEncoder(ve, prof));
}

export function getProfiles(m: CameraModel, single?: ProfileDef): string {
  const xml = fixture(PROFILES_FIXTURE[m.p.name]);
  const blocks = findBlocks(xml, 'Profiles');
  const first = blocks[0];
  const last = blocks[blocks.length - 1];
  if (!first || !last) throw new Error('fixture without profiles');
  const sep = blocks[1] ? xml.slice(first.end, blocks[1].start) : '\n      ';
  const profs = single ? [single] : m.profiles.filter((x) => x.media1);
  const out = profs.map((prof) => profileBlock((blocks[prof.template] ?? first).text, prof)).join(sep);
  const reply = xml.slice(0, first.start) + out + xml.slice(last.end);
  if (!single) return reply;
  return reply
    .replace(/GetProfilesResponse>/g, 'GetProfileResponse>')
    .replace(/<(\/?[\w.-]+:)Profiles\b/g, '<$1Profile');
}

/** Uri element text; 'whitespace' cameras wrap it in a newline and indentation. */
function uriText(m: CameraModel, uri: string): string {
  const text = escapeXml(uri);
  return m.spec.streamUriHost === 'whitespace' ? `\n                    ${text}\n                ` : text;
}

export function noProfile(m: CameraModel, token: string | undefined): string {
  return invalidArg(m.p.name, 'ter:NoProfile', `Profile token ${token ?? '(none)'} does not exist`);
}

export function getStreamUri(m: CameraModel, prof: ProfileDef): string {
  if (m.p.name === 'dahua' && m.spec.streamUriHost === 'whitespace') {
    // Dahua's pretty-printed reply: newline and spaces before the URI, none after.
    const xml = fixture('dahua_ipc-unknown_GetStreamUri-pretty-whitespace-uri.xml');
    return xml.replace(/(<tt:Uri>\s*)[^<\s][^<]*(<\/tt:Uri>)/, `$1${escapeXml(m.reportedStreamUri(prof))}$2`);
  }
  return setElementText(fixture(STREAM_FIXTURE[m.p.name]), 'Uri', uriText(m, m.reportedStreamUri(prof)));
}

export function getSnapshotUri(m: CameraModel): string {
  const url = m.advertisedBase + m.p.snapshotPath;
  return setElementText(vendorReply(m, 'GetSnapshotUri'), 'Uri', escapeXml(url));
}

/** Media1 GetVideoSources: the one sensor, at the main stream's size and rate (the onvif package reads it at connect). */
export function getVideoSources(m: CameraModel): string {
  const main = m.profiles.find((x) => x.media1 && x.mount === 'main') ?? m.profiles[0];
  const fps = main?.fps ?? 15;
  return wrap(
    m.p.name,
    '<trt:GetVideoSourcesResponse><trt:VideoSources token="VideoSource_1">' +
      `<tt:Framerate>${fps}</tt:Framerate><tt:Resolution><tt:Width>1280</tt:Width><tt:Height>720</tt:Height>` +
      '</tt:Resolution></trt:VideoSources></trt:GetVideoSourcesResponse>',
  );
}

function media2Profile(m: CameraModel, prof: ProfileDef, types: string[]): string {
  const all = types.includes('All');
  const confs: string[] = [];
  if (all || types.includes('VideoSource')) {
    confs.push(
      '<tr2:VideoSource token="VideoSourceToken"><tt:Name>VideoSourceConfig</tt:Name><tt:UseCount>3</tt:UseCount>' +
        '<tt:SourceToken>VideoSource_1</tt:SourceToken><tt:Bounds x="0" y="0" width="1280" height="720"/></tr2:VideoSource>',
    );
  }
  if (all || types.includes('VideoEncoder')) {
    const gov =
      prof.encoding === 'JPEG' ? '' : ` GovLength="${prof.govLength}" Profile="${prof.h264Profile}"`;
    confs.push(
      `<tr2:VideoEncoder token="${prof.encoderToken}"${gov}><tt:Name>${escapeXml(prof.encoderName)}</tt:Name>` +
        `<tt:UseCount>1</tt:UseCount><tt:Encoding>${prof.encoding}</tt:Encoding>` +
        `<tt:Resolution><tt:Width>${prof.width}</tt:Width><tt:Height>${prof.height}</tt:Height></tt:Resolution>` +
        `<tt:RateControl ConstantBitRate="false"><tt:FrameRateLimit>${prof.fps}</tt:FrameRateLimit>` +
        `<tt:BitrateLimit>${prof.bitrateKbps}</tt:BitrateLimit></tt:RateControl>` +
        '<tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type><tt:IPv4Address>0.0.0.0</tt:IPv4Address></tt:Address>' +
        '<tt:Port>0</tt:Port><tt:TTL>1</tt:TTL><tt:AutoStart>false</tt:AutoStart></tt:Multicast>' +
        `<tt:Quality>4</tt:Quality></tr2:VideoEncoder>`,
    );
  }
  const c = confs.length ? `<tr2:Configurations>${confs.join('')}</tr2:Configurations>` : '';
  return `<tr2:Profiles token="${prof.token}" fixed="true"><tr2:Name>${escapeXml(prof.name)}</tr2:Name>${c}</tr2:Profiles>`;
}

export function media2GetProfiles(m: CameraModel, body: string): string {
  const token = elementText(body, 'Token');
  const types = elementTexts(body, 'Type').flatMap((t) => t.split(/\s+/));
  const profs = m.profiles.filter((x) => x.media2 && (token === undefined || x.token === token));
  if (token !== undefined && profs.length === 0) return noProfile(m, token);
  const inner = profs.map((x) => media2Profile(m, x, types)).join('');
  return wrap(m.p.name, `<tr2:GetProfilesResponse>${inner}</tr2:GetProfilesResponse>`);
}

const MEDIA2_PROTOCOLS = ['RTSP', 'RtspUnicast', 'RtspOverHttp', 'RtspMulticast'];

export function media2GetStreamUri(m: CameraModel, body: string): string {
  const protocol = elementText(body, 'Protocol') ?? 'RTSP';
  const prof = m.profiles.find((x) => x.media2 && x.token === elementText(body, 'ProfileToken'));
  if (!prof) return noProfile(m, elementText(body, 'ProfileToken'));
  if (!MEDIA2_PROTOCOLS.includes(protocol)) {
    return invalidArg(m.p.name, 'ter:InvalidStreamSetup', `Protocol ${protocol} is not supported`);
  }
  const uri = uriText(m, m.reportedStreamUri(prof));
  return wrap(m.p.name, `<tr2:GetStreamUriResponse><tr2:Uri>${uri}</tr2:Uri></tr2:GetStreamUriResponse>`);
}

export function media2GetSnapshotUri(m: CameraModel): string {
  const uri = escapeXml(m.advertisedBase + m.p.snapshotPath);
  return wrap(m.p.name, `<tr2:GetSnapshotUriResponse><tr2:Uri>${uri}</tr2:Uri></tr2:GetSnapshotUriResponse>`);
}
