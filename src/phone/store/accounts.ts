/**
 * SIP accounts. Whenever at least one account exists exactly one is the default (the one the
 * dial pad uses): the first account becomes it, `setDefault` moves it, and deleting the
 * default hands it to the oldest remaining account (enabled ones first). A partial unique
 * index keeps a second default out even if the code were wrong.
 *
 * Passwords live in `account_secrets`, sealed by SecretBox (see its threat model), never in
 * `Account` objects, log fields or error messages; `Account.hasPassword` says whether one is
 * set. The store's files are 0600 in a 0700 directory (database.ts).
 */
import type { Logger } from '../../platform/logger.js';
import { silentLogger } from '../../platform/logger.js';
import type { SqliteDatabase } from './database.js';
import { StoreError } from './errors.js';
import type { SecretBox } from './secret-box.js';
import { oneOf, optionalText, requireId, requireText } from './validate.js';

export type AccountTransport = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';
export const ACCOUNT_TRANSPORTS: readonly AccountTransport[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];

export interface Account {
  id: number;
  /** Address of record, `sip:alice@example.com`. */
  aor: string;
  displayName: string | null;
  /** Digest user name when it differs from the AOR's user. */
  authUser: string | null;
  /** Registrar URI; null: the AOR's domain. */
  registrar: string | null;
  outboundProxy: string | null;
  transport: AccountTransport;
  enabled: boolean;
  isDefault: boolean;
  hasPassword: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface AccountInput {
  /** `sip:alice@example.com`, `sips:…`, or `alice@example.com` (sip: is added). */
  aor: string;
  displayName?: string | null;
  authUser?: string | null;
  registrar?: string | null;
  outboundProxy?: string | null;
  transport?: AccountTransport;
  enabled?: boolean;
  /** Make this the default account (the first account always becomes it). */
  isDefault?: boolean;
  /** Stored sealed; null or absent: none. */
  password?: string | null;
}

/** Fields to change; `password`: undefined keeps it, null removes it, a string replaces it. */
export type AccountPatch = Partial<AccountInput>;

interface AccountRow {
  id: number;
  aor: string;
  display_name: string | null;
  auth_user: string | null;
  registrar: string | null;
  outbound_proxy: string | null;
  transport: AccountTransport;
  enabled: number;
  is_default: number;
  has_password: number;
  created_at: number;
  updated_at: number;
}

const SELECT = `SELECT a.id, a.aor, a.display_name, a.auth_user, a.registrar, a.outbound_proxy, a.transport, a.enabled,
  a.is_default, a.created_at, a.updated_at, (s.account_id IS NOT NULL) AS has_password
  FROM accounts a LEFT JOIN account_secrets s ON s.account_id = a.id`;

function fromRow(r: AccountRow): Account {
  return {
    id: r.id,
    aor: r.aor,
    displayName: r.display_name,
    authUser: r.auth_user,
    registrar: r.registrar,
    outboundProxy: r.outbound_proxy,
    transport: r.transport,
    enabled: r.enabled === 1,
    isDefault: r.is_default === 1,
    hasPassword: r.has_password === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function normaliseAor(value: unknown): string {
  const text = requireText(value, 'aor').trim();
  const aor = /^sips?:/i.test(text) ? text.replace(/^sips?:/i, (s) => s.toLowerCase()) : `sip:${text}`;
  if (!/^sips?:[^@\s:;?]+@[^@\s;?]+$/.test(aor)) {
    throw new StoreError('invalid-argument', `aor must be sip:user@domain, not ${JSON.stringify(text)}`);
  }
  return aor;
}

function checkPassword(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  // The message never echoes the value.
  if (typeof value !== 'string' || value.length === 0 || value.length > 4096) {
    throw new StoreError('invalid-argument', 'password must be a string of 1-4096 characters, or null');
  }
  return value;
}

const context = (id: number) => `softphone account password:${id}`;

export class Accounts {
  readonly #db: SqliteDatabase;
  readonly #box: SecretBox;
  readonly #now: () => number;
  readonly #logger: Logger;

  constructor(db: SqliteDatabase, box: SecretBox, options: { now?: () => number; logger?: Logger } = {}) {
    this.#db = db;
    this.#box = box;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? silentLogger;
  }

  create(input: AccountInput): Account {
    if (input === null || typeof input !== 'object') throw new StoreError('invalid-argument', 'an account must be an object');
    const aor = normaliseAor(input.aor);
    const password = checkPassword(input.password);
    const row = {
      aor,
      display_name: optionalText(input.displayName, 'displayName'),
      auth_user: optionalText(input.authUser, 'authUser'),
      registrar: optionalText(input.registrar, 'registrar'),
      outbound_proxy: optionalText(input.outboundProxy, 'outboundProxy'),
      transport: oneOf(input.transport ?? 'udp', ACCOUNT_TRANSPORTS, 'transport'),
      enabled: input.enabled === false ? 0 : 1,
      now: this.#now(),
    };
    const id = this.#db.transaction(() => {
      if (this.getByAor(aor)) throw new StoreError('conflict', `an account for ${aor} already exists`);
      const info = this.#db
        .prepare(
          `INSERT INTO accounts (aor, display_name, auth_user, registrar, outbound_proxy, transport, enabled, is_default, created_at, updated_at)
           VALUES (@aor, @display_name, @auth_user, @registrar, @outbound_proxy, @transport, @enabled, 0, @now, @now)`,
        )
        .run(row);
      const newId = Number(info.lastInsertRowid);
      if (password !== null) this.#writePassword(newId, password);
      if (input.isDefault === true || this.getDefault() === undefined) this.#makeDefault(newId);
      return newId;
    })();
    this.#logger.info('account created', { id, aor });
    return this.#mustGet(id);
  }

  get(id: number): Account | undefined {
    const r = this.#db.prepare(`${SELECT} WHERE a.id = ?`).get(id) as AccountRow | undefined;
    return r && fromRow(r);
  }

  getByAor(aor: string): Account | undefined {
    const r = this.#db.prepare(`${SELECT} WHERE a.aor = ?`).get(normaliseAor(aor)) as AccountRow | undefined;
    return r && fromRow(r);
  }

  /** Oldest first. */
  list(): Account[] {
    return (this.#db.prepare(`${SELECT} ORDER BY a.id`).all() as AccountRow[]).map(fromRow);
  }

  getDefault(): Account | undefined {
    const r = this.#db.prepare(`${SELECT} WHERE a.is_default = 1`).get() as AccountRow | undefined;
    return r && fromRow(r);
  }

  update(id: number, patch: AccountPatch): Account {
    requireId(id, 'id');
    const password = patch.password === undefined ? undefined : checkPassword(patch.password);
    this.#db.transaction(() => {
      const current = this.#mustGet(id);
      const aor = patch.aor === undefined ? current.aor : normaliseAor(patch.aor);
      if (aor !== current.aor && this.getByAor(aor)) throw new StoreError('conflict', `an account for ${aor} already exists`);
      const pick = (key: 'displayName' | 'authUser' | 'registrar' | 'outboundProxy') =>
        patch[key] === undefined ? current[key] : optionalText(patch[key], key);
      this.#db
        .prepare(
          `UPDATE accounts SET aor = ?, display_name = ?, auth_user = ?, registrar = ?, outbound_proxy = ?, transport = ?,
             enabled = ?, updated_at = ? WHERE id = ?`,
        )
        .run(
          aor,
          pick('displayName'),
          pick('authUser'),
          pick('registrar'),
          pick('outboundProxy'),
          patch.transport === undefined ? current.transport : oneOf(patch.transport, ACCOUNT_TRANSPORTS, 'transport'),
          patch.enabled === undefined ? (current.enabled ? 1 : 0) : patch.enabled ? 1 : 0,
          this.#now(),
          id,
        );
      if (password !== undefined) {
        if (password === null) this.#db.prepare('DELETE FROM account_secrets WHERE account_id = ?').run(id);
        else this.#writePassword(id, password);
      }
      if (patch.isDefault === true) this.#makeDefault(id);
    })();
    this.#logger.info('account updated', { id, passwordChanged: password !== undefined });
    return this.#mustGet(id);
  }

  /** Deletes the account and its password; its calls stay in history with no account. */
  delete(id: number): boolean {
    const deleted = this.#db.transaction(() => {
      const wasDefault = this.get(id)?.isDefault ?? false;
      const changes = this.#db.prepare('DELETE FROM accounts WHERE id = ?').run(id).changes;
      if (wasDefault) {
        const next = this.#db.prepare('SELECT id FROM accounts ORDER BY enabled DESC, id LIMIT 1').pluck().get() as number | undefined;
        if (next !== undefined) this.#makeDefault(next);
      }
      return changes === 1;
    })();
    if (deleted) this.#logger.info('account deleted', { id });
    return deleted;
  }

  setDefault(id: number): Account {
    this.#db.transaction(() => {
      this.#mustGet(id);
      this.#makeDefault(id);
    })();
    return this.#mustGet(id);
  }

  /** Sets (a string) or removes (null) the password. */
  setPassword(id: number, password: string | null): void {
    this.update(id, { password });
  }

  /**
   * The plain-text password for registering, or null when none is set. Throws
   * `password-undecryptable` when the key file is not the one it was sealed with.
   */
  getPassword(id: number): string | null {
    const sealed = this.#db.prepare('SELECT password FROM account_secrets WHERE account_id = ?').pluck().get(id) as Buffer | undefined;
    return sealed === undefined ? null : this.#box.open(sealed, context(id));
  }

  #writePassword(id: number, password: string): void {
    this.#db
      .prepare('INSERT INTO account_secrets (account_id, password) VALUES (?, ?) ON CONFLICT (account_id) DO UPDATE SET password = excluded.password')
      .run(id, this.#box.seal(password, context(id)));
  }

  #makeDefault(id: number): void {
    this.#db.prepare('UPDATE accounts SET is_default = 0 WHERE is_default = 1 AND id <> ?').run(id);
    this.#db.prepare('UPDATE accounts SET is_default = 1 WHERE id = ?').run(id);
  }

  #mustGet(id: number): Account {
    const a = this.get(id);
    if (!a) throw new StoreError('not-found', `no account with id ${id}`);
    return a;
  }
}
