// The share of a time window a destination was live, from its recorded up/down changes. Pure.
// The 2021 orders asked for 24/24: this is the number a province reads.

export interface Change {
  up: boolean;
  atMs: number;
}

/**
 * Seconds live within [fromMs, toMs): `before` is the state at fromMs (the last change before
 * the window, null if none: not running then, so not live), `changes` those inside, in order.
 */
export function liveSeconds(before: boolean | null, changes: Change[], fromMs: number, toMs: number): number {
  let live = 0;
  let up = before === true;
  let since = fromMs;
  for (const c of changes) {
    if (c.atMs < fromMs || c.atMs >= toMs) continue;
    if (up) live += c.atMs - since;
    up = c.up;
    since = c.atMs;
  }
  if (up) live += toMs - since;
  return Math.round(live / 1000);
}

export interface DestinationAvailability {
  id: string;
  liveSeconds: number;
  share: number;
}

export function share(live: number, windowSeconds: number): number {
  return windowSeconds > 0 ? Math.round((live / windowSeconds) * 10_000) / 10_000 : 0;
}
