// Versioned schema migrations. Append only: a released migration is never edited, because
// boxes in the field already ran it. PRAGMA user_version records how many have run.
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
];
