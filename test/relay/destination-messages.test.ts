// ffmpeg's stderr lines attributed to the destination they name, with the lines ffmpeg 5.1 wrote
// here: a failed RTMPS certificate (said on the line before the address) and a failed SRT reconnect.
import { describe, expect, it } from 'vitest';
import type { PlannedOutput } from '../../src/core/relay-plan.ts';
import { createLogger } from '../../src/log/logger.ts';
import { DestinationMessages, markOf } from '../../src/relay/destination-messages.ts';
import { DestinationWatch, endpointOf } from '../../src/relay/destination-watch.ts';
import type { TeeDestination } from '../../src/relay/stream-relay.ts';

function destination(id: string, url: string, protocol: PlannedOutput['protocol']): TeeDestination {
  const output: PlannedOutput = {
    destinationId: id,
    url,
    protocol,
    audio: false,
    transcode: null,
    kbps: 1000,
    tls: null,
  };
  return {
    output,
    slave: { kind: 'destination', url, protocol, audio: false },
    mark: markOf(url, endpointOf(url, protocol)),
    watch: new DestinationWatch({
      destinationId: id,
      addresses: null,
      stallMs: 10_000,
      graceMs: 20_000,
      logger: createLogger({ level: 'silent' }),
    }),
  };
}

describe('destination messages', () => {
  it('gives a failed certificate to the destination named on the next line, and an SRT failure to the SRT one', () => {
    const tee = [
      destination('national', 'rtmps://127.0.0.1:41936/live/cam', 'rtmps'),
      destination('ioc', 'rtmps://127.0.0.1:41937/live/cam', 'rtmps'),
      destination('doh', 'srt://127.0.0.1:40123?streamid=cam', 'srt'),
    ];
    const messages = new DestinationMessages(tee);
    messages.line('[tls @ 0x7f05b4001800] Peer certificate failed verification');
    messages.line('[rtmps @ 0x7f05b4000e40] Cannot open connection tls://127.0.0.1:41936');
    messages.line(
      '[srt @ 0x7f0a4004d340] Connection to srt://127.0.0.1:40123?mode=caller failed: Input/output error',
    );
    const last = tee.map((d) => d.watch.status().lastError);
    expect(last[0]).toMatch(/^the destination's TLS certificate failed verification \(ffmpeg: .*41936\)$/);
    expect(last[1]).toBeNull();
    expect(last[2]).toMatch(/Connection to srt:\/\/127\.0\.0\.1:40123.* failed/);
  });

  it('counts each reconnect the fifo could not open as a failure of that destination only', () => {
    const tee = [
      destination('national', 'rtmp://127.0.0.1:1935/live/a', 'rtmp'),
      destination('ioc', 'rtmp://127.0.0.1:1935/live/b', 'rtmp'),
    ];
    tee[0]!.watch.start(0);
    tee[1]!.watch.start(0);
    const messages = new DestinationMessages(tee);
    // As ffmpeg 5.1 wrote them for a refused RTMP destination, once per reconnect.
    for (let i = 0; i < 3; i++) {
      messages.line(
        '[tcp @ 0x7fc92c001700] Connection to tcp://127.0.0.1:1935?tcp_nodelay=0 failed: Connection refused',
      );
      messages.line('[fifo @ 0x559bc626ef80] Error opening rtmp://127.0.0.1:1935/live/a: Connection refused');
    }
    expect(tee[0]!.watch.status()).toMatchObject({
      failures: 3,
      lastError: 'could not open the destination: Connection refused',
    });
    expect(tee[1]!.watch.status().failures).toBe(0);
  });

  it('marks an SRT destination only by an explicit port (it has no default)', () => {
    expect(markOf('srt://[::1]:9000?streamid=a', null)).toBe('::1:9000');
    expect(markOf('srt://platform.example?streamid=a', null)).toBeNull();
  });
});
