// Exact ffmpeg argument lists for the relay's two kinds of process. Pure, so tests can compare
// them word for word per ffmpeg version.
//
// camera: camera RTSP -> a tee writing every stream-copied destination and the local segments
//   (each behind its own fifo), and a loopback UDP tap for each transcoding destination.
// output: loopback UDP tap -> one transcoding destination.
import type { PlannedOutput } from '../core/relay-plan.ts';
import { backoffDelay } from '../core/backoff.ts';
import type { FfmpegVersion } from './ffmpeg-version.ts';

export interface FfmpegCommand {
  input: string;
  inputOptions: string[];
  output: string;
  outputOptions: string[];
}

/** Network protocols only: no input may read a local file, whatever URI a camera gives. */
export const CAMERA_PROTOCOLS = 'rtsp,rtsps,tcp,udp,rtp,srtp,tls';
export const LOOPBACK_PROTOCOLS = 'udp';

/**
 * Seconds between ffmpeg's progress reports: five in a stall window at least, and no more than one
 * every 2 s. Each report wakes the daemon, about 0.1 ms of CPU on a small machine (measured here),
 * which at 16 cameras is more than judging them.
 */
export function progressSeconds(stallMs: number): number {
  return Math.min(2, Math.max(1, Math.floor(stallMs / 5000)));
}

function globalOptions(progressEvery: number): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-stats_period',
    String(progressEvery),
    '-progress',
    'pipe:1',
  ];
}

/**
 * Reading one of the camera process's loopback UDP taps: UDP only, so no input can read a file. A
 * reader that (re)starts mid-stream must see a key frame before it knows the picture size, so it
 * may probe longer than the longest usual GOP (5 s). ffmpeg 5.1 reads all of it before it opens its
 * output (measured, 2 s GOP: connected 6.0-6.4 s after start with 5 s, 3.0 s with 2 s, 1.4 s with 1 s).
 */
function loopbackInput(port: number, progressEvery: number): Pick<FfmpegCommand, 'input' | 'inputOptions'> {
  return {
    // fifo_size is in 188-byte packets: ~1.9 MB, about 4 s at 4 Mbit/s (50000 cost 9.4 MB per reader).
    input: `udp://127.0.0.1:${port}?fifo_size=10000&overrun_nonfatal=1`,
    inputOptions: [
      ...globalOptions(progressEvery),
      '-protocol_whitelist',
      LOOPBACK_PROTOCOLS,
      '-f',
      'mpegts',
      '-fflags',
      '+genpts',
      '-analyzeduration',
      '5000000',
      '-probesize',
      '5000000',
    ],
  };
}

/** Bound to 127.0.0.1, so the taps are not mistaken for SRT's wildcard-bound sockets (udp-table.ts). */
export function udpUrl(port: number): string {
  return `udp://127.0.0.1:${port}?pkt_size=1316&localaddr=127.0.0.1`;
}

/** One slave of the camera's tee: a destination written by ffmpeg itself, the local segments, or a loopback UDP tap. */
export type TeeSlave =
  | {
      kind: 'destination';
      url: string;
      protocol: PlannedOutput['protocol'];
      audio: boolean;
      tls?: PlannedOutput['tls'];
      /** Seconds its fifo waits before each reconnect (destinationRetrySeconds), else the tee's DESTINATION_RETRY_SECONDS. */
      retrySeconds?: number;
    }
  | { kind: 'segments'; dir: string; runId: string; segmentSeconds: number }
  | { kind: 'tap'; port: number };

/**
 * Seconds a failed destination waits before its fifo reconnects it. ffmpeg retries at this fixed
 * pace (a reconnect to a destination is one TCP connect: cheap); each destination gets its own
 * value around it (destinationRetrySeconds), and one that keeps failing leaves the tee for a process
 * of its own that backs off in steps (tee-exit.ts).
 */
export const DESTINATION_RETRY_SECONDS = 2;

/**
 * A destination's own fifo retry, DESTINATION_RETRY_SECONDS +-20 % like every back-off of the
 * daemon (core/backoff.ts): after an ingest outage the destinations of a site reconnect spread over
 * 0.8 s instead of in lock-step. ffmpeg 5.1 takes a fraction of a second (a duration) here.
 */
export function destinationRetrySeconds(random: () => number): number {
  return backoffDelay([DESTINATION_RETRY_SECONDS * 1000], 0, random) / 1000;
}

/**
 * The tee's slaves share nothing but the packets: each destination gets its own fifo (a queue and
 * a writer thread), so one that blocks only fills its own queue, which then drops its packets
 * (drop_pkts_on_overflow) while the others go on. A destination whose write fails is closed and
 * opened again every `retrySeconds` from the next key frame, for ever.
 */
export function fifoOptions(retrySeconds = DESTINATION_RETRY_SECONDS): string {
  return [
    'drop_pkts_on_overflow=1',
    'attempt_recovery=1',
    'recover_any_error=1',
    `recovery_wait_time=${retrySeconds}`,
    'max_recovery_attempts=0',
    'restart_with_keyframe=1',
  ].join(':');
}

/** Backslash-escapes what the tee's own parser (av_get_token with "|") would otherwise eat. */
export function teeEscape(url: string): string {
  return url.replace(/[\\'|]/g, (c) => `\\${c}`);
}

/** A value among a tee slave's options, unescaped by the option parser (":" and "]" end it); teeEscape it too for the "|" split. */
export function teeOptionValue(value: string): string {
  return value.replace(/[\\':\]]/g, (c) => `\\${c}`);
}

/** A segment file's name: the camera process's run, then the second ffmpeg opened it (`%s`). */
export const SEGMENT_PATTERN = '%s';

/**
 * The local segments as one more slave: keyframe-aligned MPEG-TS files cut at multiples of
 * segmentSeconds of the wall clock, and a CSV list that gets a line as each file is closed, so the
 * gateway indexes only complete files. Behind its own fifo like a destination: a slow or failing
 * disk drops only the recording's packets, and a failed write is retried every
 * DESTINATION_RETRY_SECONDS. A retry starts the segment muxer again, which truncates its list and
 * would count its files from 0 again: the names carry the second they were opened instead (strftime),
 * and the cut follows the clock, not the packet count. Parameter sets before every key frame, so
 * each segment decodes on its own.
 */
function segmentsSpec(slave: Extract<TeeSlave, { kind: 'segments' }>): string {
  const base = `${slave.dir}/${slave.runId}`;
  const opts = [
    'f=segment',
    `segment_time=${slave.segmentSeconds}`,
    'segment_atclocktime=1',
    'segment_format=mpegts',
    'reset_timestamps=1',
    'strftime=1',
    `segment_list=${teeEscape(teeOptionValue(`${base}.csv`))}`,
    'segment_list_type=csv',
    // Every packet reaches the disk as it is muxed (the inner MPEG-TS muxer's option: the segment
    // muxer's own -flush_packets does not reach it): a power cut loses at most the packet in flight.
    'segment_format_options=flush_packets=1',
    'onfail=ignore',
    'bsfs/v=dump_extra',
  ];
  return `[${opts.join(':')}]${teeEscape(`${base.replace(/%/g, '%%')}-${SEGMENT_PATTERN}.ts`)}`;
}

function slaveSpec(slave: TeeSlave, mapsAudio: boolean): string {
  if (slave.kind === 'segments') return segmentsSpec(slave);
  if (slave.kind === 'tap')
    // UDP never blocks: no fifo. Parameter sets before every key frame, so a reader that joins
    // mid-stream can decode; only on the taps, the destinations get the stream as the camera sent it.
    return `[f=mpegts:use_fifo=0:onfail=ignore:bsfs/v=dump_extra]${udpUrl(slave.port)}`;
  const opts = [
    ...slaveFormat(slave.protocol),
    ...tlsOptions(slave.protocol, slave.tls).map(([k, v]) => `${k}=${teeEscape(teeOptionValue(v))}`),
    'onfail=ignore',
  ];
  // A slave's own fifo_options replace the tee's -fifo_options whole (measured, ffmpeg 5.1).
  if (slave.retrySeconds !== undefined)
    opts.push(`fifo_options=${teeEscape(teeOptionValue(fifoOptions(slave.retrySeconds)))}`);
  if (mapsAudio && !slave.audio) opts.push('select=v');
  return `[${opts.join(':')}]${teeEscape(slave.url)}`;
}

/** The muxer each destination protocol is written with, and its muxer options: one table for both kinds of writer. */
const MUXER: Record<PlannedOutput['protocol'], { format: string; options: [string, string][] }> = {
  rtsp: { format: 'rtsp', options: [['rtsp_transport', 'tcp']] },
  rtsps: { format: 'rtsp', options: [['rtsp_transport', 'tcp']] },
  rtmp: { format: 'flv', options: [] },
  rtmps: { format: 'flv', options: [] },
  srt: { format: 'mpegts', options: [] },
};

/**
 * Certificate verification that ffmpeg 5.1 itself honours: on RTMPS (the flv muxer hands
 * tls_verify and ca_file down to its TLS connection, in a tee slave too). The RTSP muxer refuses
 * them in a tee slave ("Unknown option") and ignores them elsewhere, so an RTSPS destination's
 * certificate is checked by the gateway instead (tls-check.ts); docs/relay.md, TLS.
 */
function tlsOptions(
  protocol: PlannedOutput['protocol'],
  tls: PlannedOutput['tls'] | undefined,
): [string, string][] {
  if (protocol !== 'rtmps' || !tls?.verify) return [];
  return [['tls_verify', '1'], ...(tls.caFile ? [['ca_file', tls.caFile] as [string, string]] : [])];
}

/** As tee slave options: f=rtsp:rtsp_transport=tcp */
function slaveFormat(protocol: PlannedOutput['protocol']): string[] {
  const m = MUXER[protocol];
  return [`f=${m.format}`, ...m.options.map(([k, v]) => `${k}=${v}`)];
}

/**
 * The one ffmpeg per camera stream: pulls the camera once and writes every copy destination and
 * the local segments through a tee, plus a loopback UDP tap per transcoding destination.
 */
export function cameraCommand(opts: {
  streamUri: string;
  slaves: TeeSlave[];
  audio: boolean;
  ioTimeoutSeconds: number;
  version: FfmpegVersion;
  progressSeconds: number;
}): FfmpegCommand {
  const timeoutOption = opts.version.major >= 5 ? '-timeout' : '-stimeout';
  return {
    input: opts.streamUri,
    inputOptions: [
      ...globalOptions(opts.progressSeconds),
      '-protocol_whitelist',
      CAMERA_PROTOCOLS,
      '-rtsp_transport',
      'tcp',
      timeoutOption,
      String(Math.round(opts.ioTimeoutSeconds * 1_000_000)),
      '-fflags',
      '+genpts+discardcorrupt',
      '-analyzeduration',
      '2000000',
      '-probesize',
      '2000000',
    ],
    output: opts.slaves.map((s) => slaveSpec(s, opts.audio)).join('|'),
    outputOptions: [
      '-map',
      '0:v:0',
      ...(opts.audio ? ['-map', '0:a:0?'] : []),
      '-c',
      'copy',
      '-f',
      'tee',
      '-use_fifo',
      '1',
      '-fifo_options',
      fifoOptions(),
    ],
  };
}

/** As command-line options of a transcoding writer: -f rtsp -rtsp_transport tcp */
function formatFor(protocol: PlannedOutput['protocol'], tls: PlannedOutput['tls']): string[] {
  const m = MUXER[protocol];
  const args = [
    '-f',
    m.format,
    ...[...m.options, ...tlsOptions(protocol, tls)].flatMap(([k, v]) => [`-${k}`, v]),
  ];
  // Honoured once socket buffers fill; the stall watchdog covers the time before that.
  return m.format === 'flv' ? [...args, '-rw_timeout', '10000000'] : args;
}

function codecFor(out: PlannedOutput): string[] {
  const t = out.transcode;
  if (!t) return ['-c', 'copy'];
  const scale = t.width || t.height ? ['-vf', `scale=${t.width ?? -2}:${t.height ?? -2}`] : [];
  const fps = t.fps ? ['-r', String(t.fps)] : [];
  return [
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-tune',
    'zerolatency',
    '-b:v',
    `${t.bitrateKbps}k`,
    '-maxrate',
    `${t.bitrateKbps}k`,
    '-bufsize',
    `${t.bitrateKbps * 2}k`,
    '-g',
    String((t.fps ?? 25) * 2),
    ...scale,
    ...fps,
    ...(out.audio ? ['-c:a', 'copy'] : []),
  ];
}

export function outputCommand(opts: {
  output: PlannedOutput;
  url: string;
  udpPort: number;
  progressSeconds: number;
}): FfmpegCommand {
  return {
    ...loopbackInput(opts.udpPort, opts.progressSeconds),
    output: opts.url,
    outputOptions: [
      '-map',
      '0:v:0',
      ...(opts.output.audio ? ['-map', '0:a:0?'] : []),
      ...codecFor(opts.output),
      ...formatFor(opts.output.protocol, opts.output.tls),
    ],
  };
}
