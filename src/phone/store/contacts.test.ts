import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { Contacts } from './contacts.js';
import { openDatabase } from './database.js';
import { StoreError } from './errors.js';
import { migrate } from './migrations.js';
import { steppingClock, tempDir } from './testing/temp-dir.js';

function contacts(t: TestContext): Contacts {
  const db = openDatabase(join(tempDir(t), 'phone.db'));
  t.after(() => db.close());
  migrate(db);
  return new Contacts(db, steppingClock());
}

test('contacts.create/get: every field, numbers in order, created = updated', (t) => {
  const c = contacts(t);
  const alice = c.create({
    name: '  Alice Liddell ',
    organisation: 'Wonderland Ltd',
    email: 'alice@example.com',
    favourite: true,
    notes: 'line one\nline two',
    numbers: [
      { label: 'mobile', value: '+1 (555) 123-4567' },
      { label: 'sip', value: 'sip:alice@example.com' },
      { label: '', value: '201' },
    ],
  });
  assert.equal(alice.name, 'Alice Liddell');
  assert.equal(alice.organisation, 'Wonderland Ltd');
  assert.equal(alice.email, 'alice@example.com');
  assert.equal(alice.favourite, true);
  assert.equal(alice.notes, 'line one\nline two');
  assert.deepEqual(alice.numbers, [
    { label: 'mobile', value: '+1 (555) 123-4567' },
    { label: 'sip', value: 'sip:alice@example.com' },
    { label: 'other', value: '201' },
  ]);
  assert.equal(alice.createdAt, alice.updatedAt);
  assert.deepEqual(c.get(alice.id), alice);
  assert.equal(c.get(12345), undefined);
});

test('contacts.create: a name is required; numbers need a value', (t) => {
  const c = contacts(t);
  const invalid = (e: unknown) => e instanceof StoreError && e.code === 'invalid-argument';
  assert.throws(() => c.create({ name: '' }), invalid);
  assert.throws(() => c.create({ name: 'X', numbers: [{ label: 'mobile', value: ' ' }] }), invalid);
  assert.equal(c.count(), 0);
});

test('contacts.createMany: all or nothing', (t) => {
  const c = contacts(t);
  assert.throws(() => c.createMany([{ name: 'A' }, { name: '' }]));
  assert.equal(c.count(), 0);
  assert.equal(c.createMany([{ name: 'A' }, { name: 'B' }]).length, 2);
  assert.equal(c.count(), 2);
});

test('contacts.update: changes the given fields, replaces numbers when given, bumps updatedAt', (t) => {
  const c = contacts(t);
  const bob = c.create({ name: 'Bob', email: 'bob@example.com', numbers: [{ label: 'work', value: '5551230000' }] });
  const renamed = c.update(bob.id, { name: 'Robert', organisation: 'ACME' });
  assert.equal(renamed.name, 'Robert');
  assert.equal(renamed.email, 'bob@example.com');
  assert.deepEqual(renamed.numbers, bob.numbers);
  assert.ok(renamed.updatedAt > bob.updatedAt);
  assert.equal(renamed.createdAt, bob.createdAt);
  const renumbered = c.update(bob.id, { numbers: [{ label: 'home', value: '5559870000' }], email: null });
  assert.deepEqual(renumbered.numbers, [{ label: 'home', value: '5559870000' }]);
  assert.equal(renumbered.email, null);
  assert.equal(c.resolveCaller('5551230000'), null, 'the old number no longer resolves');
  assert.equal(c.resolveCaller('5559870000')?.contact.id, bob.id);
  assert.throws(() => c.update(999, { name: 'x' }), (e: unknown) => e instanceof StoreError && e.code === 'not-found');
});

test('contacts.delete removes the contact and its numbers', (t) => {
  const c = contacts(t);
  const x = c.create({ name: 'X', numbers: [{ label: 'mobile', value: '5551112222' }] });
  assert.equal(c.delete(x.id), true);
  assert.equal(c.delete(x.id), false);
  assert.equal(c.resolveCaller('5551112222'), null);
});

test('contacts.list: sorted by name ignoring case and accents, paged', (t) => {
  const c = contacts(t);
  for (const name of ['zed', 'Émile', 'bob', 'Alice', 'élise']) c.create({ name });
  assert.deepEqual(c.list().map((x) => x.name), ['Alice', 'bob', 'élise', 'Émile', 'zed']);
  assert.deepEqual(c.list({ limit: 2, offset: 2 }).map((x) => x.name), ['élise', 'Émile']);
});

test('contacts.favourites and setFavourite', (t) => {
  const c = contacts(t);
  const a = c.create({ name: 'A' });
  c.create({ name: 'B' });
  assert.deepEqual(c.favourites(), []);
  c.setFavourite(a.id, true);
  assert.deepEqual(c.favourites().map((x) => x.id), [a.id]);
  c.setFavourite(a.id, false);
  assert.deepEqual(c.favourites(), []);
});

test('contacts.search: name, organisation, email, number or URI, ignoring case and accents', (t) => {
  const c = contacts(t);
  const zoe = c.create({ name: 'Zoë Åström', organisation: 'Björk AB', numbers: [{ label: 'mobile', value: '+46 70 123 45 67' }] });
  const li = c.create({ name: '李雷', email: 'lilei@example.cn' });
  const party = c.create({ name: 'Party 🎉', numbers: [{ label: 'sip', value: 'sip:party@example.org' }] });
  const ids = (q: string) => c.search(q).map((x) => x.id);
  assert.deepEqual(ids('zoe'), [zoe.id]);
  assert.deepEqual(ids('BJORK'), [zoe.id]);
  assert.deepEqual(ids('雷'), [li.id]);
  assert.deepEqual(ids('lilei@'), [li.id]);
  assert.deepEqual(ids('🎉'), [party.id]);
  assert.deepEqual(ids('party@example'), [party.id]);
  assert.deepEqual(ids('7012345'), [zoe.id]);
  assert.deepEqual(ids('70 123'), [zoe.id]);
  assert.deepEqual(ids(''), []);
});

test('resolveCaller: "+1 (555) 123-4567" == "+15551234567" == sip:+15551234567@pbx', (t) => {
  const c = contacts(t);
  const alice = c.create({ name: 'Alice', numbers: [{ label: 'work', value: '+1 (555) 123-4567' }] });
  for (const caller of ['+15551234567', '+1 555 123 4567', 'sip:+15551234567@pbx', 'tel:+1-555-123-4567', '<sip:15551234567@10.0.0.1:5060;user=phone>']) {
    const m = c.resolveCaller(caller);
    assert.equal(m?.contact.id, alice.id, caller);
    assert.equal(m?.label, 'work');
    assert.equal(m?.value, '+1 (555) 123-4567');
    assert.equal(m?.match, 'number', caller);
  }
});

test('resolveCaller: sip:5551234567@pbx matches the stored number 5551234567, whatever the host', (t) => {
  const c = contacts(t);
  const bob = c.create({ name: 'Bob', numbers: [{ label: 'mobile', value: '5551234567' }] });
  assert.equal(c.resolveCaller('sip:5551234567@pbx')?.contact.id, bob.id);
  assert.equal(c.resolveCaller('sip:555-123-4567@other.example.com')?.match, 'number');
});

test('resolveCaller: suffix fallback absorbs a country code, trunk prefix or outside-line digit', (t) => {
  const c = contacts(t);
  const us = c.create({ name: 'US', numbers: [{ label: 'mobile', value: '(555) 123-4567' }] });
  const uk = c.create({ name: 'UK', numbers: [{ label: 'work', value: '+44 20 7946 0958' }] });
  assert.deepEqual(
    ['+15551234567', 'sip:915551234567@pbx', '1234567'].map((x) => [c.resolveCaller(x)?.contact.id, c.resolveCaller(x)?.match]),
    [[us.id, 'suffix'], [us.id, 'suffix'], [us.id, 'suffix']],
  );
  assert.equal(c.resolveCaller('020 7946 0958')?.contact.id, uk.id);
  assert.equal(c.resolveCaller('0044 20 7946 0958')?.contact.id, uk.id);
  // Too different in the last 9 digits: no match.
  assert.equal(c.resolveCaller('+1 556 123 4567'), null);
});

test('resolveCaller: short numbers (extensions) match exactly only', (t) => {
  const c = contacts(t);
  const ext = c.create({ name: 'Reception', numbers: [{ label: 'main', value: '201' }] });
  assert.equal(c.resolveCaller('sip:201@pbx.local')?.contact.id, ext.id);
  assert.equal(c.resolveCaller('sip:1201@pbx.local'), null);
  assert.equal(c.resolveCaller('sip:20@pbx.local'), null);
});

test('resolveCaller: a SIP address matches user@host, case-insensitively, ignoring params and port', (t) => {
  const c = contacts(t);
  const carol = c.create({ name: 'Carol', numbers: [{ label: 'sip', value: 'sip:carol@example.com' }] });
  assert.equal(c.resolveCaller('"C" <sips:Carol@EXAMPLE.com:5061;transport=tls>;tag=1')?.contact.id, carol.id);
  assert.equal(c.resolveCaller('sip:carol@example.com')?.match, 'address');
  assert.equal(c.resolveCaller('sip:carol@other.example.com'), null, 'same user, other domain: someone else');
  assert.equal(c.resolveCaller('anonymous'), null);
  assert.equal(c.resolveCaller('sip:anonymous@anonymous.invalid'), null);
});

test('resolveCaller: an exact match beats a suffix match; the longest suffix wins; ties go to favourites', (t) => {
  const c = contacts(t);
  const suffix = c.create({ name: 'Suffix', numbers: [{ label: 'home', value: '+1 555 123 4567' }] });
  const exact = c.create({ name: 'Exact', numbers: [{ label: 'work', value: '555 123 4567' }] });
  assert.equal(c.resolveCaller('5551234567')?.contact.id, exact.id);
  assert.equal(c.resolveCaller('+15551234567')?.contact.id, suffix.id);
  const seven = c.create({ name: 'Seven', numbers: [{ label: 'home', value: '1234567' }] });
  const nine = c.create({ name: 'Nine', numbers: [{ label: 'home', value: '99 123 4567' }] });
  assert.equal(c.resolveCaller('+1 991234567')?.contact.id, nine.id, '9 common digits beat 7');
  assert.equal(c.resolveCaller('+1 881234567')?.contact.id, seven.id, 'else 7 will do');
  const twinA = c.create({ name: 'Twin A', numbers: [{ label: 'mobile', value: '777 888 9999' }] });
  const twinB = c.create({ name: 'Twin B', favourite: true, numbers: [{ label: 'mobile', value: '(777) 888-9999' }] });
  assert.equal(c.resolveCaller('7778889999')?.contact.id, twinB.id);
  c.setFavourite(twinB.id, false);
  assert.equal(c.resolveCaller('7778889999')?.contact.id, twinA.id, 'otherwise the oldest');
});
