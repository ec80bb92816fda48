// What ffmpeg writes about one destination of the camera's tee, kept as that destination's last
// error: ffmpeg names the destination by its address (host:port) in its messages, except a failed
// certificate, which it says on the line before, without the address (measured, ffmpeg 5.1). Each
// reconnect its fifo could not open is one more failure of that destination (issue 12 item 6).
import { fifoOpenFailure, type Endpoint } from './destination-watch.ts';
import type { TeeDestination } from './tee-exit.ts';

export class DestinationMessages {
  /** ffmpeg's line about a failed certificate, until the next line names the destination. */
  private certificate: string | null = null;

  constructor(private readonly tee: TeeDestination[]) {}

  line(line: string): void {
    if (/certificate failed verification/i.test(line)) {
      this.certificate = line;
      return;
    }
    const certificate = this.certificate;
    for (const d of this.tee) {
      const refused = fifoOpenFailure(line, d.output.url);
      if (refused !== null) d.watch.noteOpenFailure(`could not open the destination: ${refused}`);
      if (!d.mark || !line.includes(d.mark)) continue;
      this.certificate = null;
      if (certificate)
        d.watch.noteError(`the destination's TLS certificate failed verification (ffmpeg: ${line})`);
      // A refused open is already its last error, in words.
      else if (refused === null) d.watch.noteError(line);
    }
  }
}

/** host:port as ffmpeg writes it in its messages about a destination (SRT has no default port). */
export function markOf(url: string, endpoint: Endpoint | null): string | null {
  if (endpoint) return `${endpoint.host}:${endpoint.port}`;
  const u = new URL(url);
  return u.port ? `${u.hostname.replace(/^\[|\]$/g, '')}:${u.port}` : null;
}
