// SQLite through better-sqlite3 (the only importer of it). WAL keeps readers (status, reports)
// from blocking the writer, and survives power cuts with synchronous=NORMAL.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrations } from './migrations.ts';

export type Db = Database.Database;

export class StoreError extends Error {
  override name = 'StoreError';
}

export function openStore(path: string, opts: { readonly?: boolean } = {}): Db {
  if (path !== ':memory:' && !opts.readonly) mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (err) {
    throw new StoreError(`cannot open the database ${path}: ${(err as Error).message}`);
  }
  db.pragma('busy_timeout = 5000');
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    try {
      migrate(db);
    } catch (err) {
      // A refused database (newer schema) must not stay open behind the error.
      db.close();
      throw err;
    }
  }
  return db;
}

export function migrate(db: Db): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new StoreError(
      `the database is at schema version ${current}, newer than this gateway knows (${migrations.length}); upgrade the gateway`,
    );
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return migrations.length;
}
