// Destination side of the relay tests: real ingest servers on free loopback ports that record what
// they receive, so a test can ffprobe it, and that can be paused, killed and restarted to fake the
// faults of a central platform.
import type { ProbeResult } from './probe.ts';

export type IngestKind = 'rtsp' | 'rtmp' | 'rtsps' | 'rtmps' | 'srt';

export interface Ingest {
  kind: IngestKind;
  /** URL template the relay pushes to; contains the literal "{cameraId}" placeholder, e.g. rtsp://127.0.0.1:PORT/live/{cameraId} or rtmp://127.0.0.1:PORT/live/{cameraId}. */
  urlTemplate: string;
  /** urlTemplate with the stream name filled in. */
  url(stream: string): string;
  /** Host and port the relay connects to (for fault injection). */
  host: string;
  port: number;
  /** Pid of the server process, null while it is not running (after kill() or stop()). */
  readonly pid: number | null;
  /** Directory where received streams are recorded, one file per publish session of a stream name. Without opts.dir, a temp dir that stop() deletes. */
  dir: string;
  /** Files recorded for a stream name so far, oldest session first. */
  files(stream: string): string[];
  /** ffprobe (child process, count packets) the recorded media of a stream, summed over its files. Works on files still being written. */
  probe(stream: string): Promise<ProbeResult>;
  /** Total video frames received for a stream, counted in-process and incrementally: cheap to poll. */
  framesReceived(stream: string): Promise<number>;
  /** Recent server output (and nginx's error log), for assertion messages. */
  log(): string;
  /** SIGSTOP the server process: connections stay open, nothing is read (a black hole). */
  pause(): void;
  /** SIGCONT */
  resume(): void;
  /** SIGKILL it (connections reset). */
  kill(): Promise<void>;
  /** Start again on the same port, same dir (stops it first if it is running). */
  restart(): Promise<void>;
  /** Clean stop; no process left behind. Recordings stay only if opts.dir was given. */
  stop(): Promise<void>;
}

export type { ProbeResult } from './probe.ts';
export { startRtspIngest, RtspIngest } from './rtsp-ingest.ts';
export { startRtmpIngest, RtmpIngest } from './rtmp-ingest.ts';
export type { RtmpIngestOptions } from './rtmp-ingest.ts';
export { startRtmpsIngest, RtmpsIngest } from './rtmps-ingest.ts';
export { startSrtIngest, SrtIngest } from './srt-ingest.ts';
export { makeCertificate, type Certificate } from './tls-certificate.ts';
export { freePort, isPortFree, canConnect, LOOPBACK } from './ports.ts';
export { pidExists } from './process.ts';
export { makeClip, startPush, stopAllPushes } from './feeder.ts';
export type { ClipOptions, Push, PushOptions } from './feeder.ts';
