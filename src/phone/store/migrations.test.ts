import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Contacts } from './contacts.js';
import { openDatabase } from './database.js';
import { StoreError } from './errors.js';
import { CallHistory } from './history.js';
import type { Migration } from './migrations.js';
import { MIGRATIONS, SCHEMA_VERSION, migrate, schemaVersion } from './migrations.js';
import { tempDir } from './testing/temp-dir.js';

const tables = (db: ReturnType<typeof openDatabase>) =>
  (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[]).filter((n) => !n.startsWith('sqlite_'));

test('migrate: a fresh database goes from version 0 to the last migration', (t) => {
  const db = openDatabase(join(tempDir(t), 'phone.db'));
  t.after(() => db.close());
  assert.equal(schemaVersion(db), 0);
  const r = migrate(db);
  assert.deepEqual(r, { from: 0, to: SCHEMA_VERSION, applied: MIGRATIONS.map((m) => m.version) });
  assert.equal(schemaVersion(db), SCHEMA_VERSION);
  assert.deepEqual(tables(db), ['account_secrets', 'accounts', 'calls', 'contact_numbers', 'contacts', 'settings']);
  assert.deepEqual(db.pragma('foreign_key_check'), []);
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
});

test('migrate: running again on a current database does nothing', (t) => {
  const db = openDatabase(join(tempDir(t), 'phone.db'));
  t.after(() => db.close());
  migrate(db);
  assert.deepEqual(migrate(db), { from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
});

test('migrate: upgrading a version-1 database keeps its rows and backfills the v2 keys', (t) => {
  const file = join(tempDir(t), 'phone.db');
  // A database as version 1 left it: rows written with v1's columns only.
  const old = openDatabase(file);
  migrate(old, MIGRATIONS.slice(0, 1));
  assert.equal(schemaVersion(old), 1);
  old.exec(`
    INSERT INTO accounts (id, aor, transport, is_default, created_at, updated_at) VALUES (1, 'sip:alice@example.com', 'udp', 1, 1, 1);
    INSERT INTO contacts (id, name, organisation, created_at, updated_at) VALUES (1, 'Zoë Åström', 'ACME', 10, 10);
    INSERT INTO contact_numbers (contact_id, position, label, value) VALUES (1, 0, 'mobile', '+1 (555) 123-4567');
    INSERT INTO contact_numbers (contact_id, position, label, value) VALUES (1, 1, 'sip', 'sip:zoe@example.org');
    INSERT INTO calls (account_id, direction, remote_uri, remote_display_name, started_at, outcome, seen)
      VALUES (1, 'in', 'sip:+15551234567@pbx', 'Zoë', 100, 'missed', 0);
    INSERT INTO settings (key, value, updated_at) VALUES ('call.dnd', 'true', 5);
  `);
  old.close();

  const db = openDatabase(file);
  t.after(() => db.close());
  const r = migrate(db);
  assert.deepEqual(r, { from: 1, to: SCHEMA_VERSION, applied: MIGRATIONS.slice(1).map((m) => m.version) });
  assert.equal(db.prepare('SELECT count(*) FROM accounts').pluck().get(), 1);
  assert.equal(db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get('call.dnd'), 'true');
  const contacts = new Contacts(db);
  const zoe = contacts.get(1);
  assert.equal(zoe?.name, 'Zoë Åström');
  assert.deepEqual(zoe?.numbers, [
    { label: 'mobile', value: '+1 (555) 123-4567' },
    { label: 'sip', value: 'sip:zoe@example.org' },
  ]);
  // The derived keys were backfilled: search and caller-ID work on the old rows.
  assert.deepEqual(contacts.search('zoe astrom').map((c) => c.id), [1]);
  assert.equal(contacts.resolveCaller('sip:5551234567@pbx')?.label, 'mobile');
  assert.equal(contacts.resolveCaller('sip:Zoe@Example.org')?.label, 'sip');
  const history = new CallHistory(db);
  assert.deepEqual(history.search('zoe').map((c) => c.remoteUri), ['sip:+15551234567@pbx']);
  assert.equal(history.missedCount(), 1);
});

test('migrate: a database from a newer version is refused, untouched', (t) => {
  const db = openDatabase(join(tempDir(t), 'phone.db'));
  t.after(() => db.close());
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  assert.throws(() => migrate(db), (e: unknown) => e instanceof StoreError && e.code === 'schema-too-new');
  assert.equal(schemaVersion(db), SCHEMA_VERSION + 1);
  assert.deepEqual(tables(db), []);
});

test('migrate: a failing migration is rolled back; the database stays at the previous version', (t) => {
  const db = openDatabase(join(tempDir(t), 'phone.db'));
  t.after(() => db.close());
  const list: Migration[] = [
    { version: 1, description: 'one', up: (d) => d.exec('CREATE TABLE one (a INTEGER)') },
    {
      version: 2,
      description: 'two, half done',
      up: (d) => {
        d.exec('CREATE TABLE two (a INTEGER)');
        throw new Error('boom');
      },
    },
  ];
  assert.throws(() => migrate(db, list), (e: unknown) => e instanceof StoreError && e.code === 'migration-failed' && /boom/.test(e.message));
  assert.equal(schemaVersion(db), 1);
  assert.deepEqual(tables(db), ['one']);
});

test('migrate: versions must be 1, 2, 3, ... in order', (t) => {
  const db = openDatabase(join(tempDir(t), 'phone.db'));
  t.after(() => db.close());
  const up = () => {};
  assert.throws(() => migrate(db, [{ version: 2, description: 'x', up }]), /versions must be 1, 2, 3/);
  assert.throws(
    () => migrate(db, [{ version: 1, description: 'a', up }, { version: 1, description: 'b', up }]),
    (e: unknown) => e instanceof StoreError && e.code === 'invalid-argument',
  );
});

test('MIGRATIONS: every released migration has a description and a consecutive version', () => {
  MIGRATIONS.forEach((m, i) => {
    assert.equal(m.version, i + 1);
    assert.ok(m.description.length > 0);
  });
});
