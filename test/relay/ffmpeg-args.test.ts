import { describe, expect, it } from 'vitest';
import type { PlannedOutput } from '../../src/core/relay-plan.ts';
import {
  CAMERA_PROTOCOLS,
  cameraCommand,
  destinationRetrySeconds,
  outputCommand,
  progressSeconds,
  teeEscape,
  type TeeSlave,
} from '../../src/relay/ffmpeg-args.ts';
import { parseFfmpegVersion, checkSupported, muxersOf } from '../../src/relay/ffmpeg-version.ts';
import { parseProgressBlock } from '../../src/relay/ffmpeg-process.ts';

const v51 = { major: 5, minor: 1, text: '5.1' };
const v44 = { major: 4, minor: 4, text: '4.4' };

const output = (over: Partial<PlannedOutput> = {}): PlannedOutput => ({
  destinationId: 'national',
  url: 'rtmp://ingest.example/live/site-cam1',
  protocol: 'rtmp',
  audio: false,
  transcode: null,
  kbps: 4000,
  tls: null,
  ...over,
});

describe('camera command', () => {
  const dest = (url: string, protocol: PlannedOutput['protocol'], audio = false) =>
    ({ kind: 'destination', url, protocol, audio }) satisfies TeeSlave;

  it('pulls the camera once and writes every destination through a tee, each behind its own fifo (ffmpeg 5)', () => {
    const cmd = cameraCommand({
      streamUri: 'rtsp://u:p@10.0.0.5/main',
      slaves: [
        dest('rtmp://ingest.example/live/site-cam1', 'rtmp'),
        dest('rtsp://ioc.example:8554/live/site-cam1', 'rtsp'),
        dest('srt://doh.example:9000?streamid=cam1', 'srt'),
        { kind: 'tap', port: 40001 },
      ],
      audio: false,
      ioTimeoutSeconds: 5,
      version: v51,
      progressSeconds: 2,
    });
    expect(cmd.input).toBe('rtsp://u:p@10.0.0.5/main');
    expect(cmd.inputOptions).toEqual([
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-stats_period',
      '2',
      '-progress',
      'pipe:1',
      '-protocol_whitelist',
      'rtsp,rtsps,tcp,udp,rtp,srtp,tls',
      '-rtsp_transport',
      'tcp',
      '-timeout',
      '5000000',
      '-fflags',
      '+genpts+discardcorrupt',
      '-analyzeduration',
      '2000000',
      '-probesize',
      '2000000',
    ]);
    expect(cmd.output.split('|')).toEqual([
      '[f=flv:onfail=ignore]rtmp://ingest.example/live/site-cam1',
      '[f=rtsp:rtsp_transport=tcp:onfail=ignore]rtsp://ioc.example:8554/live/site-cam1',
      '[f=mpegts:onfail=ignore]srt://doh.example:9000?streamid=cam1',
      '[f=mpegts:use_fifo=0:onfail=ignore:bsfs/v=dump_extra]udp://127.0.0.1:40001?pkt_size=1316&localaddr=127.0.0.1',
    ]);
    expect(cmd.outputOptions).toEqual([
      '-map',
      '0:v:0',
      '-c',
      'copy',
      '-f',
      'tee',
      '-use_fifo',
      '1',
      '-fifo_options',
      'drop_pkts_on_overflow=1:attempt_recovery=1:recover_any_error=1:recovery_wait_time=2:max_recovery_attempts=0:restart_with_keyframe=1',
    ]);
  });

  it('writes the local segments as one more slave: clock-aligned, named by the second they open, listed as they close', () => {
    const cmd = cameraCommand({
      streamUri: 'rtsp://10.0.0.5/main',
      slaves: [
        dest('rtmp://ingest.example/live/site-cam1', 'rtmp'),
        { kind: 'segments', dir: '/var/spool/egw/cam1/writing', runId: '1764700000000', segmentSeconds: 4 },
      ],
      audio: false,
      ioTimeoutSeconds: 5,
      version: v51,
      progressSeconds: 2,
    });
    expect(cmd.output.split('|')).toEqual([
      '[f=flv:onfail=ignore]rtmp://ingest.example/live/site-cam1',
      '[f=segment:segment_time=4:segment_atclocktime=1:segment_format=mpegts:reset_timestamps=1:strftime=1:' +
        'segment_list=/var/spool/egw/cam1/writing/1764700000000.csv:segment_list_type=csv:' +
        'segment_format_options=flush_packets=1:onfail=ignore:bsfs/v=dump_extra]' +
        '/var/spool/egw/cam1/writing/1764700000000-%s.ts',
    ]);
  });

  it("escapes a spool path for the slave's option parser, the tee's split and strftime", () => {
    const cmd = cameraCommand({
      streamUri: 'rtsp://10.0.0.5/main',
      slaves: [{ kind: 'segments', dir: "/srv/a:b|c'd%e", runId: '1', segmentSeconds: 2 }],
      audio: false,
      ioTimeoutSeconds: 5,
      version: v51,
      progressSeconds: 2,
    });
    // Tried against ffmpeg 5.1: the list and the files land in that directory.
    expect(cmd.output).toContain("segment_list=/srv/a\\\\:b\\|c\\\\\\'d%e/1.csv:");
    expect(cmd.output).toMatch(/\]\/srv\/a:b\\\|c\\'d%%e\/1-%s\.ts$/);
  });

  it('uses -stimeout on ffmpeg 4.4, where -timeout would make RTSP listen as a server', () => {
    const cmd = cameraCommand({
      streamUri: 'rtsp://cam/main',
      slaves: [{ kind: 'tap', port: 1 }],
      audio: false,
      ioTimeoutSeconds: 3,
      version: v44,
      progressSeconds: 1,
    });
    expect(cmd.inputOptions).toContain('-stimeout');
    expect(cmd.inputOptions).not.toContain('-timeout');
  });

  it('maps audio only when a destination wants it, and keeps it from the others', () => {
    const cmd = cameraCommand({
      streamUri: 'rtsp://cam/main',
      slaves: [dest('rtmp://a/live/x', 'rtmp', true), dest('rtmp://b/live/x', 'rtmp', false)],
      audio: true,
      ioTimeoutSeconds: 3,
      version: v51,
      progressSeconds: 1,
    });
    expect(cmd.outputOptions.slice(0, 4)).toEqual(['-map', '0:v:0', '-map', '0:a:0?']);
    expect(cmd.output).toBe(
      '[f=flv:onfail=ignore]rtmp://a/live/x|[f=flv:onfail=ignore:select=v]rtmp://b/live/x',
    );
  });

  it("gives each destination its own fifo retry, 2 s +-20 %, escaped twice for the slave's options and the tee's split", () => {
    expect(destinationRetrySeconds(() => 0)).toBe(1.6);
    expect(destinationRetrySeconds(() => 0.5)).toBe(2);
    expect(destinationRetrySeconds(() => 1)).toBe(2.4);
    const cmd = cameraCommand({
      streamUri: 'rtsp://cam/main',
      slaves: [{ ...dest('rtmp://a/live/x', 'rtmp'), retrySeconds: 1.87 }, dest('rtmp://b/live/x', 'rtmp')],
      audio: false,
      ioTimeoutSeconds: 3,
      version: v51,
      progressSeconds: 1,
    });
    // Measured on ffmpeg 5.1: reconnects 0.72 s apart with recovery_wait_time=0.7 given this way.
    expect(cmd.output.split('|')).toEqual([
      '[f=flv:onfail=ignore:fifo_options=drop_pkts_on_overflow=1\\\\:attempt_recovery=1\\\\:recover_any_error=1\\\\:' +
        'recovery_wait_time=1.87\\\\:max_recovery_attempts=0\\\\:restart_with_keyframe=1]rtmp://a/live/x',
      '[f=flv:onfail=ignore]rtmp://b/live/x',
    ]);
  });

  it("escapes what the tee's parser would take for its own syntax in a destination URL", () => {
    const url = "rtmp://user:p%7Cw'd@x/live/a|b";
    expect(teeEscape(url)).toBe("rtmp://user:p%7Cw\\'d@x/live/a\\|b");
    const cmd = cameraCommand({
      streamUri: 'rtsp://cam/main',
      slaves: [dest(url, 'rtmp'), { kind: 'tap', port: 2 }],
      audio: false,
      ioTimeoutSeconds: 3,
      version: v51,
      progressSeconds: 1,
    });
    // Exactly two slaves: the "|" inside the URL did not split it.
    expect(cmd.output.split(/(?<!\\)\|/)).toHaveLength(2);
  });

  it('verifies an RTMPS certificate in the slave itself (against its CA file), and leaves RTSPS to the gateway', () => {
    const tls = { verify: true, caFile: '/etc/egw/ca:1.pem' };
    const cmd = cameraCommand({
      streamUri: 'rtsp://10.0.0.5/main',
      slaves: [
        { kind: 'destination', url: 'rtmps://a.example/live/c', protocol: 'rtmps', audio: false, tls },
        {
          kind: 'destination',
          url: 'rtmps://b.example/live/c',
          protocol: 'rtmps',
          audio: false,
          tls: { verify: false, caFile: null },
        },
        // ffmpeg 5.1's RTSP muxer refuses tls_verify in a tee slave ("Unknown option"): measured.
        { kind: 'destination', url: 'rtsps://c.example/live/c', protocol: 'rtsps', audio: false, tls },
      ],
      audio: false,
      ioTimeoutSeconds: 5,
      version: v51,
      progressSeconds: 2,
    });
    expect(cmd.output.split('|')).toEqual([
      '[f=flv:tls_verify=1:ca_file=/etc/egw/ca\\\\:1.pem:onfail=ignore]rtmps://a.example/live/c',
      '[f=flv:onfail=ignore]rtmps://b.example/live/c',
      '[f=rtsp:rtsp_transport=tcp:onfail=ignore]rtsps://c.example/live/c',
    ]);
    const transcoded = outputCommand({
      output: output({ protocol: 'rtmps', tls: { verify: true, caFile: '/ca.pem' } }),
      url: 'rtmps://a.example/live/c',
      udpPort: 1,
      progressSeconds: 1,
    });
    expect(transcoded.outputOptions.slice(-8)).toEqual([
      '-f',
      'flv',
      '-tls_verify',
      '1',
      '-ca_file',
      '/ca.pem',
      '-rw_timeout',
      '10000000',
    ]);
  });

  it('asks for progress at least five times per stall window, at most every 2 s', () => {
    expect(progressSeconds(10_000)).toBe(2); // the default stallSeconds
    expect(progressSeconds(60_000)).toBe(2);
    expect(progressSeconds(4_000)).toBe(1);
    expect(progressSeconds(1_000)).toBe(1); // ffmpeg's own floor here: a report a second
  });

  it('never lets a camera input read a local file', () => {
    expect(CAMERA_PROTOCOLS.split(',')).not.toContain('file');
    expect(CAMERA_PROTOCOLS.split(',')).not.toContain('http');
  });
});

describe('output command', () => {
  it('copies loopback UDP to RTMP as FLV with an I/O timeout', () => {
    const cmd = outputCommand({
      output: output(),
      url: 'rtmp://ingest.example/live/site-cam1',
      udpPort: 40001,
      progressSeconds: 1,
    });
    expect(cmd.input).toBe('udp://127.0.0.1:40001?fifo_size=10000&overrun_nonfatal=1');
    expect(cmd.inputOptions).toContain('-protocol_whitelist');
    expect(cmd.inputOptions[cmd.inputOptions.indexOf('-protocol_whitelist') + 1]).toBe('udp');
    // A reader joining mid-stream probes past a 2-4 s GOP, or it may never learn the picture size.
    expect(cmd.inputOptions[cmd.inputOptions.indexOf('-analyzeduration') + 1]).toBe('5000000');
    expect(cmd.outputOptions).toEqual([
      '-map',
      '0:v:0',
      '-c',
      'copy',
      '-f',
      'flv',
      '-rw_timeout',
      '10000000',
    ]);
  });

  it('pushes RTSP over TCP and SRT as MPEG-TS', () => {
    expect(
      outputCommand({
        output: output({ protocol: 'rtsp' }),
        url: 'rtsp://x/a',
        udpPort: 1,
        progressSeconds: 1,
      }).outputOptions,
    ).toEqual(['-map', '0:v:0', '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp']);
    expect(
      outputCommand({
        output: output({ protocol: 'srt' }),
        url: 'srt://x:9000',
        udpPort: 1,
        progressSeconds: 1,
      }).outputOptions,
    ).toEqual(['-map', '0:v:0', '-c', 'copy', '-f', 'mpegts']);
  });

  it('transcodes only when asked, with a bounded bitrate', () => {
    const cmd = outputCommand({
      output: output({ transcode: { codec: 'h264', bitrateKbps: 800, width: 640, height: 360, fps: 15 } }),
      url: 'rtmp://x/live/a',
      udpPort: 1,
      progressSeconds: 1,
    });
    expect(cmd.outputOptions).toEqual([
      '-map',
      '0:v:0',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-tune',
      'zerolatency',
      '-b:v',
      '800k',
      '-maxrate',
      '800k',
      '-bufsize',
      '1600k',
      '-g',
      '30',
      '-vf',
      'scale=640:360',
      '-r',
      '15',
      '-f',
      'flv',
      '-rw_timeout',
      '10000000',
    ]);
  });
});

describe('ffmpeg version', () => {
  it.each([
    ['ffmpeg version 5.1.6-0+deb12u1 Copyright (c) 2000-2024', 5, 1],
    ['ffmpeg version n4.4.2 Copyright', 4, 4],
    ['ffmpeg version 7.1 Copyright', 7, 1],
  ])('reads %s', (text, major, minor) => {
    expect(parseFfmpegVersion(text)).toMatchObject({ major, minor });
  });

  it('refuses versions older than 4.4 with a message naming the version', () => {
    expect(() => checkSupported({ major: 4, minor: 1, text: '4.1' })).toThrow(/4\.1 is too old/);
    expect(() => checkSupported(v44)).not.toThrow();
  });

  it('knows HEVC in FLV (enhanced RTMP) from ffmpeg 6.1 on', () => {
    const at = (major: number, minor: number) => muxersOf({ major, minor, text: `${major}.${minor}` });
    expect([at(5, 1), at(6, 0), at(6, 1), at(7, 0)].map((m) => m.hevcInFlv)).toEqual([
      false,
      false,
      true,
      true,
    ]);
    expect(at(5, 1).ffmpeg).toBe('5.1');
  });

  it('returns null for output that is not ffmpeg', () => {
    expect(parseFfmpegVersion('bash: ffmpeg: command not found')).toBeNull();
  });
});

describe('progress parsing', () => {
  it('reads a -progress block', () => {
    const block =
      'frame=250\nfps=25.00\nbitrate=4000.0kbits/s\ntotal_size=5000000\nout_time_us=10000000\nprogress=continue\n';
    expect(parseProgressBlock(block, 42)).toEqual({
      frame: 250,
      totalSize: 5000000,
      outTimeUs: 10000000,
      at: 42,
    });
  });

  it('treats N/A sizes as zero and ignores partial blocks', () => {
    expect(parseProgressBlock('frame=3\ntotal_size=N/A\nprogress=continue\n', 1)).toMatchObject({
      frame: 3,
      totalSize: 0,
    });
    expect(parseProgressBlock('frame=3\n', 1)).toBeNull();
  });
});
