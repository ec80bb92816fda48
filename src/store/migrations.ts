// Versioned schema migrations. Append only: a released migration is never edited, because
// boxes in the field already ran it. PRAGMA user_version records how many have run.
import { ACCOUNTING_MIGRATION, FOLDING_MIGRATION, SPOOL_MIGRATION } from './spool-migration.ts';

export const migrations: readonly string[] = [
  // 1: the camera inventory.
  `CREATE TABLE cameras (
     id            TEXT PRIMARY KEY,
     identity      TEXT NOT NULL UNIQUE,
     source        TEXT NOT NULL CHECK (source IN ('discovery', 'scan', 'manual')),
     endpoint_ref  TEXT,
     address       TEXT,
     onvif_url     TEXT,
     manufacturer  TEXT,
     model         TEXT,
     firmware      TEXT,
     serial        TEXT,
     mac           TEXT,
     auth          TEXT,
     clock_skew_s  REAL,
     profiles      TEXT NOT NULL DEFAULT '[]',
     snapshot_uri  TEXT,
     last_error    TEXT,
     first_seen    TEXT NOT NULL,
     last_seen     TEXT NOT NULL
   ) STRICT;
   CREATE INDEX cameras_address ON cameras (address);`,
  // 2: telemetry (src/telemetry): session counter and liveness mark, the MQTT outbox, destination
  // state changes for availability, and the daily availability reports.
  `CREATE TABLE telemetry_kv (
     key    TEXT PRIMARY KEY,
     value  TEXT NOT NULL
   ) STRICT;
   CREATE TABLE telemetry_outbox (
     seq         INTEGER PRIMARY KEY AUTOINCREMENT,
     topic       TEXT NOT NULL,
     payload     TEXT NOT NULL,
     created_at  TEXT NOT NULL,
     session     INTEGER NOT NULL,
     offline     INTEGER NOT NULL
   ) STRICT;
   CREATE TABLE destination_states (
     camera_id       TEXT NOT NULL,
     destination_id  TEXT NOT NULL,
     up              INTEGER NOT NULL,
     at              TEXT NOT NULL
   ) STRICT;
   CREATE INDEX destination_states_at ON destination_states (camera_id, destination_id, at);
   CREATE TABLE availability_reports (
     day        TEXT NOT NULL,
     camera_id  TEXT NOT NULL,
     report     TEXT NOT NULL,
     PRIMARY KEY (day, camera_id)
   ) STRICT;`,
  // 3: the recording spool, the outage ledger, lost seconds, backfill deliveries.
  SPOOL_MIGRATION,
  // 4: profiles kept through failed or partial reads are marked stale, with the time of the failure;
  // the MAC is looked up when a camera comes back at another address.
  `ALTER TABLE cameras ADD COLUMN stale_since TEXT;
   CREATE INDEX cameras_mac ON cameras (mac);`,
  // 5: the wall clock's timebase of this boot (store/clock-epoch.ts); one row.
  `CREATE TABLE clock_epoch (
     boot_id       TEXT NOT NULL,
     offset_ms     INTEGER NOT NULL,
     saved_mono_ms INTEGER NOT NULL,
     first_segment INTEGER NOT NULL,
     first_outage  INTEGER NOT NULL,
     first_lost    INTEGER NOT NULL
   ) STRICT;`,
  // 6: gateway outages, when each camera was configured, open recording gaps (accounting).
  ACCOUNTING_MIGRATION,
  // 7: segments whose file is gone folded into spans, so the index stops growing with the box's age.
  FOLDING_MIGRATION,
];
