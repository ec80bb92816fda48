// One camera stream pulled once and fanned out by one ffmpeg: its tee writes every stream-copied
// destination and the local segments, each behind its own fifo, so a destination that fails,
// stalls or is black-holed only loses its own packets and is reconnected alone, while the camera
// pull, the recording and the other destinations go on. A transcoding destination needs its own
// process and gets a loopback UDP tap of the same pull, as does a tee destination that turns
// failing (tee-exit.ts). docs/relay.md explains the design and what it costs.
import type { PlannedOutput } from '../core/relay-plan.ts';
import { withCredentials } from '../core/stream-uri.ts';
import type { Logger } from '../log/logger.ts';
import { DestinationWatch, EndpointAddresses, endpointOf, type CameraView } from './destination-watch.ts';
import { cameraCommand, destinationRetrySeconds, progressSeconds, type TeeSlave } from './ffmpeg-args.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import { RecordingWatch } from './recording-watch.ts';
import { ProcessSocketCache, socketInodes } from './process-sockets.ts';
import type { ByteRates } from './socket-bytes.ts';
import { Supervisor, type SupervisorStatus } from './supervisor.ts';
import type { FailingPart, StreamRelayOptions, StreamRelayStatus } from './stream-relay-options.ts';
import { resetConnection, type SocketLookup, type TcpSocket } from './tcp-table.ts';
import { DestinationMessages, markOf } from './destination-messages.ts';
import { TlsGate } from './tls-gate.ts';
import { everySecond } from './watchdog-clock.ts';
import { TapReader, type FailingCarry } from './tap-reader.ts';
import { TeeExit, type TeeDestination } from './tee-exit.ts';

export type { RecorderHooks } from './recording-watch.ts';
export type { TeeDestination } from './tee-exit.ts';
export type {
  Credentials,
  FailingPart,
  StreamRelayOptions,
  StreamRelayStatus,
} from './stream-relay-options.ts';

const destination = (o: PlannedOutput): FailingPart => ({
  part: 'destination',
  destinationId: o.destinationId,
});

export class StreamRelay {
  private readonly camera: Supervisor;
  private readonly tee: TeeDestination[] = [];
  private readonly readers: TapReader[] = [];
  /** The camera process's slaves, read at each launch (a moved destination's becomes a tap). */
  private readonly slaves: TeeSlave[] = [];
  private readonly exit: TeeExit;
  private readonly recorder: RecordingWatch | null;
  private stopRecorderClock: (() => void) | null = null;
  private readonly log: Logger;
  private cameraKbps: number | null = null;
  private readonly messages: DestinationMessages;
  private readonly gate: TlsGate;
  private resetting = false;
  private readonly socketCache = new ProcessSocketCache();
  /** The camera process's connections at the last look at the table. */
  private lastSockets: string[] = [];
  /** Seconds between progress reports of every ffmpeg of this stream. */
  private readonly progressEvery: number;

  constructor(private readonly opts: StreamRelayOptions) {
    const { plan, version } = opts;
    this.progressEvery = progressSeconds(opts.stallMs);
    const cam = opts.cameraCredentials;
    const input = cam ? withCredentials(plan.streamUri, cam.username, cam.password) : plan.streamUri;
    const log = (this.log = opts.logger.child({ cameraId: plan.cameraId, profile: plan.profileToken }));
    const common = this.common();
    // The camera's process on one CPU: its fifo writer threads then wake no other CPU. A
    // transcoding reader is left to the scheduler: x264 wants every CPU it can get.
    const placed = { cpu: opts.cpu, onPlacementError: opts.onPlacementError };
    const failing = (who: FailingPart) => this.failing(who);
    const slaves = this.slaves;
    let port = 0;
    for (const output of plan.outputs) {
      if (output.transcode) {
        log.warn({ destinationId: output.destinationId }, 'transcoding: about ten times the CPU of a copy');
        const udpPort = opts.udpPorts[port++]!;
        slaves.push({ kind: 'tap', port: udpPort });
        this.readers.push(this.tapReader(output, udpPort));
        continue;
      }
      const slave: TeeSlave = {
        kind: 'destination',
        url: this.urlOf(output),
        protocol: output.protocol,
        audio: output.audio,
        tls: output.tls,
        retrySeconds: destinationRetrySeconds(Math.random),
      };
      slaves.push(slave);
      const endpoint = endpointOf(output.url, output.protocol);
      this.tee.push({
        output,
        slave,
        mark: markOf(output.url, endpoint),
        watch: new DestinationWatch({
          destinationId: output.destinationId,
          addresses: endpoint ? new EndpointAddresses(endpoint) : null,
          srt: output.protocol === 'srt',
          stallMs: opts.stallMs,
          graceMs: opts.graceMs,
          logger: log.child({ destinationId: output.destinationId }),
          onStateChange: (s, p) => opts.onStateChange?.({ destinationId: output.destinationId }, s, p),
          failingAfter: opts.failingAfter ?? 0,
          // Failing in the tee, ffmpeg's fifo retries it at its fixed pace for ever: tick() moves it
          // out once it has failed long enough (tee-exit.ts).
          onFailing: (on, failures, reason) => opts.onFailing?.(destination(output), on, failures, reason),
        }),
      });
    }
    this.exit = new TeeExit({
      tee: this.tee,
      slaves,
      readers: this.readers,
      reader: (output, udpPort, carried) => this.tapReader(output, udpPort, carried),
      restartCamera: (reason) => this.restart(reason),
      stopped: () => this.camera.status().state === 'stopped',
      log,
    });
    this.gate = new TlsGate(this.tee, log);
    this.messages = new DestinationMessages(this.tee);
    const rec = plan.record ? opts.recorder : undefined;
    this.recorder = rec
      ? new RecordingWatch({
          hooks: rec,
          stallMs: opts.stallMs,
          graceMs: opts.graceMs,
          backoffMs: opts.backoffMs,
          logger: log.child({ part: 'recorder' }),
          cameraLive: () => this.camera.status().state === 'live',
          restartCamera: (reason) => this.camera.restartNow(reason),
          ...failing({ part: 'recording', destinationId: null }),
        })
      : null;

    let launched = false;
    this.camera = new Supervisor({
      ...common,
      ...failing({ part: 'camera', destinationId: null }),
      ...(opts.login ? { login: opts.login } : {}),
      logger: log.child({ part: 'ingest' }),
      spawn: () => {
        // Each camera process is a new run of segments, named apart from the last one's.
        this.recorder?.onLaunch();
        const run = this.recorder?.run;
        const segments: TeeSlave[] =
          rec && run
            ? [{ kind: 'segments', dir: rec.dir, runId: run, segmentSeconds: rec.segmentSeconds }]
            : [];
        const proc = runFfmpeg(
          cameraCommand({
            streamUri: input,
            slaves: [...slaves.filter((x) => !this.gate.refuses(x)), ...segments],
            audio: plan.outputs.some((o) => o.audio),
            ioTimeoutSeconds: Math.max(2, opts.stallMs / 2000),
            version,
            progressSeconds: this.progressEvery,
          }),
          placed,
        );
        proc.onStderr((line) => this.messages.line(line));
        return proc;
      },
      // A new pull starts a new MPEG-TS stream on the taps: their readers restart with it rather
      // than choke on a timestamp jump.
      onLaunch: () => {
        // A reader backing off keeps its back-off: its next launch reads the new stream anyway.
        const running = this.readers.filter((r) => r.supervisor.status().pid !== null);
        if (launched)
          void Promise.all(running.map((r) => r.supervisor.restartNow('camera stream restarted')));
        launched = true;
      },
      onStateChange: (s, p) => opts.onStateChange?.({ destinationId: null }, s, p),
    });
  }

  private common() {
    const o = this.opts;
    return { stallMs: o.stallMs, graceMs: o.graceMs, backoffMs: o.backoffMs, stopTimeoutMs: o.stopTimeoutMs };
  }

  private failing(who: FailingPart) {
    return {
      failingAfter: this.opts.failingAfter ?? 0,
      onFailing: (on: boolean, failures: number, reason: string | null) =>
        this.opts.onFailing?.(who, on, failures, reason),
    };
  }

  private urlOf(o: PlannedOutput): string {
    const creds = this.opts.destinationCredentials(o.destinationId);
    return creds ? withCredentials(o.url, creds.username, creds.password) : o.url;
  }

  /** A destination's own ffmpeg on a loopback tap: a transcoding one, or one moved out of the tee. */
  private tapReader(output: PlannedOutput, udpPort: number, carried?: FailingCarry): TapReader {
    return new TapReader({
      ...this.common(),
      ...this.failing(destination(output)),
      output,
      url: this.urlOf(output),
      udpPort,
      progressSeconds: this.progressEvery,
      logger: this.log.child({ destinationId: output.destinationId }),
      cameraLive: () => this.camera.status().state === 'live',
      onStateChange: (s, p) => this.opts.onStateChange?.({ destinationId: output.destinationId }, s, p),
      ...(carried ? { carried } : {}),
    });
  }

  /** Whether any destination of this stream is live now (the uplink works). */
  delivers(): boolean {
    return (
      this.tee.some((d) => d.watch.isLive()) ||
      this.readers.some((r) => r.supervisor.status().state === 'live')
    );
  }

  /** Whether this stream writes an SRT destination (the relay then reads the UDP table at every tick). */
  hasSrt(): boolean {
    return this.tee.some((d) => d.output.protocol === 'srt');
  }

  /** Checks the TLS destinations' certificates (tls-gate.ts) before the first start. */
  checkCertificates(): Promise<boolean> {
    return this.gate.check();
  }

  start(): void {
    // Tap readers first, so the first packets of the camera stream have somewhere to go.
    for (const r of this.readers) r.supervisor.start();
    for (const d of this.tee) d.watch.start();
    this.camera.start();
    const recorder = this.recorder;
    if (recorder) this.stopRecorderClock = everySecond(() => recorder.tick());
  }

  async stop(): Promise<void> {
    for (const d of this.tee) d.watch.stop();
    this.stopRecorderClock?.();
    this.stopRecorderClock = null;
    this.recorder?.stop();
    await Promise.all([this.camera.stop(), ...this.readers.map((r) => r.supervisor.stop())]);
  }

  /**
   * Whether a tick needs the TCP table (a destination to judge while the camera delivers), and
   * whether it needs it now (`close`) or only at the relay's slower pace.
   */
  needsSockets(): { close: boolean } | null {
    if (this.tee.length + this.readers.length === 0 || this.camera.status().state !== 'live') return null;
    return {
      close: this.tee.some((d) => d.watch.wantsCloseLook()) || this.readers.some((r) => r.wantsLook()),
    };
  }

  /**
   * Judges every tee destination from one snapshot of the TCP table, and resets the connections
   * of those that stopped acknowledging. Called by the relay manager's single ticker; `rates`
   * gives bitrates from the kernel's byte counters.
   */
  tick(
    now: number,
    table: SocketLookup | null,
    rates: ByteRates | null = null,
    srtSockets: Set<string> | null = null,
  ): void {
    const st = this.camera.status(now);
    const live = st.state === 'live';
    // A destination connecting or being judged may have a connection the last listing missed.
    const relist = this.tee.some((d) => d.watch.wantsCloseLook());
    const sockets = table && st.pid !== null ? this.socketCache.sockets(st.pid, table, relist) : null;
    if (table) this.lastSockets = live && sockets ? sockets.map((s) => s.inode) : [];
    // The camera's bitrate is what its process receives: the pull is nearly all of it (what the
    // destinations send back is a few hundred bytes a second). Kept between looks at the table.
    if (!live || !rates) this.cameraKbps = null;
    else if (sockets)
      this.cameraKbps = rates.kbps(
        sockets.map((s) => s.inode),
        'bytesReceived',
        now,
      );
    const view: CameraView = {
      pid: st.pid,
      live,
      fps: st.fps,
      kbps: this.cameraKbps,
      lastFrameAgeMs: st.lastFrameAgeMs,
    };
    const acked = rates ? (inodes: string[]) => rates.kbps(inodes, 'bytesAcked', now) : undefined;
    this.gate.tick(now, () => this.restart('a refused destination certificate now verifies'));
    const stuck = this.tee.flatMap((d) => d.watch.tick(now, view, sockets, acked));
    const srt = this.tee.filter((d) => d.output.protocol === 'srt');
    if (srt.length > 0) {
      // Its SRT sockets come and go with each connection: listed afresh at every tick.
      const mine =
        srtSockets && st.pid !== null ? socketInodes(st.pid).filter((i) => srtSockets.has(i)) : null;
      for (const d of srt) d.watch.tickSrt(now, view, mine, srt.length);
    }
    if (stuck.length > 0 && !this.resetting) void this.reset(stuck);
    this.exit.consider(now, this.opts.teeExitAfterMs ?? 0, this.opts.siteDelivers ?? (() => true));
    if (table) for (const r of this.readers) r.look(now, table);
  }

  private async reset(stuck: TcpSocket[]): Promise<void> {
    this.resetting = true;
    try {
      const done = await Promise.all(stuck.map((s) => resetConnection(s)));
      if (done.every(Boolean)) return;
      // Without CAP_NET_ADMIN (or a kernel without SOCK_DESTROY) the blocked writer cannot be
      // woken alone: restarting the whole pull is the only way left, at the cost of a short cut
      // on the other destinations.
      this.log.warn(
        'could not reset a black-holed connection (needs CAP_NET_ADMIN): restarting the camera process',
      );
      await this.restart('a black-holed destination could not be reset alone (no CAP_NET_ADMIN)');
    } finally {
      this.resetting = false;
    }
  }

  /** The camera's connections and each live tee destination's, for live-rates.ts. */
  rateInputs(): { cameraId: string; camera: string[]; destinations: { id: string; inodes: string[] }[] } {
    return {
      cameraId: this.opts.plan.cameraId,
      camera: this.lastSockets,
      destinations: this.tee.map((d) => ({ id: d.output.destinationId, inodes: d.watch.liveConnections() })),
    };
  }

  /** A restart the gateway decided (not the camera's failure): its recording gap says so. */
  async restart(reason: string): Promise<void> {
    if (this.recorder) this.opts.recorder?.onInterrupted(reason, 'relay-restart');
    await this.camera.restartNow(reason);
  }

  status(): StreamRelayStatus {
    const ingest = this.camera.status();
    const byId = new Map<string, SupervisorStatus>([
      ...this.tee.map((d) => [d.output.destinationId, d.watch.status()] as const),
      ...this.readers.map((r) => [r.output.destinationId, r.status()] as const),
    ]);
    return {
      cameraId: this.opts.plan.cameraId,
      profileToken: this.opts.plan.profileToken,
      ingest: { ...ingest, kbps: ingest.state === 'live' ? this.cameraKbps : null },
      recording: this.recorder ? { ...this.recorder.status(), pid: ingest.pid } : null,
      destinations: this.opts.plan.outputs.map((o) => ({
        ...byId.get(o.destinationId)!,
        destinationId: o.destinationId,
        transcoding: o.transcode !== null,
        outOfTee: o.transcode === null && this.readers.some((r) => r.output === o),
      })),
    };
  }
}
