// Camera accounts are never locked by the gateway (issue 12): after a camera rejects a set of
// credentials, that set is tried again at most `attemptsPerHour` times an hour; a different set
// (a reload, a remote command) is tried at once. Many cameras (Dahua and its OEMs) lock the account
// after 5 failures, often the account the site's own recorder uses. Pure; the clock is injected.
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
}

export class AuthHolds {
  private readonly holds = new Map<string, Hold>();

  constructor(
    private readonly attemptsPerHour: number,
    private readonly clock: Clock = monotonic,
  ) {}

  /** Whether `target` may be tried with credentials `key` now. */
  mayTry(target: string, key: string): boolean {
    const hold = this.holds.get(target);
    if (!hold || hold.key !== key) return true;
    const now = this.clock.now();
    hold.failures = hold.failures.filter((t) => t > now - HOUR);
    return hold.failures.length < this.attemptsPerHour;
  }

  /** When the next attempt with the held key is allowed, on the holds' clock, or null when not held. */
  retryAt(target: string): number | null {
    const hold = this.holds.get(target);
    if (!hold) return null;
    const recent = hold.failures.filter((t) => t > this.clock.now() - HOUR);
    if (recent.length < this.attemptsPerHour) return this.clock.now();
    return (recent[recent.length - this.attemptsPerHour] ?? this.clock.now()) + HOUR;
  }

  /**
   * The target rejected credentials `key`, counting `logins` failed logins (a read that retried
   * after a clock re-sync made two); true when this starts a hold (first rejection of that key).
   */
  rejected(target: string, key: string, logins = 1): boolean {
    const now = this.clock.now();
    const stamps = Array.from({ length: Math.max(1, logins) }, () => now);
    const hold = this.holds.get(target);
    if (hold && hold.key === key) {
      hold.failures.push(...stamps);
      return false;
    }
    this.holds.set(target, { key, failures: stamps });
    return true;
  }

  /** Whether `target` has a hold (with any key): its next try must be a single login. */
  isHeld(target: string): boolean {
    return this.holds.has(target);
  }

  accepted(target: string): void {
    this.holds.delete(target);
  }

  held(): string[] {
    return [...this.holds.keys()].sort();
  }
}
