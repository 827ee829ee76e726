import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import type { Logger } from '../../platform/logger.js';
import { StoreError } from './errors.js';
import { KEY_FILE, PhoneStore } from './index.js';
import { SecretBox } from './secret-box.js';
import { tempDir } from './testing/temp-dir.js';

const PASSWORD = 'correct horse battery staple ✓';

function recordingLogger(lines: string[]): Logger {
  const log = (level: string) => (msg: string, fields?: object) => lines.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`);
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => logger };
  return logger;
}

function open(t: TestContext, dir = tempDir(t), logger?: Logger): PhoneStore {
  const store = PhoneStore.open(dir, logger ? { logger } : {});
  t.after(() => store.close());
  return store;
}

test('accounts.create: fields, sip: added to a bare AOR, udp by default, the first is the default', (t) => {
  const { accounts } = open(t);
  const a = accounts.create({ aor: 'alice@example.com', displayName: 'Alice', authUser: 'a1', registrar: 'sip:reg.example.com' });
  assert.equal(a.aor, 'sip:alice@example.com');
  assert.equal(a.displayName, 'Alice');
  assert.equal(a.authUser, 'a1');
  assert.equal(a.registrar, 'sip:reg.example.com');
  assert.equal(a.outboundProxy, null);
  assert.equal(a.transport, 'udp');
  assert.equal(a.enabled, true);
  assert.equal(a.isDefault, true);
  assert.equal(a.hasPassword, false);
  const b = accounts.create({ aor: 'SIPS:bob@example.com', transport: 'tls', enabled: false });
  assert.equal(b.aor, 'sips:bob@example.com');
  assert.equal(b.isDefault, false);
  assert.deepEqual(accounts.list().map((x) => x.id), [a.id, b.id]);
  assert.deepEqual(accounts.getByAor('sips:bob@example.com'), b);
  assert.equal(accounts.getByAor('alice@example.com')?.id, a.id);
});

test('accounts.create: refuses a bad AOR, transport, or a duplicate AOR', (t) => {
  const { accounts } = open(t);
  accounts.create({ aor: 'sip:alice@example.com' });
  assert.throws(() => accounts.create({ aor: 'alice' }), (e: unknown) => e instanceof StoreError && e.code === 'invalid-argument');
  assert.throws(() => accounts.create({ aor: 'sip:x@y', transport: 'sctp' as never }), /transport/);
  assert.throws(() => accounts.create({ aor: 'alice@example.com' }), (e: unknown) => e instanceof StoreError && e.code === 'conflict');
});

test('accounts: exactly one default while any account exists', (t) => {
  const { accounts, database } = open(t);
  const count = () => database.prepare('SELECT count(*) FROM accounts WHERE is_default = 1').pluck().get();
  assert.equal(accounts.getDefault(), undefined);
  const a = accounts.create({ aor: 'sip:a@x' });
  const b = accounts.create({ aor: 'sip:b@x', isDefault: true });
  const c = accounts.create({ aor: 'sip:c@x', enabled: false });
  const d = accounts.create({ aor: 'sip:d@x' });
  assert.equal(accounts.getDefault()?.id, b.id);
  assert.equal(count(), 1);
  accounts.setDefault(c.id);
  assert.equal(accounts.getDefault()?.id, c.id);
  assert.equal(count(), 1);
  accounts.update(a.id, { isDefault: true });
  assert.equal(accounts.getDefault()?.id, a.id);
  // Deleting the default hands it to the oldest enabled account.
  accounts.delete(a.id);
  assert.equal(accounts.getDefault()?.id, b.id);
  accounts.delete(b.id);
  assert.equal(accounts.getDefault()?.id, d.id, 'enabled d before disabled c');
  accounts.delete(d.id);
  assert.equal(accounts.getDefault()?.id, c.id);
  accounts.delete(c.id);
  assert.equal(accounts.getDefault(), undefined);
  // The index refuses a second default even behind the code's back.
  const x = accounts.create({ aor: 'sip:x@x' });
  accounts.create({ aor: 'sip:y@x' });
  assert.throws(() => database.prepare('UPDATE accounts SET is_default = 1 WHERE id <> ?').run(x.id), /UNIQUE/);
  assert.throws(() => accounts.setDefault(999), (e: unknown) => e instanceof StoreError && e.code === 'not-found');
});

test('accounts.update: fields, password set/kept/removed', (t) => {
  const { accounts } = open(t);
  const a = accounts.create({ aor: 'sip:alice@example.com', password: PASSWORD });
  assert.equal(a.hasPassword, true);
  const u = accounts.update(a.id, { outboundProxy: 'sip:proxy.example.com;lr', transport: 'tcp', enabled: false, displayName: null });
  assert.equal(u.outboundProxy, 'sip:proxy.example.com;lr');
  assert.equal(u.transport, 'tcp');
  assert.equal(u.enabled, false);
  assert.equal(accounts.getPassword(a.id), PASSWORD, 'kept when not in the patch');
  accounts.setPassword(a.id, 'new-secret');
  assert.equal(accounts.getPassword(a.id), 'new-secret');
  accounts.setPassword(a.id, null);
  assert.equal(accounts.getPassword(a.id), null);
  assert.equal(accounts.get(a.id)?.hasPassword, false);
  assert.throws(() => accounts.setPassword(a.id, ''), /password must be/);
});

test('accounts: deleting an account deletes its password and keeps its calls', (t) => {
  const store = open(t);
  const a = store.accounts.create({ aor: 'sip:alice@example.com', password: PASSWORD });
  const call = store.history.add({ accountId: a.id, direction: 'out', remoteUri: 'sip:bob@x', startedAt: 1 });
  store.accounts.delete(a.id);
  assert.equal(store.database.prepare('SELECT count(*) FROM account_secrets').pluck().get(), 0);
  assert.equal(store.history.get(call.id)?.accountId, null);
});

test('accounts: the password is not in plain text in the database, its WAL, the logs, or Account objects', (t) => {
  const dir = tempDir(t);
  const lines: string[] = [];
  const store = PhoneStore.open(dir, { logger: recordingLogger(lines) });
  const a = store.accounts.create({ aor: 'sip:alice@example.com', password: PASSWORD });
  store.accounts.update(a.id, { password: PASSWORD, transport: 'tls' });
  assert.throws(() => store.accounts.create({ aor: 'bad', password: PASSWORD }), (e: unknown) => !String(e).includes(PASSWORD));
  const wal = readFileSync(join(dir, 'phone.db-wal'));
  const account = JSON.stringify(store.accounts.list());
  store.close();
  const db = readFileSync(join(dir, 'phone.db'));
  for (const [what, bytes] of [['database', db], ['wal', wal]] as const) {
    assert.equal(bytes.includes(Buffer.from(PASSWORD, 'utf8')), false, `password in the ${what}`);
    assert.equal(bytes.includes(Buffer.from('correct horse', 'utf8')), false, `part of the password in the ${what}`);
  }
  assert.ok(lines.length > 0, 'something was logged');
  assert.equal(lines.join('\n').includes('correct horse'), false);
  assert.equal(account.includes('correct horse'), false);
  assert.equal(statSync(join(dir, KEY_FILE)).mode & 0o777, 0o600);
  assert.equal(readFileSync(join(dir, KEY_FILE)).length, 32);
  // Reopened with its key file, the password is readable.
  const again = open(t, dir);
  assert.equal(again.accounts.getPassword(a.id), PASSWORD);
});

test('accounts: a database copied without its key file does not reveal the password', (t) => {
  const dir = tempDir(t);
  const store = PhoneStore.open(dir);
  const a = store.accounts.create({ aor: 'sip:alice@example.com', password: PASSWORD });
  store.close();
  // Another key (as on another machine with the copied phone.db).
  writeFileSync(join(dir, KEY_FILE), Buffer.alloc(32, 7));
  const other = open(t, dir);
  assert.equal(other.accounts.get(a.id)?.hasPassword, true);
  assert.throws(() => other.accounts.getPassword(a.id), (e: unknown) => e instanceof StoreError && e.code === 'password-undecryptable');
});

test('SecretBox: sealed values are bound to their context and detect tampering', (t) => {
  const box = SecretBox.loadOrCreate(join(tempDir(t), 'k'));
  const sealed = box.seal('hunter2', 'account:1');
  assert.equal(box.open(sealed, 'account:1'), 'hunter2');
  assert.notDeepEqual(box.seal('hunter2', 'account:1'), sealed, 'a fresh IV each time');
  assert.throws(() => box.open(sealed, 'account:2'), (e: unknown) => e instanceof StoreError && e.code === 'password-undecryptable');
  const tampered = Buffer.from(sealed);
  tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
  assert.throws(() => box.open(tampered, 'account:1'), /cannot be decrypted/);
  assert.throws(() => box.open(Buffer.from([9, 9]), 'account:1'), /malformed/);
  assert.equal(JSON.stringify({ box }), '{"box":"[SecretBox]"}');
});

test('SecretBox: a key file of the wrong size is refused', (t) => {
  const file = join(tempDir(t), 'k');
  writeFileSync(file, 'short');
  assert.throws(() => SecretBox.loadOrCreate(file), (e: unknown) => e instanceof StoreError && e.code === 'key-file-invalid');
});
