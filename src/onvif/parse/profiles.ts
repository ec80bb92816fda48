// GetProfiles replies (Media1 and Media2) as MediaProfile[], in document order. Never assume profiles[0].
import type { MediaProfile } from '../../core/camera.ts';
import { attr, child, children, find, num } from '../xml.ts';
import type { XmlNode } from '../xml.ts';
import { soapResponse } from './envelope.ts';
import type { XmlSource } from './envelope.ts';

/** Media1 (trt): Profiles/VideoEncoderConfiguration. */
export function parseProfiles(xml: XmlSource): MediaProfile[] {
  return children(soapResponse(xml, 'GetProfilesResponse'), 'Profiles').map((p) =>
    toProfile(p, child(p, 'VideoEncoderConfiguration')),
  );
}

/** Media2 (tr2): Profiles/Configurations/VideoEncoder (VideoEncoder2Configuration). */
export function parseProfiles2(xml: XmlSource): MediaProfile[] {
  return children(soapResponse(xml, 'GetProfilesResponse'), 'Profiles').map((p) =>
    toProfile(p, find(p, ['Configurations', 'VideoEncoder'])),
  );
}

function toProfile(profile: XmlNode, encoder: XmlNode | undefined): MediaProfile {
  const rate = child(encoder, 'RateControl');
  return {
    token: attr(profile, 'token') ?? '',
    name: child(profile, 'Name')?.text ?? '',
    encoding: normaliseEncoding(child(encoder, 'Encoding')?.text || attr(encoder, 'Encoding')),
    width: positive(find(encoder, ['Resolution', 'Width'])),
    height: positive(find(encoder, ['Resolution', 'Height'])),
    fps: positive(child(rate, 'FrameRateLimit') ?? attr(rate, 'FrameRateLimit')),
    bitrateKbps: positive(child(rate, 'BitrateLimit') ?? attr(rate, 'BitrateLimit')),
    streamUri: null,
  };
}

/**
 * The ONVIF schema puts these values in elements (VideoRateControl2 included); attributes are
 * accepted too because some firmwares write them so. Zero means "unset/unlimited" on several
 * firmwares (Axis sends BitrateLimit 0), so anything not positive reads as unknown.
 */
function positive(v: XmlNode | string | undefined): number | null {
  const n = num(v);
  return n !== null && n > 0 ? n : null;
}

const ENCODINGS = new Map([
  ['H264', 'H264'],
  ['H.264', 'H264'],
  ['AVC', 'H264'],
  ['H265', 'H265'],
  ['H.265', 'H265'],
  ['HEVC', 'H265'],
  ['JPEG', 'MJPEG'],
  ['MJPEG', 'MJPEG'],
  ['MJPG', 'MJPEG'],
  ['MPEG4', 'MPEG4'],
  ['MPV4-ES', 'MPEG4'], // Media2 uses IANA media subtype names
  ['MP4V-ES', 'MPEG4'],
]);

/** 'H264', 'H265', 'MJPEG', 'MPEG4'; other names upper-cased as sent; null when empty. */
export function normaliseEncoding(raw: string | undefined): string | null {
  const s = (raw ?? '').trim().toUpperCase();
  return s === '' ? null : (ENCODINGS.get(s) ?? s);
}
