/**
 * Opening the SQLite file: where the durability and privacy settings of the whole store live.
 *
 * - journal_mode=WAL: readers never block the writer (the API can list history while a call
 *   ends), and a commit is one append to the -wal file.
 * - synchronous=FULL. The issue asks that "a crash at any moment loses no committed row".
 *   In WAL mode synchronous=NORMAL already survives a crash of the *process* (the commit is in
 *   the OS page cache once write() returns), but SQLite documents that with NORMAL "a
 *   transaction committed in WAL mode ... might roll back following a power loss or system
 *   crash", because the WAL is fsync'ed only at checkpoints. FULL fsyncs the WAL on every
 *   commit, so a commit that returned is on disk even if the machine loses power next. The
 *   price is one fsync per commit; a phone commits a handful of rows per call, so it is
 *   nothing we could measure against a call set-up. (The crash test in store.test.ts kills
 *   the process, which NORMAL would pass too; power loss cannot be tested here.)
 * - foreign_keys=ON (SQLite defaults it off per connection), busy_timeout so a second
 *   connection (the CLI while the engine runs) waits for the writer instead of failing with
 *   SQLITE_BUSY at once.
 * - Permissions: the directory 0700 and the files 0600. The file is created 0600 before SQLite
 *   opens it; SQLite gives the -wal and -shm files the mode of the database file, and we
 *   chmod them again in case they were left by an older run with looser modes.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { StoreError } from './errors.js';

export type SqliteDatabase = Database.Database;

export const DIRECTORY_MODE = 0o700;
export const FILE_MODE = 0o600;
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface OpenDatabaseOptions {
  /** How long a statement waits for another connection's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

/** Creates `dir` (and parents) and makes `dir` itself 0700. */
export function ensurePrivateDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: DIRECTORY_MODE });
    if ((statSync(dir).mode & 0o777) !== DIRECTORY_MODE) chmodSync(dir, DIRECTORY_MODE);
  } catch (cause) {
    throw new StoreError('store-open-failed', `cannot create the private directory ${dir}: ${String(cause)}`, { cause });
  }
}

/** Creates `file` empty with mode 0600 if it does not exist, and makes it 0600 if it does. */
export function ensurePrivateFile(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', FILE_MODE));
  if ((statSync(file).mode & 0o777) !== FILE_MODE) chmodSync(file, FILE_MODE);
}

/**
 * The addon's file, given to better-sqlite3 by path: its default finder (the `bindings`
 * package) looks for the package root from a stack trace, which fails inside the command's
 * bundle (scripts/bundle.mjs), and it loads 14 more modules at start.
 */
let nativeBinding: string | undefined;
function addonPath(): string | undefined {
  try {
    nativeBinding ??= createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
  } catch {
    // Not where a source build or prebuild-install puts it: let better-sqlite3 search.
  }
  return nativeBinding;
}

/**
 * Opens (creating if needed) the database at `file` with WAL, synchronous=FULL, foreign keys
 * and a busy timeout, its directory 0700 and its files 0600. Does not migrate.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new StoreError('invalid-argument', `busyTimeoutMs must be a non-negative integer, not ${busyTimeoutMs}`);
  }
  ensurePrivateDirectory(dirname(file));
  let db: SqliteDatabase;
  try {
    ensurePrivateFile(file);
    const addon = addonPath();
    db = new Database(file, { timeout: busyTimeoutMs, ...(addon ? { nativeBinding: addon } : {}) });
  } catch (cause) {
    throw new StoreError('store-open-failed', `cannot open the database ${file}: ${String(cause)}`, { cause });
  }
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal') {
      throw new StoreError('store-open-failed', `${file}: journal_mode is ${String(mode)}, WAL was refused`);
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    for (const suffix of ['-wal', '-shm']) {
      if (existsSync(file + suffix)) ensurePrivateFile(file + suffix);
    }
  } catch (cause) {
    db.close();
    if (cause instanceof StoreError) throw cause;
    throw new StoreError('store-open-failed', `cannot configure the database ${file}: ${String(cause)}`, { cause });
  }
  return db;
}
