// Paces streams through one shared TokenBucket, so the cap holds across every concurrent upload.
// Tokens are taken when a chunk leaves this stream, i.e. on the bytes handed to the socket.
import { Transform, type TransformCallback } from 'node:stream';
import { TokenBucket, burstFor, kbpsToBytesPerSecond } from './rate-bucket.ts';

/** Largest piece paced at once; smaller pieces make the rate smoother across uploads. */
const PIECE = 16 * 1024;

export class Throttle {
  readonly bucket: TokenBucket | null;

  /** kbps null or undefined: unlimited (the stream passes chunks straight through). */
  constructor(kbps: number | null | undefined, now?: () => number) {
    if (kbps === null || kbps === undefined) this.bucket = null;
    else {
      const rate = kbpsToBytesPerSecond(kbps);
      this.bucket = new TokenBucket(rate, burstFor(rate), now);
    }
  }

  get kbps(): number | null {
    return this.bucket ? (this.bucket.bytesPerSecond * 8) / 1000 : null;
  }

  stream(): Transform {
    const bucket = this.bucket;
    if (!bucket) return new Transform({ transform: (chunk, _enc, done) => done(null, chunk) });
    let timer: NodeJS.Timeout | null = null;
    let wake: () => void = () => undefined;
    let destroyed = false;
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, ms);
      });
    return new Transform({
      transform(chunk: Buffer, _enc, done: TransformCallback) {
        void (async () => {
          for (let at = 0; at < chunk.length; at += PIECE) {
            const piece = chunk.subarray(at, at + PIECE);
            const wait = bucket.reserve(piece.length);
            if (wait > 0) await pause(wait);
            if (destroyed) {
              bucket.refund(piece.length);
              return;
            }
            this.push(piece);
          }
          done();
        })();
      },
      destroy(err, cb) {
        destroyed = true;
        if (timer) clearTimeout(timer);
        wake();
        cb(err);
      },
    });
  }
}
