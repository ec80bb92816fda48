// The wall clock's timebase of this boot, and the re-dating of what was stamped in it when the
// clock steps (src/core/clock.ts, src/buffer/clock-steps.ts). The only SQL of clock steps.
import type { Db } from './db.ts';

export interface ClockEpoch {
  /** The kernel's boot id: the monotonic clock, and so the offset, belong to one boot. */
  bootId: string;
  /** Wall minus monotonic time: the boot's wall time in the clock's present timebase. */
  offsetMs: number;
  /** Monotonic time when offsetMs was last written: slewing since then is not a step. */
  savedMonoMs: number;
  /** The first row of each table written in this boot: older rows keep their times. */
  firstSegment: number;
  firstOutage: number;
  firstLost: number;
}

export interface Shifted {
  segments: number;
  outages: number;
  lost: number;
}

type Raw = Record<string, number | string>;

export class ClockEpochRepo {
  constructor(private readonly db: Db) {}

  get(): ClockEpoch | null {
    const r = this.db.prepare('SELECT * FROM clock_epoch LIMIT 1').get() as Raw | undefined;
    if (!r) return null;
    return {
      bootId: r.boot_id as string,
      offsetMs: r.offset_ms as number,
      savedMonoMs: r.saved_mono_ms as number,
      firstSegment: r.first_segment as number,
      firstOutage: r.first_outage as number,
      firstLost: r.first_lost as number,
    };
  }

  /** A new boot: its rows start after every row there is now. */
  begin(bootId: string, offsetMs: number, monoMs: number): ClockEpoch {
    const next = (table: string) =>
      (this.db.prepare(`SELECT COALESCE(MAX(id), 0) + 1 AS n FROM ${table}`).get() as { n: number }).n;
    const epoch: ClockEpoch = {
      bootId,
      offsetMs: Math.round(offsetMs),
      savedMonoMs: Math.round(monoMs),
      firstSegment: next('segments'),
      firstOutage: next('outages'),
      firstLost: next('lost'),
    };
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM clock_epoch').run();
      this.db
        .prepare(
          `INSERT INTO clock_epoch (boot_id, offset_ms, saved_mono_ms, first_segment, first_outage, first_lost)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(
          bootId,
          epoch.offsetMs,
          epoch.savedMonoMs,
          epoch.firstSegment,
          epoch.firstOutage,
          epoch.firstLost,
        );
    })();
    return epoch;
  }

  saveOffset(offsetMs: number, monoMs: number): void {
    this.db
      .prepare('UPDATE clock_epoch SET offset_ms = ?, saved_mono_ms = ?')
      .run(Math.round(offsetMs), Math.round(monoMs));
  }

  /**
   * Moves by `deltaMs` every time stamped in this boot's timebase, in one transaction with the new
   * offset: the rows written in this boot, and of those only the times at or after the boot (a
   * lost span from before the boot keeps its start); an outage left open by the previous boot
   * was closed at this start, so its end moves too. The destination state changes of the 24 h
   * availability move by their time alone.
   */
  shift(epoch: ClockEpoch, deltaMs: number, monoMs: number): Shifted {
    const since = epoch.offsetMs;
    const move = (col: string) => `${col} = CASE WHEN ${col} >= @since THEN ${col} + @delta ELSE ${col} END`;
    const args = { since, delta: deltaMs };
    return this.db.transaction(() => {
      const segments = this.db
        .prepare(`UPDATE segments SET ${move('start_ms')}, ${move('end_ms')} WHERE id >= @first`)
        .run({ ...args, first: epoch.firstSegment }).changes;
      const outages =
        this.db
          .prepare(`UPDATE outages SET ${move('start_ms')}, ${move('end_ms')} WHERE id >= @first`)
          .run({ ...args, first: epoch.firstOutage }).changes +
        this.db
          .prepare(`UPDATE outages SET end_ms = end_ms + @delta WHERE id < @first AND end_ms >= @since`)
          .run({ ...args, first: epoch.firstOutage }).changes;
      const lost = this.db
        .prepare(`UPDATE lost SET ${move('start_ms')}, ${move('end_ms')} WHERE id >= @first`)
        .run({ ...args, first: epoch.firstLost }).changes;
      // The destination state changes behind the 24 h availability (ISO text, no id mark: by time).
      this.db
        .prepare(
          `UPDATE destination_states
           SET at = strftime('%Y-%m-%dT%H:%M:%fZ', round((julianday(at) - 2440587.5) * 86400000.0 + @delta) / 1000.0, 'unixepoch')
           WHERE at >= @sinceIso`,
        )
        .run({ delta: deltaMs, sinceIso: new Date(since).toISOString() });
      // Segments of this boot already folded into spans (segment-folding.ts) move with the rest.
      for (const table of ['recorded_spans', 'delivered_spans'])
        this.db
          .prepare(`UPDATE ${table} SET ${move('start_ms')}, ${move('end_ms')} WHERE boot_id = @boot`)
          .run({ ...args, boot: epoch.bootId });
      // The accounting's own times (store/accounting.ts): a gap still open, when a camera was configured.
      this.db.prepare(`UPDATE recording_gaps SET ${move('since_ms')}`).run(args);
      this.db.prepare(`UPDATE cameras_configured SET ${move('since_ms')}`).run(args);
      this.saveOffset(epoch.offsetMs + deltaMs, monoMs);
      epoch.offsetMs += deltaMs;
      epoch.savedMonoMs = Math.round(monoMs);
      return { segments, outages, lost };
    })();
  }
}
