// What a StreamRelay is built from and what it reports: the contract between the relay manager and
// one camera stream (stream-relay.ts).
import type { PlannedIngest } from '../core/relay-plan.ts';
import type { Logger } from '../log/logger.ts';
import type { FfmpegVersion } from './ffmpeg-version.ts';
import type { RecorderHooks } from './recording-watch.ts';
import type { LoginGate, SupervisedState, SupervisorStatus } from './supervisor.ts';

export interface Credentials {
  username: string;
  password: string;
}

export interface StreamRelayOptions {
  plan: PlannedIngest;
  /** One loopback UDP port per transcoding output, in plan order. */
  udpPorts: number[];
  recorder?: RecorderHooks | undefined;
  cameraCredentials: Credentials | null;
  destinationCredentials: (destinationId: string) => Credentials | null;
  version: FfmpegVersion;
  stallMs: number;
  graceMs: number;
  backoffMs: number[];
  stopTimeoutMs: number;
  /** The CPU this camera's process is kept on (cpu-placement.ts), or null. */
  cpu: number | null;
  /** Why a process could not be placed on its CPU (it runs unplaced). */
  onPlacementError?: (reason: string) => void;
  logger: Logger;
  onStateChange?: (
    who: { destinationId: string | null },
    state: SupervisedState,
    previous: SupervisedState,
  ) => void;
  /** The camera's login rule (camera-login.ts): a refused pull waits for its hold. */
  login?: LoginGate;
  /** Failures in a row before a part is failing (relay.failingAfter; 0: never). */
  failingAfter?: number;
  /** How long a tee destination stays failing before it leaves the tee (relay.teeExitAfterSeconds). */
  teeExitAfterMs?: number;
  /** Whether any destination of the site delivers now: without, the uplink is down, not a platform. */
  siteDelivers?: () => boolean;
  onFailing?: (who: FailingPart, failing: boolean, failures: number, reason: string | null) => void;
}

/** Which part of a stream failed: its camera's ffmpeg, a destination, or the recording. */
export type FailingPart =
  | { part: 'camera'; destinationId: null }
  | { part: 'destination'; destinationId: string }
  | { part: 'recording'; destinationId: null };

export interface StreamRelayStatus {
  cameraId: string;
  profileToken: string;
  ingest: SupervisorStatus;
  recording: SupervisorStatus | null;
  destinations: (SupervisorStatus & { destinationId: string; transcoding: boolean; outOfTee: boolean })[];
}
