/**
 * The phone's persistent store: one SQLite database (`phone.db`) and one key file
 * (`secret.key`) in a private profile directory. `PhoneStore.open(dir)` creates what is
 * missing, migrates the schema and hands out the repositories.
 */
import { join } from 'node:path';
import type { Logger } from '../../platform/logger.js';
import { silentLogger } from '../../platform/logger.js';
import { Accounts } from './accounts.js';
import { Contacts } from './contacts.js';
import type { SqliteDatabase } from './database.js';
import { ensurePrivateDirectory, openDatabase } from './database.js';
import { StoreError } from './errors.js';
import { CallHistory } from './history.js';
import type { MigrateResult } from './migrations.js';
import { migrate } from './migrations.js';
import { SecretBox } from './secret-box.js';
import { Settings } from './settings.js';

export const DATABASE_FILE = 'phone.db';
export const KEY_FILE = 'secret.key';

export interface PhoneStoreOptions {
  logger?: Logger;
  /** The clock for created/updated times; Date.now by default. */
  now?: () => number;
  busyTimeoutMs?: number;
}

export class PhoneStore {
  readonly profileDir: string;
  readonly databasePath: string;
  readonly accounts: Accounts;
  readonly contacts: Contacts;
  readonly history: CallHistory;
  readonly settings: Settings;
  /** What `open` did to the schema. */
  readonly migration: MigrateResult;
  readonly #db: SqliteDatabase;
  #closed = false;

  private constructor(profileDir: string, db: SqliteDatabase, box: SecretBox, migration: MigrateResult, options: PhoneStoreOptions) {
    const logger = (options.logger ?? silentLogger).child('phone.store');
    const now = options.now ?? Date.now;
    this.profileDir = profileDir;
    this.databasePath = join(profileDir, DATABASE_FILE);
    this.#db = db;
    this.migration = migration;
    this.accounts = new Accounts(db, box, { now, logger });
    this.contacts = new Contacts(db, now);
    this.history = new CallHistory(db);
    this.settings = new Settings(db, { now, logger });
  }

  /**
   * Opens the store in `profileDir` (created 0700 if missing): the database with WAL and
   * synchronous=FULL, migrated to the current schema, and the password key file.
   */
  static open(profileDir: string, options: PhoneStoreOptions = {}): PhoneStore {
    const logger = (options.logger ?? silentLogger).child('phone.store');
    ensurePrivateDirectory(profileDir);
    const box = SecretBox.loadOrCreate(join(profileDir, KEY_FILE));
    const db = openDatabase(join(profileDir, DATABASE_FILE), options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs });
    try {
      const migration = migrate(db, undefined, logger);
      return new PhoneStore(profileDir, db, box, migration, options);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The raw connection, for tests and tools; the repositories are the API. */
  get database(): SqliteDatabase {
    if (this.#closed) throw new StoreError('store-closed', 'the phone store is closed');
    return this.#db;
  }

  /** Runs `fn` in one IMMEDIATE transaction across repositories (all or nothing). */
  transaction<T>(fn: () => T): T {
    return this.database.transaction(fn).immediate();
  }

  /** Closes the database (checkpointing the WAL). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}

export { Accounts, ACCOUNT_TRANSPORTS } from './accounts.js';
export type { Account, AccountInput, AccountPatch, AccountTransport } from './accounts.js';
export { Contacts } from './contacts.js';
export type { CallerMatch, Contact, ContactInput, ContactNumber, ContactPatch } from './contacts.js';
export { CallHistory, CALL_DIRECTIONS, CALL_OUTCOMES } from './history.js';
export type { CallDirection, CallOutcome, CallRecord, CallUpdate, HistoryCursor, HistoryPage, NewCall, RecentOptions } from './history.js';
export { Settings, SETTING_KEYS, SETTING_SPECS, defaultSettings, isSettingKey } from './settings.js';
export type { SettingKey, SettingSpec, SettingsValues } from './settings.js';
export { StoreError } from './errors.js';
export type { StoreErrorCode } from './errors.js';
export { MIGRATIONS, SCHEMA_VERSION, migrate, schemaVersion } from './migrations.js';
export type { Migration, MigrateResult } from './migrations.js';
export { openDatabase } from './database.js';
export type { SqliteDatabase } from './database.js';
export { MIN_SUFFIX_DIGITS, SUFFIX_DIGITS, foldText, parseCaller } from './caller-id.js';
export type { CallerKey } from './caller-id.js';
