// Paces streams through one shared TokenBucket, so the cap holds across every concurrent upload.
// Tokens are taken when a chunk leaves this stream, i.e. on the bytes handed to the socket. The
// rate may change while uploads run (the live-first pace, backfill-pace.ts): each piece reads it.
import { Transform, type TransformCallback } from 'node:stream';
import { TokenBucket, burstFor, kbpsToBytesPerSecond } from './rate-bucket.ts';

/** Largest piece paced at once; smaller pieces make the rate smoother across uploads. */
const PIECE = 16 * 1024;

export class Throttle {
  private bucket_: TokenBucket | null = null;
  /** Bytes passed on since start: what backfill really sent, for the pace. */
  sentBytes = 0;

  /** kbps null or undefined: unlimited (the stream passes chunks straight through). */
  constructor(
    kbps: number | null | undefined,
    private readonly now?: () => number,
  ) {
    this.setKbps(kbps ?? null);
  }

  get bucket(): TokenBucket | null {
    return this.bucket_;
  }

  get kbps(): number | null {
    return this.bucket_ ? (this.bucket_.bytesPerSecond * 8) / 1000 : null;
  }

  /** A new rate for every stream of this throttle, from the next piece on; null: unlimited. */
  setKbps(kbps: number | null): void {
    if (kbps === null) {
      this.bucket_ = null;
      return;
    }
    const rate = kbpsToBytesPerSecond(kbps);
    if (this.bucket_) this.bucket_.setRate(rate, burstFor(rate));
    else this.bucket_ = new TokenBucket(rate, burstFor(rate), this.now);
  }

  stream(): Transform {
    let timer: NodeJS.Timeout | null = null;
    let wake: () => void = () => undefined;
    let destroyed = false;
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, ms);
      });
    const pace = async (out: Transform, chunk: Buffer, done: TransformCallback) => {
      for (let at = 0; at < chunk.length; at += PIECE) {
        const piece = chunk.subarray(at, at + PIECE);
        const bucket = this.bucket_;
        const wait = bucket ? bucket.reserve(piece.length) : 0;
        if (wait > 0) await pause(wait);
        if (destroyed) {
          bucket?.refund(piece.length);
          return;
        }
        this.sentBytes += piece.length;
        out.push(piece);
      }
      done();
    };
    const out: Transform = new Transform({
      transform: (chunk: Buffer, _enc, done: TransformCallback) => {
        if (this.bucket_) return void pace(out, chunk, done);
        this.sentBytes += chunk.length;
        done(null, chunk);
      },
      destroy(err, cb) {
        destroyed = true;
        if (timer) clearTimeout(timer);
        wake();
        cb(err);
      },
    });
    return out;
  }
}
