// The relay's one ticker: every tick each camera stream judges its processes and destinations;
// at most one read of the TCP table per tick feeds them all, the bitrates and backfill's pace.
import { monoNow } from '../core/clock.ts';
import type { LiveRates } from '../core/status.ts';
import type { Logger } from '../log/logger.ts';
import { LiveRateSampler } from './live-rates.ts';
import { ByteRates } from './socket-bytes.ts';
import type { StreamRelay } from './stream-relay.ts';
import { SsShell } from './ss-shell.ts';
import { readTcpTable, TABLE_ARGS } from './tcp-table.ts';
import { readWildcardUdpInodes } from './udp-table.ts';

export class RelayTicker {
  readonly tickMs: number;
  private readonly stallMs: number;
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private tickedAt: number | null = null;
  private lookedAt = 0;
  /** A look at the TCP table is under way (ss runs asynchronously). */
  private looking = false;
  private tableWarned = false;
  private readonly rates = new ByteRates();
  /** Rates between consecutive looks, for backfill's pace (live-rates.ts). */
  private readonly liveRateSampler = new LiveRateSampler();
  private readonly ss = new SsShell(TABLE_ARGS);

  constructor(
    stallSeconds: number,
    private readonly relays: () => StreamRelay[],
    private readonly logger: Logger,
  ) {
    this.stallMs = stallSeconds * 1000;
    this.tickMs = Math.min(2000, Math.max(500, this.stallMs / 5));
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.startedAt = monoNow();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.ss.close();
  }

  /**
   * Reading the TCP table walks the kernel's whole connection hash (its cost follows the
   * machine's memory, however few connections there are: bench/relay), so it is read at every
   * tick only while some destination is not live or gave no evidence at the last look, and
   * otherwise every stallMs / 2. Bitrates are sampled from the same reads.
   */
  private tick(): void {
    const now = monoNow();
    this.tickedAt = now;
    const relays = this.relays();
    // SRT destinations are judged at every tick from /proc/net/udp (a short file: cheap).
    const srt = relays.some((r) => r.hasSrt()) ? readWildcardUdpInodes() : null;
    const needs = relays.map((r) => r.needsSockets());
    const due =
      !this.looking &&
      (needs.some((n) => n?.close) ||
        (needs.some(Boolean) &&
          (this.liveRateSampler.wanted(now) || now - this.lookedAt >= this.stallMs / 2)));
    if (!due) {
      for (const relay of relays) relay.tick(now, null, this.rates, srt);
      return;
    }
    this.lookedAt = now;
    this.looking = true;
    void readTcpTable(this.ss)
      .then((table) => {
        const at = monoNow();
        if (!table && !this.tableWarned) {
          this.tableWarned = true;
          this.logger.warn('cannot read the TCP table (iproute2 ss): destinations follow their camera');
        }
        if (table && this.rates.claimSample(at)) this.rates.update(table, at);
        if (table) this.liveRateSampler.update(table, at);
        for (const relay of this.relays()) relay.tick(at, table, this.rates, srt);
      })
      .finally(() => (this.looking = false));
  }

  /**
   * Each live destination's acknowledged rate beside its camera's, between the last two looks;
   * asking makes the ticker look at every tick for a few seconds (backfill asks while it runs).
   */
  liveRates(now = monoNow()): LiveRates | null {
    return this.liveRateSampler.sample(
      now,
      this.relays().map((r) => r.rateInputs()),
    );
  }

  /** Why the supervisors' ticker looks stuck (for the watchdog), or null; null too before start. */
  problem(now = monoNow()): string | null {
    if (!this.timer) return null;
    const since = now - (this.tickedAt ?? this.startedAt);
    return since > 3 * this.tickMs + 1000
      ? `relay supervisors last ticked ${Math.round(since / 1000)} s ago`
      : null;
  }
}
