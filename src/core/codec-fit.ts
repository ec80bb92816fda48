// Whether a camera's codec can be stream-copied into a destination's container. Pure: the relay
// says what the installed ffmpeg can write (relay/ffmpeg-version.ts).
// RTMP carries FLV, whose classic codec ids know H.264 and not HEVC; ffmpeg writes HEVC to FLV
// only from 6.1 on (enhanced RTMP), and nginx-rtmp refuses even that (FIELD-NOTES: H.265 and RTMP).
// RTSP (RTP) and SRT (MPEG-TS) carry every codec a camera sends.

/** What the installed ffmpeg's muxers can write. */
export interface Muxers {
  /** Its version, for the reason shown when a stream cannot go somewhere ("5.1"). */
  ffmpeg: string;
  /** FLV with HEVC (enhanced RTMP): ffmpeg 6.1 and later. */
  hevcInFlv: boolean;
}

/** Why a destination gets nothing from a camera: its codec does not fit the destination's container. */
export interface CodecMismatch {
  code: 'codec-container';
  /** As the camera names it: H265, MJPEG, MPEG4. */
  codec: string;
  /** The destination's protocol: rtmp, rtmps. */
  protocol: string;
  ffmpeg: string;
}

const FLV = new Set(['rtmp', 'rtmps']);

/** Whether a stream copy of `codec` can be sent over `protocol` with these muxers. */
export function carries(protocol: string, codec: string | null, muxers: Muxers): boolean {
  if (!FLV.has(protocol)) return true;
  return codec === 'H264' || (codec === 'H265' && muxers.hevcInFlv);
}

/** How a codec is written for people: H.265 rather than H265. */
export function codecName(codec: string): string {
  return /^H26\d$/.test(codec) ? `H.${codec.slice(1)}` : codec;
}

/** The values a message about a mismatch is filled with (i18n key `relay.unsent.codec`). */
export function mismatchParams(r: CodecMismatch): { codec: string; protocol: string; ffmpeg: string } {
  return { codec: codecName(r.codec), protocol: r.protocol.toUpperCase(), ffmpeg: r.ffmpeg };
}
