import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { StoreError } from './errors.js';
import { DATABASE_FILE, KEY_FILE, PhoneStore, SCHEMA_VERSION } from './index.js';
import { tempDir } from './testing/temp-dir.js';

test('PhoneStore.open: creates the profile directory 0700, database and key 0600, migrated', (t) => {
  const dir = join(tempDir(t), 'profile');
  const store = PhoneStore.open(dir);
  t.after(() => store.close());
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, DATABASE_FILE)).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, KEY_FILE)).mode & 0o777, 0o600);
  assert.deepEqual(store.migration.from, 0);
  assert.equal(store.migration.to, SCHEMA_VERSION);
  assert.equal(store.database.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(store.databasePath, join(dir, DATABASE_FILE));
});

test('PhoneStore: data survives close and reopen; close is idempotent', (t) => {
  const dir = tempDir(t);
  const store = PhoneStore.open(dir);
  const alice = store.contacts.create({ name: 'Alice', numbers: [{ label: 'mobile', value: '5551234567' }] });
  store.history.add({ direction: 'in', remoteUri: 'sip:5551234567@pbx', startedAt: 1, outcome: 'missed' });
  store.settings.set('call.dnd', true);
  assert.equal(store.closed, false);
  store.close();
  store.close();
  assert.equal(store.closed, true);
  assert.throws(() => store.database, (e: unknown) => e instanceof StoreError && e.code === 'store-closed');
  const again = PhoneStore.open(dir);
  t.after(() => again.close());
  assert.equal(again.migration.from, SCHEMA_VERSION);
  assert.deepEqual(again.migration.applied, []);
  assert.equal(again.contacts.resolveCaller('sip:5551234567@pbx')?.contact.id, alice.id);
  assert.equal(again.history.missedCount(), 1);
  assert.equal(again.settings.get('call.dnd'), true);
});

test('PhoneStore.transaction: all or nothing across repositories', (t) => {
  const store = PhoneStore.open(tempDir(t));
  t.after(() => store.close());
  assert.throws(() =>
    store.transaction(() => {
      store.contacts.create({ name: 'Ghost' });
      store.history.add({ direction: 'out', remoteUri: 'sip:x@y', startedAt: 1 });
      throw new Error('abort');
    }),
  );
  assert.equal(store.contacts.count(), 0);
  assert.equal(store.history.count(), 0);
});

test('PhoneStore: two connections to one profile (engine and CLI) see each other\'s commits', (t) => {
  const dir = tempDir(t);
  const a = PhoneStore.open(dir);
  const b = PhoneStore.open(dir);
  t.after(() => (a.close(), b.close()));
  a.history.add({ direction: 'in', remoteUri: 'sip:x@y', startedAt: 1, outcome: 'missed' });
  assert.equal(b.history.missedCount(), 1);
});

const CRASH_WRITER = fileURLToPath(new URL('./testing/crash-writer.ts', import.meta.url));

/** Runs the writer until it has reported `commits` more commits, then SIGKILLs it. */
function runAndKill(dir: string, commits: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CRASH_WRITER, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (!killed && out.split('\n').length - 1 >= commits) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`crash writer exited ${code ?? signal} before it was killed: ${err}`));
      // Only complete lines were reported; a torn last line was not.
      else resolve(out.split('\n').slice(0, -1));
    });
  });
}

test('crash safety: a writer SIGKILLed mid-stream loses no transaction it reported committed', { timeout: 120_000 }, async (t) => {
  const dir = tempDir(t);
  const reported: string[] = [];
  for (const commits of [300, 97, 211]) {
    reported.push(...(await runAndKill(dir, commits)));
    assert.ok(existsSync(join(dir, `${DATABASE_FILE}-wal`)), 'killed with a WAL in place');
    const store = PhoneStore.open(dir);
    try {
      assert.equal(store.database.pragma('integrity_check', { simple: true }), 'ok');
      for (const line of reported) {
        const [callId, contactId] = line.split(' ').map(Number);
        assert.ok(store.history.get(callId ?? 0), `call ${callId} was reported committed`);
        assert.equal(store.contacts.get(contactId ?? 0)?.numbers.length, 3, `contact ${contactId} with its 3 numbers`);
      }
      // Atomicity: no half-written transaction (a call without its contact, a contact without numbers).
      assert.equal(store.history.count(), store.contacts.count());
      const partial = store.database
        .prepare('SELECT count(*) FROM contacts c WHERE (SELECT count(*) FROM contact_numbers n WHERE n.contact_id = c.id) <> 3')
        .pluck()
        .get();
      assert.equal(partial, 0);
      assert.ok(store.history.count() >= reported.length);
    } finally {
      store.close();
    }
  }
  assert.ok(reported.length >= 608);
});
