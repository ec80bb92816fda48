// Where every second of each configured camera went, per destination and for its recording
// (src/core/accounting.ts), read from the store for `edge-gateway backlog`.
import {
  accountDestination,
  accountRecording,
  type DestinationAccount,
  type RecordingAccount,
} from '../core/accounting.ts';
import type { Config } from '../config/schema.ts';
import { AccountingRepo } from '../store/accounting.ts';
import type { Db } from '../store/db.ts';
import { SpoolRepo } from '../store/spool.ts';

export interface CameraAccount {
  cameraId: string;
  /** Since the camera was first configured (its seconds are counted from here) until now. */
  since: string;
  until: string;
  recording: RecordingAccount;
  destinations: (DestinationAccount & { destinationId: string })[];
}

export function cameraAccounts(db: Db, cfg: Config, nowMs = Date.now()): CameraAccount[] {
  const acc = new AccountingRepo(db);
  const repo = new SpoolRepo(db);
  const outages = repo.outages();
  const lost = repo.lost();
  const enabled = cfg.destinations.filter((d) => d.enabled);
  return [...acc.configuredSince()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([cameraId, sinceMs]) => {
      const window = { startMs: sinceMs, endMs: nowMs };
      const recordingLost = lost.filter((l) => l.cameraId === cameraId && l.destinationId === null);
      return {
        cameraId,
        since: new Date(sinceMs).toISOString(),
        until: new Date(nowMs).toISOString(),
        recording: accountRecording({ window, recorded: acc.recorded(cameraId), lost: recordingLost }),
        destinations: enabled.map((d) => ({
          destinationId: d.id,
          ...accountDestination({
            window,
            up: acc.up(cameraId, d.id, nowMs),
            outages: outages.filter((o) => o.cameraId === cameraId && o.destinationId === d.id),
            backfilled: acc.backfilled(cameraId, d.id),
            owed: d.backfill ? acc.owed(cameraId, d.id) : [],
            lost: lost.filter((l) => l.cameraId === cameraId && (l.destinationId ?? d.id) === d.id),
            judgedFromMs: acc.firstJudged(cameraId, d.id),
          }),
        })),
      };
    });
}
