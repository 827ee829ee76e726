/**
 * Typed settings: a fixed set of keys, each with a default and a validator, stored as JSON in
 * the `settings` table. A key never set reads as its default. A stored value that no longer
 * passes its validator (edited by hand, or written under an older rule) reads as the default
 * and is logged, rather than crashing the engine. Keys the code does not know (written by a
 * newer version) are left untouched.
 */
import type { Logger } from '../../platform/logger.js';
import { silentLogger } from '../../platform/logger.js';
import type { SqliteDatabase } from './database.js';
import { StoreError } from './errors.js';

export interface SettingSpec<T> {
  readonly default: T;
  /** What a valid value is, for error messages. */
  readonly expected: string;
  validate(value: unknown): value is T;
}

function bool(def: boolean): SettingSpec<boolean> {
  return { default: def, expected: 'true or false', validate: (v): v is boolean => typeof v === 'boolean' };
}

function int(def: number, min: number, max: number): SettingSpec<number> {
  return {
    default: def,
    expected: `an integer ${min}-${max}`,
    validate: (v): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max,
  };
}

function choice<T extends string>(def: NoInfer<T>, values: readonly T[]): SettingSpec<T> {
  return {
    default: def,
    expected: `one of ${values.join(', ')}`,
    validate: (v): v is T => typeof v === 'string' && (values as readonly string[]).includes(v),
  };
}

function text(def: string, maxLength = 1024): SettingSpec<string> {
  return {
    default: def,
    expected: `a string of 1-${maxLength} characters`,
    validate: (v): v is string => typeof v === 'string' && v.length > 0 && v.length <= maxLength,
  };
}

/** null means "not set" (the system default device, no forward target). */
function optionalText(maxLength = 1024): SettingSpec<string | null> {
  return {
    default: null,
    expected: `null or a string of 1-${maxLength} characters`,
    validate: (v): v is string | null => v === null || (typeof v === 'string' && v.length > 0 && v.length <= maxLength),
  };
}

/** A non-empty list of distinct codec names such as "opus", "G722", "PCMU". */
function codecList(def: string[]): SettingSpec<string[]> {
  return {
    default: def,
    expected: 'a non-empty list of distinct codec names (letters, digits, . _ -)',
    validate: (v): v is string[] =>
      Array.isArray(v) &&
      v.length > 0 &&
      v.every((c) => typeof c === 'string' && /^[A-Za-z0-9._-]{1,32}$/.test(c)) &&
      new Set(v.map((c: string) => c.toLowerCase())).size === v.length,
  };
}

/** Every setting, its default and its rule. The UI's settings page lists these. */
export const SETTING_SPECS = {
  /** Codecs to offer, in order of preference. */
  'audio.codecs': codecList(['opus', 'G722', 'PCMU', 'PCMA']),
  /** Input/output device ids as the audio backend names them; null: the system default. */
  'audio.inputDevice': optionalText(),
  'audio.outputDevice': optionalText(),
  /** Where the engine rings ('audio.handset': 'system'), as a desk phone's ringer; null: the output device. */
  'audio.ringDevice': optionalText(),
  /**
   * Where a call's audio goes while no browser page is attached to it: 'browser' (nowhere:
   * silence until a page attaches), or 'system': the sound devices above, like a desk phone.
   * A page that attaches wins either way.
   */
  'audio.handset': choice('browser', ['browser', 'system'] as const),
  /** Levels in percent. */
  'audio.inputLevel': int(100, 0, 100),
  'audio.outputLevel': int(100, 0, 100),
  /** A built-in ringtone name or a file path. */
  'audio.ringtone': text('default'),
  /** RFC 4733 telephone-events, SIP INFO (RFC 6086), or tones in the audio. */
  'call.dtmfMode': choice('rfc4733', ['rfc4733', 'info', 'inband'] as const),
  /** Do not disturb: incoming calls are answered 486 (reject) or redirected (forward). */
  'call.dnd': bool(false),
  'call.dndAction': choice('reject', ['reject', 'forward'] as const),
  'call.dndForwardTarget': optionalText(),
  'call.autoAnswer': bool(false),
  'call.autoAnswerDelayMs': int(0, 0, 60_000),
  /** Calls older than this many days are deleted; 0 keeps them forever. */
  'history.retentionDays': int(0, 0, 36_500),
} as const satisfies Record<string, SettingSpec<unknown>>;

export type SettingKey = keyof typeof SETTING_SPECS;
export type SettingsValues = { -readonly [K in SettingKey]: (typeof SETTING_SPECS)[K] extends SettingSpec<infer T> ? T : never };

export const SETTING_KEYS = Object.keys(SETTING_SPECS) as SettingKey[];

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTING_SPECS, key);
}

function spec<K extends SettingKey>(key: K): SettingSpec<SettingsValues[K]> {
  return SETTING_SPECS[key] as unknown as SettingSpec<SettingsValues[K]>;
}

/** Every setting at its default. */
export function defaultSettings(): SettingsValues {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) out[key] = structuredClone(SETTING_SPECS[key].default);
  return out as SettingsValues;
}

export class Settings {
  readonly #db: SqliteDatabase;
  readonly #now: () => number;
  readonly #logger: Logger;

  constructor(db: SqliteDatabase, options: { now?: () => number; logger?: Logger } = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? silentLogger;
  }

  get<K extends SettingKey>(key: K): SettingsValues[K] {
    this.#checkKey(key);
    const raw = this.#db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined;
    return this.#decode(key, raw);
  }

  /** Every setting, defaults filled in. */
  all(): SettingsValues {
    const rows = this.#db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
    const stored = new Map(rows.map((r) => [r.key, r.value]));
    const out: Record<string, unknown> = {};
    for (const key of SETTING_KEYS) out[key] = this.#decode(key, stored.get(key));
    return out as SettingsValues;
  }

  /** Validates and stores one value; throws `invalid-setting` (nothing stored) when it is wrong. */
  set<K extends SettingKey>(key: K, value: SettingsValues[K]): void {
    this.setMany({ [key]: value } as Partial<SettingsValues>);
  }

  /** Validates every value first, then stores them all in one transaction. */
  setMany(values: Partial<SettingsValues>): void {
    const entries = Object.entries(values);
    for (const [key, value] of entries) {
      this.#checkKey(key);
      const s = spec(key);
      if (!s.validate(value)) {
        throw new StoreError('invalid-setting', `setting ${key} must be ${s.expected}, not ${JSON.stringify(value)}`);
      }
    }
    const upsert = this.#db.prepare(
      'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    );
    const now = this.#now();
    this.#db.transaction(() => {
      for (const [key, value] of entries) upsert.run(key, JSON.stringify(value), now);
    })();
  }

  /** Back to the default (the row is removed). */
  reset(key: SettingKey): void {
    this.#checkKey(key);
    this.#db.prepare('DELETE FROM settings WHERE key = ?').run(key);
  }

  #decode<K extends SettingKey>(key: K, raw: string | undefined): SettingsValues[K] {
    const s = spec(key);
    if (raw === undefined) return structuredClone(s.default);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = undefined;
    }
    if (s.validate(value)) return value;
    this.#logger.warn('stored setting is invalid; using its default', { key, expected: s.expected });
    return structuredClone(s.default);
  }

  #checkKey(key: string): asserts key is SettingKey {
    if (!isSettingKey(key)) throw new StoreError('invalid-setting', `unknown setting ${JSON.stringify(key)}`);
  }
}
