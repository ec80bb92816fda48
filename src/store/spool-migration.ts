// Tables of the local recording spool and the outage ledger (issue 4). Appended to the
// migration list; kept here so the SQL sits beside nothing else.
export const SPOOL_MIGRATION = `
  CREATE TABLE segments (
    id        INTEGER PRIMARY KEY,
    camera_id TEXT NOT NULL,
    path      TEXT NOT NULL UNIQUE,
    start_ms  INTEGER NOT NULL,
    end_ms    INTEGER NOT NULL,
    bytes     INTEGER NOT NULL,
    sha256    TEXT NOT NULL,
    state     TEXT NOT NULL CHECK (state IN ('complete', 'evicted', 'missing')),
    recovered INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  CREATE INDEX segments_camera_time ON segments (camera_id, start_ms);
  CREATE TABLE outages (
    id             INTEGER PRIMARY KEY,
    camera_id      TEXT NOT NULL,
    destination_id TEXT NOT NULL,
    start_ms       INTEGER NOT NULL,
    end_ms         INTEGER,
    cause          TEXT NOT NULL CHECK (cause IN ('uplink', 'destination', 'camera'))
  ) STRICT;
  CREATE INDEX outages_open ON outages (camera_id, destination_id, end_ms);
  CREATE TABLE lost (
    id             INTEGER PRIMARY KEY,
    camera_id      TEXT NOT NULL,
    destination_id TEXT,
    start_ms       INTEGER NOT NULL,
    end_ms         INTEGER NOT NULL,
    reason         TEXT NOT NULL,
    detail         TEXT
  ) STRICT;
  CREATE TABLE deliveries (
    segment_id     INTEGER NOT NULL REFERENCES segments (id),
    destination_id TEXT NOT NULL,
    delivered_ms   INTEGER,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    PRIMARY KEY (segment_id, destination_id)
  ) STRICT;`;

// Migration 6 (issue 15 item 4): outages of the gateway itself (down, or starting and not yet
// delivering); when each camera was first configured (the span its seconds are accounted over);
// a recording gap still open, so a camera outage that spans a restart keeps its start and reason.
export const ACCOUNTING_MIGRATION = `
  CREATE TABLE outages_v4 (
    id             INTEGER PRIMARY KEY,
    camera_id      TEXT NOT NULL,
    destination_id TEXT NOT NULL,
    start_ms       INTEGER NOT NULL,
    end_ms         INTEGER,
    cause          TEXT NOT NULL CHECK (cause IN ('uplink', 'destination', 'camera', 'gateway'))
  ) STRICT;
  INSERT INTO outages_v4 SELECT id, camera_id, destination_id, start_ms, end_ms, cause FROM outages;
  DROP TABLE outages;
  ALTER TABLE outages_v4 RENAME TO outages;
  CREATE INDEX outages_open ON outages (camera_id, destination_id, end_ms);
  CREATE TABLE cameras_configured (
    camera_id TEXT PRIMARY KEY,
    since_ms  INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE recording_gaps (
    camera_id TEXT PRIMARY KEY,
    since_ms  INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    detail    TEXT
  ) STRICT;`;

// Migration 7: segments whose file is gone (evicted, missing) folded into spans
// (store/segment-folding.ts). boot_id is the boot whose timebase the times are in when that boot
// is the current one (a clock step re-dates them with its segments), else NULL.
export const FOLDING_MIGRATION = `
  CREATE TABLE recorded_spans (
    id        INTEGER PRIMARY KEY,
    camera_id TEXT NOT NULL,
    boot_id   TEXT,
    start_ms  INTEGER NOT NULL,
    end_ms    INTEGER NOT NULL,
    segments  INTEGER NOT NULL,
    bytes     INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX recorded_spans_camera ON recorded_spans (camera_id, end_ms);
  CREATE TABLE delivered_spans (
    id             INTEGER PRIMARY KEY,
    camera_id      TEXT NOT NULL,
    destination_id TEXT NOT NULL,
    boot_id        TEXT,
    start_ms       INTEGER NOT NULL,
    end_ms         INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX delivered_spans_pair ON delivered_spans (camera_id, destination_id, end_ms);
  CREATE INDEX segments_gone ON segments (camera_id, start_ms) WHERE state <> 'complete';`;
