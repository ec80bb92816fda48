// `edge-gateway backlog`: per camera and destination, what is still owed to the destination's
// backfill endpoint, and the seconds already accounted as lost with their reasons.
import type { Command } from 'commander';
import { coveredSeconds } from '../core/intervals.ts';
import { BackfillQueue } from '../store/backfill-queue.ts';
import { openStore } from '../store/db.ts';
import { SpoolRepo } from '../store/spool.ts';
import { optionalConfig } from './context.ts';
import { EXIT, ExitError } from './exit-codes.ts';
import { printJson, table, type Io } from './output.ts';

export function registerBacklogCommand(program: Command, io: Io): void {
  program
    .command('backlog')
    .description(
      'show video still owed to each destination (pending backfill) and what was lost, with reasons',
    )
    .option('--json', 'print JSON instead of tables')
    .option('--config <file>', 'configuration file (store.path, destinations)')
    .action((flags: { json?: boolean; config?: string }) => {
      const cfg = optionalConfig(io, flags.config);
      if (!cfg) throw new ExitError('no configuration: pass --config FILE', EXIT.usage);
      const db = openStore(cfg.store.path);
      try {
        const withBackfill = cfg.destinations.filter((d) => d.backfill).map((d) => d.id);
        const pending = new BackfillQueue(db).pending(withBackfill).map((p) => ({
          cameraId: p.cameraId,
          destinationId: p.destinationId,
          segments: p.segments,
          bytes: p.bytes,
          seconds: Math.round(p.seconds),
          oldestPending: p.oldestMs === null ? null : new Date(p.oldestMs).toISOString(),
        }));
        const repo = new SpoolRepo(db);
        const groups = new Map<
          string,
          {
            cameraId: string;
            destinationId: string | null;
            reason: string;
            intervals: { startMs: number; endMs: number }[];
          }
        >();
        for (const l of repo.lost()) {
          const key = `${l.cameraId}|${l.destinationId ?? ''}|${l.reason}`;
          const g = groups.get(key) ?? {
            cameraId: l.cameraId,
            destinationId: l.destinationId,
            reason: l.reason,
            intervals: [],
          };
          g.intervals.push({ startMs: l.startMs, endMs: l.endMs });
          groups.set(key, g);
        }
        const lost = [...groups.values()].map((g) => ({
          cameraId: g.cameraId,
          destinationId: g.destinationId,
          reason: g.reason,
          seconds: coveredSeconds(g.intervals),
        }));
        const outages = repo
          .outages()
          .filter((o) => o.endMs === null)
          .map((o) => ({
            cameraId: o.cameraId,
            destinationId: o.destinationId,
            cause: o.cause,
            since: new Date(o.startMs).toISOString(),
          }));
        if (flags.json) return printJson(io, { pending, lost, openOutages: outages });
        io.out('Pending backfill:');
        io.out(
          pending.length === 0
            ? '  nothing pending'
            : table(
                ['CAMERA', 'DESTINATION', 'SEGMENTS', 'MB', 'SECONDS', 'OLDEST'],
                pending.map((p) => [
                  p.cameraId,
                  p.destinationId,
                  p.segments,
                  (p.bytes / 1048576).toFixed(1),
                  p.seconds,
                  p.oldestPending,
                ]),
              ),
        );
        io.out('\nOutages in progress:');
        io.out(
          outages.length === 0
            ? '  none'
            : table(
                ['CAMERA', 'DESTINATION', 'CAUSE', 'SINCE'],
                outages.map((o) => [o.cameraId, o.destinationId, o.cause, o.since]),
              ),
        );
        io.out('\nLost (will never reach a destination):');
        io.out(
          lost.length === 0
            ? '  nothing lost'
            : table(
                ['CAMERA', 'DESTINATION', 'REASON', 'SECONDS'],
                lost.map((l) => [l.cameraId, l.destinationId ?? '(recording)', l.reason, l.seconds]),
              ),
        );
      } finally {
        db.close();
      }
    });
}
