// Which round of a client's exchange each SOAP request belongs to, told by causality rather than by
// a clock: a request that arrived after an answer of round r was sent can have waited for it, so it
// is of round r + 1 at least; requests sent side by side arrive before either is answered (give the
// camera a responseDelayMs well above the machine's scheduling jitter). One client at a time.
import type { SimSoapRequest } from './types.ts';

export class RoundLog {
  readonly requests: SimSoapRequest[] = [];
  /** The highest round among the answers sent so far. */
  private answered = 0;

  /** A request has arrived; call the returned function once its answer is sent. */
  arrive(action: string, credentials: boolean): () => void {
    const entry: SimSoapRequest = { action, credentials, round: this.answered + 1 };
    this.requests.push(entry);
    return () => {
      this.answered = Math.max(this.answered, entry.round);
    };
  }
}
