// Everything a camera's replies are computed from: its spec with defaults applied, identity, addresses,
// clock and profiles. One per camera, shared by the SOAP handlers, snapshot and discovery.
import { identity } from './identity.ts';
import type { Identity } from './identity.ts';
import { PERSONALITIES } from './personalities.ts';
import type { PersonalityDef, ProfileDef } from './personalities.ts';
import type { CallFailure, CameraNet, SimCameraSpec } from './types.ts';
import { RoundLog } from './rounds.ts';

export type ResolvedSpec = Required<Omit<SimCameraSpec, 'serial' | 'lockoutAfter'>> & {
  lockoutAfter: number | undefined;
  serial: string | undefined;
};

export function resolveSpec(spec: SimCameraSpec): ResolvedSpec {
  const p = PERSONALITIES[spec.personality];
  const behaviour = spec.behaviour ?? 'camera';
  return {
    id: spec.id,
    personality: spec.personality,
    username: spec.username ?? 'admin',
    password: spec.password ?? 'Secret-123',
    clockSkewSeconds: spec.clockSkewSeconds ?? 0,
    auth: spec.auth ?? 'either',
    xaddrStyle: spec.xaddrStyle ?? 'normal',
    streamUriHost: spec.streamUriHost ?? 'correct',
    media2: spec.media2 ?? p.defaultMedia2,
    codec: spec.codec ?? 'h264',
    discoverable: spec.discoverable ?? true,
    // No encoder for cameras whose ONVIF side is broken anyway, unless asked for.
    rtsp: spec.rtsp ?? behaviour === 'camera',
    rtspAuth: spec.rtspAuth ?? false,
    lockoutAfter: spec.lockoutAfter ?? p.defaultLockout,
    behaviour,
    serial: spec.serial,
    responseDelayMs: spec.responseDelayMs ?? 0,
    preAuth: spec.preAuth ?? true,
  };
}

export function httpBase(host: string, port: number): string {
  return port === 80 ? `http://${host}` : `http://${host}:${port}`;
}

export class CameraModel {
  readonly p: PersonalityDef;
  readonly spec: ResolvedSpec;
  readonly id: Identity;
  readonly net: CameraNet;
  onvifPort = 0;
  rtspPort = 0;
  /** Operations made to fail (SimCamera.failCall). */
  readonly failing = new Map<string, CallFailure>();
  /** The SOAP requests received, by round (SimCamera.requests). */
  readonly rounds = new RoundLog();
  private skewMs: number;

  constructor(spec: SimCameraSpec, net: CameraNet) {
    this.spec = resolveSpec(spec);
    this.p = PERSONALITIES[this.spec.personality];
    this.net = net;
    this.id = identity(this.p, net.siteTag, net.index, this.spec.serial);
    this.skewMs = this.spec.clockSkewSeconds * 1000;
  }

  /** The camera's clock. */
  now(): Date {
    return new Date(Date.now() + this.skewMs);
  }

  setClockSkew(seconds: number): void {
    this.skewMs = seconds * 1000;
  }

  get host(): string {
    return this.net.host;
  }

  /** The host the camera believes it has: its XAddrs and service URLs name it. */
  get advertisedHost(): string {
    return this.spec.xaddrStyle === 'wrong-host' ? this.net.wrongHost : this.net.host;
  }

  /** Base URL of the ONVIF server as the camera reports it. */
  get advertisedBase(): string {
    return httpBase(this.advertisedHost, this.onvifPort);
  }

  get onvifUrl(): string {
    return httpBase(this.host, this.onvifPort) + this.p.devicePath;
  }

  get snapshotUrl(): string {
    return httpBase(this.host, this.onvifPort) + this.p.snapshotPath;
  }

  /** Profiles the camera has (Media2-only ones only when Media2 is on). */
  get profiles(): ProfileDef[] {
    if (this.spec.codec !== 'h264') {
      // Every H.264 profile (h265-main: the main one) becomes H.265; the vendor's extra Media2-only
      // H.265 one (whose mount is really H.264) and MJPEG go.
      const all = this.spec.codec === 'h265';
      return this.p.profiles
        .filter((x) => x.encoding === 'H264' && x.media1)
        .map((x) =>
          all || x.mount === 'main' ? { ...x, encoding: 'H265' as const, media1: false, media2: true } : x,
        );
    }
    return this.p.profiles.filter((x) => x.media1 || this.spec.media2);
  }

  profile(token: string | undefined): ProfileDef | undefined {
    return this.profiles.find((x) => x.token === token);
  }

  rtspPath(mount: 'main' | 'sub' | 'jpeg'): string {
    return `/${encodeURIComponent(this.spec.id)}/${mount}`;
  }

  rtspUrl(mount: 'main' | 'sub' | 'jpeg'): string {
    return `rtsp://${this.host}:${this.rtspPort}${this.rtspPath(mount)}`;
  }

  /** Stream URI as the camera reports it, wrong host / credentials included per spec.streamUriHost. */
  reportedStreamUri(prof: ProfileDef): string {
    const s = this.spec;
    let host = this.host;
    if (s.streamUriHost === 'zero') host = '0.0.0.0';
    if (s.streamUriHost === 'loopback-wrong') host = this.net.wrongLoopback;
    if (s.streamUriHost === 'credentials') {
      host = `${encodeURIComponent(s.username)}:${encodeURIComponent(s.password)}@${host}`;
    }
    // Axis and gSOAP boards leave the default port out.
    const omitPort = this.rtspPort === 554 && (this.p.name === 'axis' || this.p.name === 'noname');
    const hostPort = omitPort ? host : `${host}:${this.rtspPort}`;
    return `rtsp://${hostPort}${this.rtspPath(prof.mount)}${this.p.streamQuery(prof)}`;
  }

  /** Scopes as in the vendor's probe replies. */
  scopes(): string[] {
    const media2 = this.spec.media2 ? ['onvif://www.onvif.org/Profile/T'] : [];
    const mac = this.id.mac;
    switch (this.p.name) {
      case 'hikvision':
        return [
          'onvif://www.onvif.org/type/video_encoder',
          'onvif://www.onvif.org/Profile/Streaming',
          ...media2,
          `onvif://www.onvif.org/MAC/${mac}`,
          'onvif://www.onvif.org/hardware/DS-2CD2012-I',
          'onvif://www.onvif.org/name/HIKVISION%20DS-2CD2012-I',
          'onvif://www.onvif.org/location/city/hangzhou',
        ];
      case 'dahua':
        return [
          'onvif://www.onvif.org/location/country/china',
          'onvif://www.onvif.org/name/Dahua',
          `onvif://www.onvif.org/hardware/${this.p.model}`,
          'onvif://www.onvif.org/Profile/Streaming',
          ...media2,
          'onvif://www.onvif.org/type/Network_Video_Transmitter',
          'onvif://www.onvif.org/extension/unique_identifier',
        ];
      case 'axis':
        return [
          'onvif://www.onvif.org/type/video_encoder',
          'onvif://www.onvif.org/type/audio_encoder',
          'onvif://www.onvif.org/hardware/Q6045-E',
          'onvif://www.onvif.org/name/AXIS%20Q6045-E',
          'onvif://www.onvif.org/location/ANY',
        ];
      case 'noname':
        return [
          'onvif://www.onvif.org/Profile/Streaming',
          'onvif://www.onvif.org/Model/631GA',
          'onvif://www.onvif.org/Name/IPCAM',
          'onvif://www.onvif.org/location/country/china',
        ];
    }
  }
}
