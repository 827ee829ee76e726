import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import type { Logger, LogFields } from '../../platform/logger.js';
import type { SqliteDatabase } from './database.js';
import { openDatabase } from './database.js';
import { StoreError } from './errors.js';
import { migrate } from './migrations.js';
import { SETTING_KEYS, SETTING_SPECS, Settings, defaultSettings, isSettingKey } from './settings.js';
import { tempDir } from './testing/temp-dir.js';

function open(t: TestContext, logger?: Logger): { db: SqliteDatabase; settings: Settings } {
  const db = openDatabase(join(tempDir(t), 'phone.db'));
  t.after(() => db.close());
  migrate(db);
  return { db, settings: new Settings(db, logger ? { logger } : {}) };
}

const invalidSetting = (e: unknown) => e instanceof StoreError && e.code === 'invalid-setting';

test('settings: unset keys read as their defaults', (t) => {
  const { settings } = open(t);
  assert.deepEqual(settings.all(), defaultSettings());
  assert.equal(settings.get('call.dtmfMode'), 'rfc4733');
  assert.equal(settings.get('call.dnd'), false);
  assert.deepEqual(settings.get('audio.codecs'), ['opus', 'G722', 'PCMU', 'PCMA']);
  for (const key of SETTING_KEYS) assert.ok(SETTING_SPECS[key].validate(SETTING_SPECS[key].default), `default of ${key} is valid`);
});

test('settings: set and get keep the type; values survive a reopen', (t) => {
  const dir = tempDir(t);
  const db = openDatabase(join(dir, 'phone.db'));
  migrate(db);
  const s = new Settings(db);
  s.set('call.dnd', true);
  s.set('audio.codecs', ['PCMA', 'opus']);
  s.set('audio.inputDevice', 'alsa_input.usb-headset');
  s.set('audio.outputLevel', 35);
  s.set('call.dndAction', 'forward');
  db.close();
  const again = openDatabase(join(dir, 'phone.db'));
  t.after(() => again.close());
  const s2 = new Settings(again);
  assert.equal(s2.get('call.dnd'), true);
  assert.deepEqual(s2.get('audio.codecs'), ['PCMA', 'opus']);
  assert.equal(s2.get('audio.inputDevice'), 'alsa_input.usb-headset');
  assert.equal(s2.get('audio.outputLevel'), 35);
  assert.equal(s2.all()['call.dndAction'], 'forward');
});

test('settings: invalid values are refused with the rule in the message', (t) => {
  const { settings } = open(t);
  const set = settings.set.bind(settings) as (k: string, v: unknown) => void;
  assert.throws(() => set('call.dnd', 'yes'), invalidSetting);
  assert.throws(() => set('audio.outputLevel', 101), /integer 0-100/);
  assert.throws(() => set('audio.outputLevel', 2.5), invalidSetting);
  assert.throws(() => set('call.dtmfMode', 'smoke-signals'), /one of rfc4733, info, inband/);
  assert.throws(() => set('audio.codecs', []), invalidSetting);
  assert.throws(() => set('audio.codecs', ['PCMU', 'pcmu']), invalidSetting);
  assert.throws(() => set('audio.codecs', ['PC MU']), invalidSetting);
  assert.throws(() => set('audio.ringtone', ''), invalidSetting);
  assert.throws(() => set('no.such.key', 1), /unknown setting/);
  assert.deepEqual(settings.all(), defaultSettings());
});

test('settings.setMany: validates everything before writing anything', (t) => {
  const { settings } = open(t);
  assert.throws(() => settings.setMany({ 'call.dnd': true, 'audio.inputLevel': -1 }), invalidSetting);
  assert.equal(settings.get('call.dnd'), false);
  settings.setMany({ 'call.dnd': true, 'audio.inputLevel': 10 });
  assert.equal(settings.get('call.dnd'), true);
  assert.equal(settings.get('audio.inputLevel'), 10);
});

test('settings.reset returns a key to its default', (t) => {
  const { settings } = open(t);
  settings.set('call.autoAnswer', true);
  settings.reset('call.autoAnswer');
  assert.equal(settings.get('call.autoAnswer'), false);
});

test('settings: a stored value that fails its rule reads as the default and is logged; unknown keys are kept', (t) => {
  const warnings: [string, LogFields | undefined][] = [];
  const noop = () => {};
  const logger: Logger = { debug: noop, info: noop, error: noop, warn: (m, f) => warnings.push([m, f]), child: () => logger };
  const { db, settings } = open(t, logger);
  db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 0)').run('audio.inputLevel', '"loud"');
  db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 0)').run('call.dnd', '{not json');
  db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 0)').run('future.key', '42');
  assert.equal(settings.get('audio.inputLevel'), 100);
  assert.equal(settings.all()['call.dnd'], false);
  assert.ok(warnings.some(([, f]) => f?.key === 'audio.inputLevel'));
  settings.set('call.dnd', true);
  assert.equal(db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get('future.key'), '42');
});

test('settings: returned lists are copies', (t) => {
  const { settings } = open(t);
  settings.get('audio.codecs').push('bogus');
  assert.deepEqual(settings.get('audio.codecs'), ['opus', 'G722', 'PCMU', 'PCMA']);
  assert.equal(isSettingKey('call.dnd'), true);
  assert.equal(isSettingKey('toString'), false);
});
