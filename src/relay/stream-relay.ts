// One camera stream pulled once and fanned out: an ingest ffmpeg writes a copy per destination
// to loopback UDP, and each destination has its own ffmpeg. A destination that fails, stalls
// or is black-holed is restarted alone; the ingest and the other destinations never notice.
import type { PlannedIngest, PlannedOutput } from '../core/relay-plan.ts';
import { withCredentials } from '../core/stream-uri.ts';
import type { Logger } from '../log/logger.ts';
import { ingestCommand, outputCommand, recorderCommand } from './ffmpeg-args.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import type { FfmpegVersion } from './ffmpeg-version.ts';
import { Supervisor, type SupervisedState, type SupervisorStatus } from './supervisor.ts';
import { AckWatch } from './upstream-ack.ts';

export interface Credentials {
  username: string;
  password: string;
}

export interface RecorderHooks {
  /** Spool directory of this camera. */
  dir: string;
  segmentSeconds: number;
  /** A reason not to record now (disk full), or null. */
  mayLaunch: () => string | null;
  /** A recorder run started: its segments are `${runId}-NNNNNN.ts`, listed in `${runId}.csv` as they close. */
  onRun: (runId: string) => void;
}

export interface StreamRelayOptions {
  plan: PlannedIngest;
  /** One loopback UDP port per output, in plan order, then one for the recorder when recording. */
  udpPorts: number[];
  recorder?: RecorderHooks | undefined;
  cameraCredentials: Credentials | null;
  destinationCredentials: (destinationId: string) => Credentials | null;
  version: FfmpegVersion;
  stallMs: number;
  graceMs: number;
  backoffMs: number[];
  stopTimeoutMs: number;
  logger: Logger;
  onStateChange?: (
    who: { destinationId: string | null },
    state: SupervisedState,
    previous: SupervisedState,
  ) => void;
}

export interface StreamRelayStatus {
  cameraId: string;
  profileToken: string;
  ingest: SupervisorStatus;
  recording: SupervisorStatus | null;
  destinations: (SupervisorStatus & { destinationId: string; transcoding: boolean })[];
}

export class StreamRelay {
  private readonly ingest: Supervisor;
  private readonly outputs: { output: PlannedOutput; supervisor: Supervisor }[];
  private readonly recorder: Supervisor | null;

  constructor(private readonly opts: StreamRelayOptions) {
    const { plan, version } = opts;
    const cam = opts.cameraCredentials;
    const input = cam ? withCredentials(plan.streamUri, cam.username, cam.password) : plan.streamUri;
    const log = opts.logger.child({ cameraId: plan.cameraId, profile: plan.profileToken });
    let launched = false;
    const common = {
      stallMs: opts.stallMs,
      graceMs: opts.graceMs,
      backoffMs: opts.backoffMs,
      stopTimeoutMs: opts.stopTimeoutMs,
    };
    this.ingest = new Supervisor({
      ...common,
      logger: log.child({ part: 'ingest' }),
      spawn: () =>
        runFfmpeg(
          ingestCommand({
            streamUri: input,
            udpPorts: opts.udpPorts,
            audio: plan.outputs.some((o) => o.audio),
            ioTimeoutSeconds: Math.max(2, opts.stallMs / 2000),
            version,
          }),
        ),
      // A new ingest starts a new MPEG-TS stream: readers restart with it rather than choke on a
      // timestamp jump.
      onLaunch: () => {
        if (launched) {
          void Promise.all(this.outputs.map((o) => o.supervisor.restartNow('camera stream restarted')));
          void this.recorder?.restartNow('camera stream restarted');
        }
        launched = true;
      },
      onStateChange: (s, p) => opts.onStateChange?.({ destinationId: null }, s, p),
    });
    this.outputs = plan.outputs.map((output, i) => {
      const creds = opts.destinationCredentials(output.destinationId);
      const url = creds ? withCredentials(output.url, creds.username, creds.password) : output.url;
      const acks = new AckWatch();
      if (output.transcode)
        log.warn({ destinationId: output.destinationId }, 'transcoding: about ten times the CPU of a copy');
      return {
        output,
        supervisor: new Supervisor({
          ...common,
          logger: log.child({ destinationId: output.destinationId }),
          spawn: () => runFfmpeg(outputCommand({ output, url, udpPort: opts.udpPorts[i]! })),
          // No progress while the camera is down is not the destination's fault.
          judge: () => this.ingest.status().state === 'live',
          stallCheck: (pid, stallMs) => {
            const ms = acks.unackedForMs(pid);
            return ms > stallMs
              ? {
                  reason: `nothing acknowledged by the destination for ${Math.round(ms / 1000)} s`,
                  lastGoodAt: Date.now() - ms,
                }
              : null;
          },
          onStateChange: (s, p) => opts.onStateChange?.({ destinationId: output.destinationId }, s, p),
        }),
      };
    });
    const rec = plan.record ? opts.recorder : undefined;
    const recPort = opts.udpPorts[plan.outputs.length];
    this.recorder =
      rec && recPort !== undefined
        ? new Supervisor({
            ...common,
            logger: log.child({ part: 'recorder' }),
            mayLaunch: rec.mayLaunch,
            spawn: () => {
              const runId = String(Date.now());
              rec.onRun(runId);
              return runFfmpeg(
                recorderCommand({
                  udpPort: recPort,
                  dir: rec.dir,
                  runId,
                  segmentSeconds: rec.segmentSeconds,
                  audio: plan.outputs.some((o) => o.audio),
                }),
              );
            },
            // A camera fault makes the gap the camera caused, nothing more: not the recorder's fault.
            judge: () => this.ingest.status().state === 'live',
          })
        : null;
  }

  start(): void {
    // Readers first, so the first packets of the camera stream have somewhere to go.
    for (const o of this.outputs) o.supervisor.start();
    this.recorder?.start();
    this.ingest.start();
  }

  async stop(): Promise<void> {
    await Promise.all([
      this.ingest.stop(),
      ...this.outputs.map((o) => o.supervisor.stop()),
      this.recorder?.stop(),
    ]);
  }

  /** Restart the recorder now (e.g. disk space came back). */
  async restartRecorder(reason: string): Promise<void> {
    await this.recorder?.restartNow(reason);
  }

  async restart(reason: string): Promise<void> {
    await this.ingest.restartNow(reason);
  }

  status(): StreamRelayStatus {
    return {
      cameraId: this.opts.plan.cameraId,
      profileToken: this.opts.plan.profileToken,
      ingest: this.ingest.status(),
      recording: this.recorder?.status() ?? null,
      destinations: this.outputs.map((o) => ({
        ...o.supervisor.status(),
        destinationId: o.output.destinationId,
        transcoding: o.output.transcode !== null,
      })),
    };
  }
}
