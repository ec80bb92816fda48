// One simulated camera in this process: ONVIF HTTP server, WS-Discovery responder, RTSP server.
import { Authenticator } from './auth.ts';
import type { AuthNotify } from './auth.ts';
import { startDiscoveryResponder } from './discovery-responder.ts';
import type { DiscoveryResponder } from './discovery-responder.ts';
import { CameraModel } from './model.ts';
import { startOnvifServer } from './onvif-server.ts';
import type { OnvifServer } from './onvif-server.ts';
import { RtspProcess } from './rtsp.ts';
import { startRtspAuthProxy, type RtspAuthProxy } from './rtsp-auth.ts';
import type { MountSpec } from './rtsp.ts';
import type { CameraInfo, CameraNet, SimCameraSpec } from './types.ts';

export class LocalCamera {
  readonly model: CameraModel;
  readonly auth: Authenticator;
  private onvif: OnvifServer | undefined;
  private discovery: DiscoveryResponder | undefined;
  private rtsp: RtspProcess | undefined;
  /** rtspAuth: the Digest gate on the camera's RTSP port, GStreamer behind it on another. */
  private gate: RtspAuthProxy | undefined;

  constructor(spec: SimCameraSpec, net: CameraNet, notify?: AuthNotify) {
    this.model = new CameraModel(spec, net);
    this.auth = new Authenticator(this.model, notify);
  }

  /** The streams the RTSP server must serve: one per mount, sized like the first profile using it. */
  private mounts(): MountSpec[] {
    const out: MountSpec[] = [];
    for (const mount of ['main', 'sub', 'jpeg'] as const) {
      // The mount serves what Media1 lists (a Media2-only H.265 profile points at the H.264 sub
      // mount), except on a camera with real H.265 profiles, where Media2 lists every mount truly.
      const h265 = this.model.spec.codec !== 'h264';
      const prof = this.model.profiles.find((p) => p.mount === mount && (p.media1 || h265));
      if (!prof) continue;
      out.push({
        path: this.model.rtspPath(mount),
        width: prof.width,
        height: prof.height,
        fps: prof.fps,
        bitrate: prof.bitrateKbps,
        codec: prof.encoding === 'JPEG' ? 'jpeg' : h265 && prof.encoding === 'H265' ? 'h265' : 'h264',
        profile: 'main',
      });
    }
    return out;
  }

  /** Starts everything; on failure closes what did start and rethrows. */
  async start(): Promise<void> {
    const m = this.model;
    try {
      this.onvif = await startOnvifServer(m, this.auth, m.host, m.net.onvifPort);
      m.onvifPort = this.onvif.port;
      const gated = m.spec.rtsp && m.spec.rtspAuth;
      this.rtsp = new RtspProcess(m.host, this.mounts(), gated ? 0 : m.net.rtspPort);
      if (m.spec.rtsp) {
        await this.rtsp.start();
      } else if (this.rtsp.port === 0) {
        this.rtsp.port = 554; // nothing listens; URIs still name a plausible port
      }
      m.rtspPort = this.rtsp.port;
      if (gated) {
        const gst = this.rtsp;
        this.gate = await startRtspAuthProxy(m.host, m.net.rtspPort, () => gst.port, this.auth);
        m.rtspPort = this.gate.port;
      }
      if (m.spec.discoverable) this.discovery = await startDiscoveryResponder(m);
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  info(): CameraInfo {
    const m = this.model;
    return {
      host: m.host,
      onvifPort: m.onvifPort,
      onvifUrl: m.onvifUrl,
      endpointRef: m.id.endpointRef,
      serial: m.id.serial,
      mac: m.id.mac,
      profiles: m.profiles.map((p) => ({
        token: p.token,
        name: p.name,
        encoding: p.encoding,
        width: p.width,
        height: p.height,
        fps: p.fps,
        bitrateKbps: p.bitrateKbps,
        media1: p.media1,
        media2: p.media2 && m.spec.media2,
        mount: p.mount,
      })),
      snapshotUrl: m.snapshotUrl,
      rtspPort: m.rtspPort,
      rtspPath: { main: m.rtspPath('main'), sub: m.rtspPath('sub') },
    };
  }

  get rtspPid(): number | undefined {
    return this.rtsp?.pid;
  }

  async stopRtsp(): Promise<void> {
    await this.rtsp?.stop();
  }

  async startRtsp(): Promise<void> {
    if (!this.rtsp) throw new Error('camera not started');
    if (!this.model.spec.rtsp) throw new Error(`${this.model.spec.id} was started with rtsp: false`);
    await this.rtsp.start();
  }

  async setDiscoverable(on: boolean): Promise<void> {
    if (on && !this.discovery) this.discovery = await startDiscoveryResponder(this.model);
    if (!on && this.discovery) {
      const d = this.discovery;
      this.discovery = undefined;
      await d.close();
    }
  }

  /** A DHCP move: everything stops and starts again at `host`, on the same ports, same identity. */
  async moveTo(host: string): Promise<void> {
    const discoverable = this.discovery !== undefined;
    const streaming = this.rtsp?.pid !== undefined;
    await this.close();
    const m = this.model;
    Object.assign(m.net, { host, onvifPort: m.onvifPort, rtspPort: m.rtspPort });
    const spec = m.spec as { discoverable: boolean; rtsp: boolean };
    const [wasDiscoverable, wasRtsp] = [spec.discoverable, spec.rtsp];
    // Started as it was running, not as it was specified (plugged in later, RTSP stopped).
    Object.assign(spec, { discoverable, rtsp: streaming });
    try {
      await this.start();
    } finally {
      Object.assign(spec, { discoverable: wasDiscoverable, rtsp: wasRtsp });
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([
      this.onvif?.close(),
      this.discovery?.close(),
      this.rtsp?.stop(),
      this.gate?.close(),
    ]);
    this.onvif = this.discovery = this.rtsp = this.gate = undefined;
  }
}
