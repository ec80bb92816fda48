import { describe, expect, it } from 'vitest';
import { scrubText } from '../../src/log/secrets.ts';
import { openFailure } from '../../src/relay/tap-reader.ts';

describe("a tap reader's failure in words", () => {
  const url = 'rtmp://user:Pw-9x@127.0.0.1:1935/live/gate';
  // As ffmpeg 5.1 ends when it cannot open an RTMP output (measured), each line scrubbed as it is read.
  const tail = [
    '[tcp @ 0x5555] Connection to tcp://127.0.0.1:1935?tcp_nodelay=0 failed: Connection refused',
    '[rtmp @ 0x5556] Cannot open connection tcp://127.0.0.1:1935?tcp_nodelay=0',
    `${url}: Connection refused`,
  ].map((l) => scrubText(l));

  it("says what the tee says of a destination it could not open, from ffmpeg's last line naming it", () => {
    expect(openFailure(tail, url)).toBe('could not open the destination: Connection refused');
  });

  it('says nothing of lines about another destination or no destination', () => {
    expect(openFailure(tail, 'rtmp://127.0.0.1:1935/live/other')).toBeNull();
    expect(openFailure(tail.slice(0, 2), url)).toBeNull();
  });
});
