// Exact ffmpeg argument lists for the relay's two kinds of process. Pure, so tests can compare
// them word for word per ffmpeg version.
//
// ingest: camera RTSP -> one MPEG-TS copy per destination on its own loopback UDP port.
//   UDP never blocks the sender, so a stalled destination cannot slow the camera pull.
// output: loopback UDP -> one destination (RTSP, RTMP, SRT), copied unless transcoding is asked.
import type { PlannedOutput } from '../core/relay-plan.ts';
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

const GLOBAL = [
  '-hide_banner',
  '-nostdin',
  '-loglevel',
  'error',
  '-stats_period',
  '1',
  '-progress',
  'pipe:1',
];

/** Reading one of the ingest's loopback UDP copies: UDP only, so no input can read a file. */
/**
 * Reading one of the ingest's loopback UDP copies: UDP only, so no input can read a file. A
 * reader that (re)starts mid-stream must see a key frame before it knows the picture size, so it
 * may probe longer than the longest usual GOP (5 s); ffmpeg stops as soon as it has the size.
 */
function loopbackInput(port: number): Pick<FfmpegCommand, 'input' | 'inputOptions'> {
  return {
    // fifo_size is in 188-byte packets: ~1.9 MB, about 4 s at 4 Mbit/s (50000 cost 9.4 MB per reader).
    input: `udp://127.0.0.1:${port}?fifo_size=10000&overrun_nonfatal=1`,
    inputOptions: [
      ...GLOBAL,
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

export function udpUrl(port: number): string {
  return `udp://127.0.0.1:${port}?pkt_size=1316`;
}

export function ingestCommand(opts: {
  streamUri: string;
  udpPorts: number[];
  audio: boolean;
  ioTimeoutSeconds: number;
  version: FfmpegVersion;
}): FfmpegCommand {
  const timeoutOption = opts.version.major >= 5 ? '-timeout' : '-stimeout';
  const outputs = opts.udpPorts.map((p) => `[f=mpegts:onfail=ignore]${udpUrl(p)}`).join('|');
  return {
    input: opts.streamUri,
    inputOptions: [
      ...GLOBAL,
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
    output: outputs,
    outputOptions: [
      '-map',
      '0:v:0',
      ...(opts.audio ? ['-map', '0:a:0?'] : []),
      '-c',
      'copy',
      // Parameter sets before every key frame, so a reader joining mid-stream can decode.
      '-bsf:v',
      'dump_extra',
      '-f',
      'tee',
    ],
  };
}

function formatFor(protocol: PlannedOutput['protocol']): string[] {
  switch (protocol) {
    case 'rtsp':
    case 'rtsps':
      return ['-f', 'rtsp', '-rtsp_transport', 'tcp'];
    case 'rtmp':
    case 'rtmps':
      // Honoured once socket buffers fill; the stall watchdog covers the time before that.
      return ['-f', 'flv', '-rw_timeout', '10000000'];
    case 'srt':
      return ['-f', 'mpegts'];
  }
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

export function outputCommand(opts: { output: PlannedOutput; url: string; udpPort: number }): FfmpegCommand {
  return {
    ...loopbackInput(opts.udpPort),
    output: opts.url,
    outputOptions: [
      '-map',
      '0:v:0',
      ...(opts.output.audio ? ['-map', '0:a:0?'] : []),
      ...codecFor(opts.output),
      ...formatFor(opts.output.protocol),
    ],
  };
}

/**
 * Local recording: loopback UDP -> keyframe-aligned MPEG-TS segments, and a CSV list that gets a
 * line as each segment is closed, so the gateway indexes only complete files.
 */
export function recorderCommand(opts: {
  udpPort: number;
  dir: string;
  runId: string;
  segmentSeconds: number;
  audio: boolean;
}): FfmpegCommand {
  return {
    ...loopbackInput(opts.udpPort),
    output: `${opts.dir}/${opts.runId}-%06d.ts`,
    outputOptions: [
      '-map',
      '0:v:0',
      ...(opts.audio ? ['-map', '0:a:0?'] : []),
      '-c',
      'copy',
      '-f',
      'segment',
      '-segment_time',
      String(opts.segmentSeconds),
      '-segment_format',
      'mpegts',
      '-reset_timestamps',
      '1',
      '-segment_list',
      `${opts.dir}/${opts.runId}.csv`,
      '-segment_list_type',
      'csv',
      // Every packet reaches the disk as it is muxed (the inner MPEG-TS muxer's option: the segment
      // muxer's own -flush_packets does not reach it): a power cut loses at most the packet in flight.
      '-segment_format_options',
      'flush_packets=1',
    ],
  };
}
