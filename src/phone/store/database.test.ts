import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from './database.js';
import { StoreError } from './errors.js';
import { tempDir } from './testing/temp-dir.js';

const mode = (p: string) => statSync(p).mode & 0o777;

test('openDatabase: WAL journal, synchronous=FULL, foreign keys on, busy timeout set', (t) => {
  const db = openDatabase(join(tempDir(t), 'p', 'phone.db'), { busyTimeoutMs: 1234 });
  t.after(() => db.close());
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('synchronous', { simple: true }), 2); // FULL
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  assert.equal(db.pragma('busy_timeout', { simple: true }), 1234);
});

test('openDatabase: creates its directory 0700 and the database, -wal and -shm files 0600', (t) => {
  const dir = join(tempDir(t), 'nested', 'profile');
  const file = join(dir, 'phone.db');
  const db = openDatabase(file);
  t.after(() => db.close());
  db.exec('CREATE TABLE x (a INTEGER); INSERT INTO x VALUES (1)');
  assert.equal(mode(dir), 0o700);
  assert.equal(mode(file), 0o600);
  assert.ok(existsSync(`${file}-wal`), 'WAL file exists after a write');
  assert.equal(mode(`${file}-wal`), 0o600);
  assert.equal(mode(`${file}-shm`), 0o600);
});

test('openDatabase: tightens a directory and files left with looser modes', (t) => {
  const dir = join(tempDir(t), 'loose');
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755);
  const file = join(dir, 'phone.db');
  writeFileSync(file, '');
  chmodSync(file, 0o644);
  const db = openDatabase(file);
  t.after(() => db.close());
  assert.equal(mode(dir), 0o700);
  assert.equal(mode(file), 0o600);
});

test('openDatabase: foreign keys are enforced', (t) => {
  const db = openDatabase(join(tempDir(t), 'phone.db'));
  t.after(() => db.close());
  db.exec('CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p (id))');
  assert.throws(() => db.prepare('INSERT INTO c VALUES (42)').run(), /FOREIGN KEY/);
});

test('openDatabase: a file that is not a database is reported as store-open-failed', (t) => {
  const file = join(tempDir(t), 'phone.db');
  writeFileSync(file, 'this is not an SQLite database, just some text that is long enough '.repeat(20));
  assert.throws(
    () => openDatabase(file),
    (e: unknown) => e instanceof StoreError && e.code === 'store-open-failed',
  );
});

test('openDatabase: a negative busy timeout is a programmer error', (t) => {
  assert.throws(() => openDatabase(join(tempDir(t), 'phone.db'), { busyTimeoutMs: -1 }), /busyTimeoutMs/);
});
