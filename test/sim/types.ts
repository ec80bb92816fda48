// Public types of the simulated camera site (re-exported by site.ts).

export type Personality = 'hikvision' | 'dahua' | 'axis' | 'noname';

export type Behaviour =
  'camera' | 'hang' | 'not-a-camera' | 'malformed-xml' | 'oversized-xml' | 'entity-xml' | 'html-401';

export interface SimCameraSpec {
  /** e.g. 'hik-1'; used in RTSP mounts (/<id>/main) and kept out of anything the camera reports. */
  id: string;
  personality: Personality;
  /** Defaults: 'admin' / 'Secret-123'. Hashed as UTF-8 everywhere. */
  username?: string;
  password?: string;
  /** Camera clock = real time + skew (may be years). */
  clockSkewSeconds?: number;
  /** Default 'either'. 'http-digest' ignores WS-Security tokens and answers 401 + Digest challenge. */
  auth?: 'ws-security' | 'http-digest' | 'either';
  xaddrStyle?: 'normal' | 'multi' | 'wrong-host';
  streamUriHost?: 'correct' | 'zero' | 'loopback-wrong' | 'whitespace' | 'credentials';
  /** Offers ver20/media. Default true for hikvision and dahua. */
  media2?: boolean;
  /**
   * Extension: 'h265' makes an H.265-only camera: every video profile H.265 with real x265 video,
   * listed by Media2 only (Media1 cannot describe H.265), so it needs media2. 'h265-main': the main
   * profile H.265 (Media2 only), the sub profile H.264, as most current cameras ship. Default 'h264'.
   */
  codec?: 'h264' | 'h265' | 'h265-main';
  /** Answers WS-Discovery probes. Default true. */
  discoverable?: boolean;
  /** Real RTSP server with real H.264. Default true for behaviour 'camera', false for hostile ones. */
  rtsp?: boolean;
  /**
   * Extension: the RTSP server asks for Digest credentials (the camera's account; OPTIONS open)
   * and counts wrong ones with the ONVIF failures. Default false: URIs work without credentials.
   */
  rtspAuth?: boolean;
  /** Failed logins before the account locks. Default: dahua 5, others never. */
  lockoutAfter?: number;
  behaviour?: Behaviour;
  /** Extension: override the generated serial number (noname cameras share one by default). */
  serial?: string;
  /** Extension: delay every SOAP answer by this many ms (cheap cameras take seconds). */
  responseDelayMs?: number;
  /**
   * Extension: answers the ONVIF Core PRE_AUTH calls (GetServices, GetCapabilities, ...) without
   * credentials, as the specification requires. Default true; false for firmware that wants a login
   * for everything but the clock.
   */
  preAuth?: boolean;
}

export interface SimProfileInfo {
  token: string;
  name: string;
  encoding: 'H264' | 'H265' | 'JPEG';
  width: number;
  height: number;
  fps: number;
  bitrateKbps: number;
  /** Visible through Media (ver10). */
  media1: boolean;
  /** Visible through Media2 (ver20), when the camera offers it. */
  media2: boolean;
  /** Which RTSP mount its URI points at. */
  mount: 'main' | 'sub' | 'jpeg';
}

export interface SimCamera {
  spec: SimCameraSpec;
  /** IPv4 the camera is reachable at (netns mode: only from inside the site's namespaces). */
  host: string;
  onvifPort: number;
  onvifUrl: string;
  /** urn:uuid:... (dahua: uuid:... as the Amcrest capture; noname: a bare MAC). */
  endpointRef: string;
  serial: string;
  mac: string;
  profiles: SimProfileInfo[];
  /** Snapshot URL (no credentials). */
  snapshotUrl: string;
  rtspPort: number;
  /** netns mode: the camera's namespace. */
  namespace?: string;
  rtspUrl(kind: 'main' | 'sub'): string;
  failedLogins(): number;
  locked(): boolean;
  setClockSkew(seconds: number): void;
  /** Extension: clear a lockout (the real ones unlock after ~30 min). */
  unlock(): void;
  /** Extension: resolves once every earlier command reached the camera (netns: a round trip). */
  sync(): Promise<void>;
  stopRtsp(): Promise<void>;
  startRtsp(): Promise<void>;
  /** Extension (loopback only): start or stop answering WS-Discovery, as a camera plugged in or out. */
  setDiscoverable(on: boolean): Promise<void>;
  /**
   * Extension (loopback only): the camera moves to a new address of the site, as after a DHCP lease
   * change: every server stops and starts again there on the same ports, with the same identity.
   * `host`, `onvifUrl`, `snapshotUrl` and `rtspUrl()` follow. Resolves with the new address.
   */
  moveTo(): Promise<string>;
  /**
   * Extension: an authenticated ONVIF operation (e.g. 'GetProfiles', Media1 and Media2) fails:
   * 'fault' answers a Receiver fault, 'hang' never answers (the client times out), 'forbidden'
   * answers NotAuthorized to valid credentials (an account without the right to it; not a failed
   * login); null heals it.
   */
  failCall(action: string, how: CallFailure | null): void;
  /**
   * Extension (loopback only): every SOAP request received so far, in order of arrival, with the
   * round of the client's exchange it belongs to (rounds.ts). The camera's round trips, counted.
   */
  requests(): SimSoapRequest[];
}

export interface SimSoapRequest {
  /** The Body element's local name (GetProfiles, GetStreamUri...). */
  action: string;
  /** It presented credentials (a WS-UsernameToken or an HTTP Authorization header). */
  credentials: boolean;
  /** 1 + the highest round among the answers sent before it arrived. */
  round: number;
}

export type CallFailure = 'fault' | 'hang' | 'forbidden';

export interface SimSite {
  mode: 'loopback' | 'netns';
  cameras: SimCamera[];
  /** UDP port of the WS-Discovery responders (loopback: random per site; netns: 3702). */
  discoveryPort: number;
  /** Multicast group (loopback: per site 239.255.x.y; netns: 239.255.255.250). */
  discoveryGroup: string;
  /** netns mode: namespace for the gateway under test (10.213.X.1/24). */
  gwNamespace?: string;
  /** netns mode: the gateway's address. */
  gwAddress?: string;
  stop(): Promise<void>;
}

/** Where and how one camera runs; made by the site, passed to startCamera (also over JSON to netns). */
export interface CameraNet {
  mode: 'loopback' | 'netns';
  host: string;
  /** 0 = let the OS choose. */
  onvifPort: number;
  /** 0 = pick a free one. */
  rtspPort: number;
  discoveryPort: number;
  discoveryGroup: string;
  /** Address named by xaddrStyle 'wrong-host' (nothing answers there). */
  wrongHost: string;
  /** 127.x address used by streamUriHost 'loopback-wrong'. */
  wrongLoopback: string;
  /** Index in the site and a per-site random tag, for unique serials/MACs. */
  index: number;
  siteTag: number;
}

/** What a started camera reports about itself (also the netns ready message). */
export interface CameraInfo {
  host: string;
  onvifPort: number;
  onvifUrl: string;
  endpointRef: string;
  serial: string;
  mac: string;
  profiles: SimProfileInfo[];
  snapshotUrl: string;
  rtspPort: number;
  rtspPath: { main: string; sub: string };
}
