// Camera accounts are never locked by the gateway (issue 12): after a camera rejects a set of
// credentials, that set is tried again at most `attemptsPerHour` times an hour; a different set
// (a reload, a remote command) is tried at once. Many cameras (Dahua and its OEMs) lock the account
// after 5 failures, often the account the site's own recorder uses. One hold per camera host, shared
// by the ONVIF reads and the RTSP pull: the camera counts both against the same account. Pure; the
// clock is injected.
// Monotonic by default: a wall clock stepped forward must not forget the failures of the last hour
// (three more logins against a Dahua that locks at five).
import type { Clock } from './backoff.ts';
import { monoNow } from './clock.ts';

const monotonic: Clock = { now: monoNow, random: Math.random };

const HOUR = 3_600_000;

interface Hold {
  /** Opaque fingerprint of the rejected credentials (never the password itself). */
  key: string;
  /** Failed attempts with that key, on the holds' clock. */
  failures: number[];
  /** Who was refused first: an ONVIF success does not prove an RTSP refusal (a 403) wrong. */
  via: LoginVia;
}

export type LoginVia = 'onvif' | 'rtsp';

export class AuthHolds {
  private readonly holds = new Map<string, Hold>();

  constructor(
    private readonly attemptsPerHour: number,
    private readonly clock: Clock = monotonic,
  ) {}

  /** Now on the clock the retry times are on. */
  now(): number {
    return this.clock.now();
  }

  /** Whether `target` may be tried with credentials `key` now. */
  mayTry(target: string, key: string): boolean {
    const hold = this.holds.get(target);
    if (!hold || hold.key !== key) return true;
    const at = this.nextTry(hold);
    return at !== null && at <= this.clock.now();
  }

  /**
   * When the next attempt with the held key is allowed, on the holds' clock, or null when not held
   * or when it never is (0 attempts an hour: only new credentials are tried).
   */
  retryAt(target: string): number | null {
    const hold = this.holds.get(target);
    return hold ? this.nextTry(hold) : null;
  }

  /**
   * At most attemptsPerHour failures in any hour, and spread over it (one every hour/attempts): a
   * burst would spend the camera's whole allowance of failed logins at once.
   */
  private nextTry(hold: Hold): number | null {
    if (this.attemptsPerHour <= 0) return null;
    const now = this.clock.now();
    hold.failures = hold.failures.filter((t) => t > now - HOUR);
    const recent = hold.failures;
    const last = recent[recent.length - 1];
    const spaced = last === undefined ? now : last + HOUR / this.attemptsPerHour;
    const capped =
      recent.length < this.attemptsPerHour
        ? now
        : (recent[recent.length - this.attemptsPerHour] ?? now) + HOUR;
    return Math.max(spaced, capped);
  }

  /**
   * The target rejected credentials `key`, counting `logins` failed logins (a read that retried
   * after a clock re-sync made two); true when this starts a hold (first rejection of that key).
   */
  rejected(target: string, key: string, logins = 1, via: LoginVia = 'onvif'): boolean {
    const now = this.clock.now();
    const stamps = Array.from({ length: Math.max(1, logins) }, () => now);
    const hold = this.holds.get(target);
    if (hold && hold.key === key) {
      hold.failures.push(...stamps);
      return false;
    }
    this.holds.set(target, { key, failures: stamps, via });
    return true;
  }

  /** Whether `target` has a hold (with any key): its next try must be a single login. */
  isHeld(target: string): boolean {
    return this.holds.has(target);
  }

  /** `via` took the credentials: the hold ends, unless it is an RTSP refusal and this was ONVIF. */
  accepted(target: string, via: LoginVia = 'onvif'): void {
    const hold = this.holds.get(target);
    if (hold && (via === 'rtsp' || hold.via === via)) this.holds.delete(target);
  }

  held(): string[] {
    return [...this.holds.keys()].sort();
  }
}
