// Where every second of a camera went (issue 15 item 4). Over the time the camera was configured,
// each second of a destination is delivered live, delivered by backfill, still owed, or lost with
// a reason; each second of the recording is recorded or lost with a reason. Whatever is none of
// these is `unaccounted`: the invariant is that it stays under a segment. Pure.
import { clip, coveredMs, intersect, subtract, union, type Interval, type Span } from './intervals.ts';

export interface LostSpan extends Span {
  reason: string;
}

/**
 * Every reason a second is lost (docs/backfill.md, "Where every second went"). When lost spans of
 * several reasons overlap, a second is counted once, under the first of these (any other after
 * them in alphabetical order): the cause nearest the camera explains the most. `relay-restart`:
 * the gateway restarted a camera's ffmpeg itself (a clock stepped back, a black-holed destination
 * it could not reset alone, a failing destination moved out of the tee, a certificate that now
 * verifies, a restart asked for). `never-live`: before the relay first judged the destination (dead
 * since it was configured, not sent for its codec, added after the camera).
 */
export const LOST_REASONS = [
  'camera-down',
  'gateway-down',
  'starting',
  'relay-restart',
  'not-recorded',
  'partial-discarded',
  'missing',
  'corrupt',
  'evicted-undelivered',
  'no-backfill-endpoint',
  'never-live',
] as const;

export type LostReason = (typeof LOST_REASONS)[number];
const REASON_ORDER: readonly string[] = LOST_REASONS;

export interface DestinationAccount {
  configuredSeconds: number;
  liveSeconds: number;
  backfilledSeconds: number;
  owedSeconds: number;
  lostSeconds: number;
  lostByReason: Record<string, number>;
  unaccountedSeconds: number;
}

export interface RecordingAccount {
  configuredSeconds: number;
  recordedSeconds: number;
  lostSeconds: number;
  lostByReason: Record<string, number>;
  unaccountedSeconds: number;
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** Lost seconds by reason within `scope`, each second once; returns them and what is left of scope. */
function lostWithin(
  scope: Span[],
  lost: readonly LostSpan[],
): { byReason: Record<string, number>; rest: Span[] } {
  const reasons = [...new Set(lost.map((l) => l.reason))].sort((a, b) => {
    const ia = REASON_ORDER.indexOf(a);
    const ib = REASON_ORDER.indexOf(b);
    if (ia !== ib) return (ia < 0 ? Infinity : ia) - (ib < 0 ? Infinity : ib);
    return a < b ? -1 : 1;
  });
  const byReason: Record<string, number> = {};
  let rest = scope;
  for (const reason of reasons) {
    const part = intersect(
      rest,
      lost.filter((l) => l.reason === reason),
    );
    const ms = coveredMs(part);
    if (ms > 0) byReason[reason] = seconds(ms);
    rest = subtract(rest, part);
  }
  return { byReason, rest };
}

/**
 * One destination of one camera over `window`: `up` when the relay judged it live, `outages` when
 * the ledger says it missed the live stream (they win over `up`: an outage starts at what was
 * proven read, before the stall was seen), and within the outages the segments delivered by
 * backfill, those still owed, then the lost spans (the camera's and this destination's).
 * `judgedFromMs`: when the relay first judged the destination (its first state or outage), null
 * if never: what comes before it was never sent and is in no outage, and is lost as `never-live`
 * where no other reason explains it.
 */
export function accountDestination(input: {
  window: Span;
  up: readonly Span[];
  outages: readonly Interval[];
  backfilled: readonly Span[];
  owed: readonly Span[];
  lost: readonly LostSpan[];
  judgedFromMs?: number | null;
}): DestinationAccount {
  const w = [input.window];
  const before =
    input.judgedFromMs === undefined ? null : Math.min(input.judgedFromMs ?? Infinity, input.window.endMs);
  const never: LostSpan[] =
    before !== null && before > input.window.startMs
      ? [{ startMs: input.window.startMs, endMs: before, reason: 'never-live' }]
      : [];
  const missed = union(clip([...input.outages, ...never], input.window));
  const live = subtract(intersect(union(input.up), w), missed);
  const backfilled = intersect(missed, union(input.backfilled));
  const owed = intersect(subtract(missed, backfilled), union(input.owed));
  const { byReason, rest } = lostWithin(subtract(missed, [...backfilled, ...owed]), [
    ...input.lost,
    ...never,
  ]);
  const unaccounted = subtract(w, [...live, ...missed]).concat(rest);
  const lostMs = coveredMs(subtract(missed, [...backfilled, ...owed, ...rest]));
  return {
    configuredSeconds: seconds(input.window.endMs - input.window.startMs),
    liveSeconds: seconds(coveredMs(live)),
    backfilledSeconds: seconds(coveredMs(backfilled)),
    owedSeconds: seconds(coveredMs(owed)),
    lostSeconds: seconds(lostMs),
    lostByReason: byReason,
    unaccountedSeconds: seconds(coveredMs(unaccounted)),
  };
}

/** The local recording of one camera over `window`: segments written, then the lost spans. */
export function accountRecording(input: {
  window: Span;
  recorded: readonly Span[];
  lost: readonly LostSpan[];
}): RecordingAccount {
  const w = [input.window];
  const recorded = intersect(w, union(input.recorded));
  const { byReason, rest } = lostWithin(subtract(w, recorded), input.lost);
  return {
    configuredSeconds: seconds(input.window.endMs - input.window.startMs),
    recordedSeconds: seconds(coveredMs(recorded)),
    lostSeconds: seconds(coveredMs(subtract(subtract(w, recorded), rest))),
    lostByReason: byReason,
    unaccountedSeconds: seconds(coveredMs(rest)),
  };
}
