/**
 * The schema, as numbered forward-only migrations in code. The database's `PRAGMA
 * user_version` is its schema version (0 = empty file). `migrate()` applies every migration
 * above it, each in its own IMMEDIATE transaction together with the new user_version, so a
 * crash or an error leaves the database at the last version that completed, never in between.
 * A database from a newer softphone (user_version above the last migration) is refused rather
 * than written by code that does not know its schema.
 *
 * Rules for adding one: append a migration with the next number; never edit or reorder a
 * released one; keep existing rows (ALTER/copy, never drop data silently); derive columns in
 * code through the same functions the repositories use (see v2), so a rule change is a new
 * migration that re-derives them.
 */
import type { Logger } from '../../platform/logger.js';
import { silentLogger } from '../../platform/logger.js';
import { callSearchKey, contactSearchKey, numberKeys } from './caller-id.js';
import type { SqliteDatabase } from './database.js';
import { StoreError } from './errors.js';

export interface Migration {
  /** 1, 2, 3, ...: the user_version the database has after this migration. */
  readonly version: number;
  readonly description: string;
  up(db: SqliteDatabase): void;
}

const v1: Migration = {
  version: 1,
  description: 'accounts, account secrets, settings, contacts with numbers, call history',
  up(db) {
    db.exec(`
      CREATE TABLE accounts (
        id             INTEGER PRIMARY KEY,
        aor            TEXT NOT NULL UNIQUE,
        display_name   TEXT,
        auth_user      TEXT,
        registrar      TEXT,
        outbound_proxy TEXT,
        transport      TEXT NOT NULL DEFAULT 'udp' CHECK (transport IN ('udp', 'tcp', 'tls', 'ws', 'wss')),
        enabled        INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
        is_default     INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
        created_at     INTEGER NOT NULL,
        updated_at     INTEGER NOT NULL
      ) STRICT;
      -- At most one default; the code keeps it exactly one whenever an account exists.
      CREATE UNIQUE INDEX accounts_single_default ON accounts (is_default) WHERE is_default = 1;

      -- AES-256-GCM sealed passwords (accounts.ts), apart so that no SELECT * on accounts can
      -- carry one into a log or an API answer.
      CREATE TABLE account_secrets (
        account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
        password   BLOB NOT NULL
      ) STRICT;

      CREATE TABLE settings (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL, -- JSON
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE contacts (
        id           INTEGER PRIMARY KEY,
        name         TEXT NOT NULL,
        organisation TEXT,
        email        TEXT,
        favourite    INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1)),
        notes        TEXT,
        created_at   INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE contact_numbers (
        id         INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        position   INTEGER NOT NULL,
        label      TEXT NOT NULL,
        value      TEXT NOT NULL, -- as entered: '+1 (555) 123-4567', 'sip:alice@example.com'
        UNIQUE (contact_id, position)
      ) STRICT;

      CREATE TABLE calls (
        id                  INTEGER PRIMARY KEY,
        account_id          INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
        direction           TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        remote_uri          TEXT NOT NULL,
        remote_display_name TEXT,
        local_uri           TEXT,
        started_at          INTEGER NOT NULL, -- ms since the epoch, UTC
        answered_at         INTEGER,
        ended_at            INTEGER,
        duration_ms         INTEGER,          -- ended_at - answered_at; 0 when never answered
        outcome             TEXT CHECK (outcome IN ('answered', 'missed', 'declined', 'failed', 'cancelled', 'busy')),
        reason              TEXT,
        codec               TEXT,
        call_id             TEXT,
        seen                INTEGER NOT NULL DEFAULT 0 CHECK (seen IN (0, 1))
      ) STRICT;
      CREATE INDEX calls_recent ON calls (started_at DESC, id DESC);
      CREATE INDEX calls_missed_unseen ON calls (id) WHERE outcome = 'missed' AND seen = 0;
      CREATE INDEX calls_call_id ON calls (call_id) WHERE call_id IS NOT NULL;
    `);
  },
};

const v2: Migration = {
  version: 2,
  description: 'search and caller-ID keys derived in code (caller-id.ts), backfilled',
  up(db) {
    db.exec(`
      ALTER TABLE contacts ADD COLUMN search_key TEXT NOT NULL DEFAULT '';
      ALTER TABLE calls ADD COLUMN search_key TEXT NOT NULL DEFAULT '';
      ALTER TABLE contact_numbers ADD COLUMN digits TEXT;  -- all digits, no '+'
      ALTER TABLE contact_numbers ADD COLUMN tail TEXT;    -- last 7 digits (suffix rule)
      ALTER TABLE contact_numbers ADD COLUMN address TEXT; -- user@host of a non-numeric URI
      CREATE INDEX contact_numbers_digits ON contact_numbers (digits) WHERE digits IS NOT NULL;
      CREATE INDEX contact_numbers_tail ON contact_numbers (tail) WHERE tail IS NOT NULL;
      CREATE INDEX contact_numbers_address ON contact_numbers (address) WHERE address IS NOT NULL;
    `);
    backfillKeys(db);
  },
};

/** (Re)derives every key column from the stored values. Later rule changes call it again. */
export function backfillKeys(db: SqliteDatabase): void {
  const setNumber = db.prepare('UPDATE contact_numbers SET digits = ?, tail = ?, address = ? WHERE id = ?');
  const numbers = db.prepare('SELECT id, value FROM contact_numbers').all() as { id: number; value: string }[];
  for (const n of numbers) {
    const k = numberKeys(n.value);
    setNumber.run(k.digits, k.tail, k.address, n.id);
  }
  const valuesOf = db.prepare('SELECT value FROM contact_numbers WHERE contact_id = ? ORDER BY position');
  const setContact = db.prepare('UPDATE contacts SET search_key = ? WHERE id = ?');
  const contacts = db.prepare('SELECT id, name, organisation, email FROM contacts').all() as {
    id: number;
    name: string;
    organisation: string | null;
    email: string | null;
  }[];
  for (const c of contacts) {
    const values = valuesOf.all(c.id) as { value: string }[];
    setContact.run(contactSearchKey({ ...c, numbers: values }), c.id);
  }
  const setCall = db.prepare('UPDATE calls SET search_key = ? WHERE id = ?');
  const calls = db.prepare('SELECT id, remote_uri, remote_display_name FROM calls').all() as {
    id: number;
    remote_uri: string;
    remote_display_name: string | null;
  }[];
  for (const c of calls) setCall.run(callSearchKey({ remoteDisplayName: c.remote_display_name, remoteUri: c.remote_uri }), c.id);
}

/** Every migration, in order. The last one's version is the current schema version. */
export const MIGRATIONS: readonly Migration[] = [v1, v2];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: SqliteDatabase): number {
  return Number(db.pragma('user_version', { simple: true }));
}

export interface MigrateResult {
  from: number;
  to: number;
  applied: number[];
}

/**
 * Brings `db` up to the last of `migrations` (default: MIGRATIONS). Throws `schema-too-new`
 * for a database from a newer version and `migration-failed` (after rolling that migration
 * back) when one fails.
 */
export function migrate(db: SqliteDatabase, migrations: readonly Migration[] = MIGRATIONS, logger: Logger = silentLogger): MigrateResult {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new StoreError('invalid-argument', `migration #${i} has version ${m.version}; versions must be 1, 2, 3, ... in order`);
    }
  });
  const latest = migrations.length;
  const from = schemaVersion(db);
  if (from > latest) {
    throw new StoreError(
      'schema-too-new',
      `the database is at schema version ${from}, newer than this softphone knows (${latest}); refusing to touch it`,
    );
  }
  const applied: number[] = [];
  for (const m of migrations.slice(from)) {
    const step = db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    });
    try {
      step.immediate();
    } catch (cause) {
      throw new StoreError('migration-failed', `migration ${m.version} (${m.description}) failed and was rolled back: ${String(cause)}`, {
        cause,
      });
    }
    logger.info('schema migrated', { version: m.version, description: m.description });
    applied.push(m.version);
  }
  return { from, to: schemaVersion(db), applied };
}
