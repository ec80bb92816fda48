// `edge-gateway backlog`: per camera and destination, what is still owed to the destination's
// backfill endpoint, the seconds already accounted as lost with their reasons, and where every
// second since the camera was configured went (src/core/accounting.ts).
import type { Command } from 'commander';
import { cameraAccounts } from '../buffer/accounts.ts';
import { t } from '../i18n/index.ts';
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
    .description(t('backlog.description'))
    .option('--json', t('opt.json.tables'))
    .option('--config <file>', t('backlog.opt.config'))
    .action((flags: { json?: boolean; config?: string }) => {
      const cfg = optionalConfig(io, flags.config);
      if (!cfg) throw new ExitError(t('err.noConfig'), EXIT.usage);
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
        const accounting = cameraAccounts(db, cfg);
        if (flags.json) return printJson(io, { pending, lost, openOutages: outages, accounting });
        io.out(t('backlog.pending'));
        io.out(
          pending.length === 0
            ? t('backlog.nothingPending')
            : table(
                ['col.camera', 'col.destination', 'col.segments', 'col.mb', 'col.seconds', 'col.oldest'],
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
        io.out(`\n${t('backlog.outages')}`);
        io.out(
          outages.length === 0
            ? t('backlog.noOutages')
            : table(
                ['col.camera', 'col.destination', 'col.cause', 'col.since'],
                outages.map((o) => [o.cameraId, o.destinationId, o.cause, o.since]),
              ),
        );
        io.out(`\n${t('backlog.lost')}`);
        io.out(
          lost.length === 0
            ? t('backlog.nothingLost')
            : table(
                ['col.camera', 'col.destination', 'col.reason', 'col.seconds'],
                lost.map((l) => [l.cameraId, l.destinationId ?? t('backlog.recording'), l.reason, l.seconds]),
              ),
        );
        io.out(`\n${t('backlog.accounting')}`);
        io.out(
          table(
            [
              'col.camera',
              'col.destination',
              'col.configured',
              'col.live',
              'col.backfilled',
              'col.owed',
              'col.lost',
              'col.unaccounted',
            ],
            accounting.flatMap((a) => [
              [
                a.cameraId,
                t('backlog.recording'),
                a.recording.configuredSeconds,
                a.recording.recordedSeconds,
                '',
                '',
                a.recording.lostSeconds,
                a.recording.unaccountedSeconds,
              ],
              ...a.destinations.map((d) => [
                a.cameraId,
                d.destinationId,
                d.configuredSeconds,
                d.liveSeconds,
                d.backfilledSeconds,
                d.owedSeconds,
                d.lostSeconds,
                d.unaccountedSeconds,
              ]),
            ]),
          ),
        );
      } finally {
        db.close();
      }
    });
}
