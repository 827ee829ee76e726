import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { openDatabase } from './database.js';
import { StoreError } from './errors.js';
import type { NewCall } from './history.js';
import { CallHistory } from './history.js';
import { migrate } from './migrations.js';
import { tempDir } from './testing/temp-dir.js';

function history(t: TestContext): CallHistory {
  const db = openDatabase(join(tempDir(t), 'phone.db'));
  t.after(() => db.close());
  migrate(db);
  return new CallHistory(db);
}

const T0 = Date.UTC(2025, 5, 1, 12);

function call(over: Partial<NewCall> = {}): NewCall {
  return { direction: 'in', remoteUri: 'sip:bob@example.com', startedAt: T0, ...over };
}

test('history.add: stores every field and computes the duration from answer to end', (t) => {
  const h = history(t);
  const c = h.add({
    direction: 'out',
    remoteUri: 'sip:+15551234567@pbx.example.com',
    remoteDisplayName: 'Bob',
    localUri: 'sip:alice@example.com',
    startedAt: T0,
    answeredAt: T0 + 3000,
    endedAt: T0 + 63_000,
    outcome: 'answered',
    codec: 'opus',
    callId: 'abc@host',
  });
  assert.deepEqual(c, {
    id: c.id,
    accountId: null,
    direction: 'out',
    remoteUri: 'sip:+15551234567@pbx.example.com',
    remoteDisplayName: 'Bob',
    localUri: 'sip:alice@example.com',
    startedAt: T0,
    answeredAt: T0 + 3000,
    endedAt: T0 + 63_000,
    durationMs: 60_000,
    outcome: 'answered',
    reason: null,
    codec: 'opus',
    callId: 'abc@host',
    seen: false,
  });
  assert.deepEqual(h.get(c.id), c);
  assert.deepEqual(h.findByCallId('abc@host'), c);
});

test('history.add: an unanswered call lasts 0 ms; an ongoing one has no duration or outcome', (t) => {
  const h = history(t);
  assert.equal(h.add(call({ endedAt: T0 + 20_000, outcome: 'missed' })).durationMs, 0);
  const ongoing = h.add(call());
  assert.equal(ongoing.durationMs, null);
  assert.equal(ongoing.outcome, null);
});

test('history.add: rejects a bad direction, outcome, empty URI, or a non-integer time', (t) => {
  const h = history(t);
  const invalid = (e: unknown) => e instanceof StoreError && e.code === 'invalid-argument';
  assert.throws(() => h.add(call({ direction: 'sideways' as never })), invalid);
  assert.throws(() => h.add(call({ outcome: 'lost' as never })), invalid);
  assert.throws(() => h.add(call({ remoteUri: ' ' })), invalid);
  assert.throws(() => h.add(call({ startedAt: 1.5 })), invalid);
  assert.throws(() => h.add(call({ accountId: 0 })), invalid);
  assert.equal(h.count(), 0);
});

test('history.add: accountId must name an existing account (foreign key)', (t) => {
  const h = history(t);
  assert.throws(() => h.add(call({ accountId: 99 })), /FOREIGN KEY/);
});

test('history.update: answering and ending a call fills in times, codec, outcome and duration', (t) => {
  const h = history(t);
  const c = h.add(call());
  h.update(c.id, { answeredAt: T0 + 2000, codec: 'PCMU' });
  const done = h.update(c.id, { endedAt: T0 + 12_000, outcome: 'answered', reason: '200 OK' });
  assert.equal(done.answeredAt, T0 + 2000);
  assert.equal(done.codec, 'PCMU');
  assert.equal(done.durationMs, 10_000);
  assert.equal(done.outcome, 'answered');
  assert.equal(done.reason, '200 OK');
  assert.throws(() => h.update(999, { outcome: 'failed' }), (e: unknown) => e instanceof StoreError && e.code === 'not-found');
});

test('history.recent: newest first, paged by cursor, with outcome and direction filters', (t) => {
  const h = history(t);
  const ids: number[] = [];
  for (let i = 0; i < 7; i++) {
    ids.push(h.add(call({ startedAt: T0 + i * 1000, direction: i % 2 ? 'out' : 'in', outcome: i % 3 === 0 ? 'missed' : 'answered' })).id);
  }
  // Two calls at the same instant are ordered by id.
  ids.push(h.add(call({ startedAt: T0 + 6000, outcome: 'busy' })).id);
  const page1 = h.recent({ limit: 3 });
  assert.deepEqual(page1.calls.map((c) => c.id), [ids[7], ids[6], ids[5]]);
  assert.ok(page1.next);
  const page2 = h.recent({ limit: 3, before: page1.next });
  assert.deepEqual(page2.calls.map((c) => c.id), [ids[4], ids[3], ids[2]]);
  const page3 = h.recent({ limit: 3, before: page2.next ?? undefined });
  assert.deepEqual(page3.calls.map((c) => c.id), [ids[1], ids[0]]);
  assert.equal(page3.next, null);
  assert.deepEqual(h.recent({ outcome: 'missed' }).calls.map((c) => c.id), [ids[6], ids[3], ids[0]]);
  assert.deepEqual(h.recent({ direction: 'out' }).calls.map((c) => c.id), [ids[5], ids[3], ids[1]]);
  assert.throws(() => h.recent({ limit: 0 }), /limit/);
});

test('history.search: name or number substring, ignoring case and accents', (t) => {
  const h = history(t);
  const zoe = h.add(call({ remoteDisplayName: 'Zoë Åström', remoteUri: 'sip:zoe@example.org', startedAt: T0 }));
  const li = h.add(call({ remoteDisplayName: '李雷', remoteUri: 'sip:lilei@example.cn', startedAt: T0 + 1 }));
  const num = h.add(call({ remoteUri: 'sip:+15551234567@pbx', startedAt: T0 + 2 }));
  const tel = h.add(call({ remoteUri: 'tel:+1-555-987-6543', remoteDisplayName: '100% Pure_Co', startedAt: T0 + 3 }));
  const ids = (q: string) => h.search(q).map((c) => c.id);
  assert.deepEqual(ids('zoe'), [zoe.id]);
  assert.deepEqual(ids('ASTRÖM'), [zoe.id]);
  assert.deepEqual(ids('李'), [li.id]);
  assert.deepEqual(ids('example'), [li.id, zoe.id]);
  assert.deepEqual(ids('555'), [tel.id, num.id]);
  // A formatted partial number matches by its digits, in the URI or a tel: with separators.
  assert.deepEqual(ids('555-123'), [num.id]);
  assert.deepEqual(ids('(555) 987'), [tel.id]);
  // LIKE wildcards in the query are literal.
  assert.deepEqual(ids('100%'), [tel.id]);
  assert.deepEqual(ids('e_c'), [tel.id]);
  assert.deepEqual(ids('   '), []);
  assert.deepEqual(ids('nobody'), []);
});

test('history.search: finds a call by its new display name after an update', (t) => {
  const h = history(t);
  const c = h.add(call());
  h.update(c.id, { remoteDisplayName: 'Robert Dupré' });
  assert.deepEqual(h.search('dupre').map((x) => x.id), [c.id]);
});

test('history: missed-since-last-seen count and mark seen', (t) => {
  const h = history(t);
  h.add(call({ outcome: 'missed' }));
  const second = h.add(call({ outcome: 'missed' }));
  h.add(call({ outcome: 'answered' }));
  h.add(call({ outcome: 'declined' }));
  assert.equal(h.missedCount(), 2);
  assert.equal(h.markMissedSeen(), 2);
  assert.equal(h.missedCount(), 0);
  assert.equal(h.get(second.id)?.seen, true);
  // A call that rings now and is missed after the user looked counts again.
  const ringing = h.add(call());
  assert.equal(h.missedCount(), 0);
  h.update(ringing.id, { endedAt: T0 + 30_000, outcome: 'missed' });
  assert.equal(h.missedCount(), 1);
  const later = h.add(call({ outcome: 'missed' }));
  assert.equal(h.markMissedSeen(ringing.id), 1, 'up to an id: only what the user saw');
  assert.equal(h.missedCount(), 1);
  assert.equal(h.get(later.id)?.seen, false);
});

test('history.closeUnfinished: calls left open by a crash become failed with a reason', (t) => {
  const h = history(t);
  const ringing = h.add(call());
  const talking = h.add(call({ answeredAt: T0 + 1000 }));
  const done = h.add(call({ endedAt: T0 + 5000, outcome: 'missed' }));
  assert.equal(h.closeUnfinished(), 2);
  assert.equal(h.get(ringing.id)?.outcome, 'failed');
  assert.equal(h.get(ringing.id)?.endedAt, T0);
  assert.equal(h.get(ringing.id)?.durationMs, 0);
  assert.equal(h.get(talking.id)?.reason, 'engine stopped during the call');
  assert.equal(h.get(talking.id)?.endedAt, T0 + 1000);
  assert.equal(h.get(done.id)?.outcome, 'missed');
});

test('history.delete and clear', (t) => {
  const h = history(t);
  const a = h.add(call({ startedAt: T0 }));
  h.add(call({ startedAt: T0 + 10 }));
  h.add(call({ startedAt: T0 + 20 }));
  assert.equal(h.delete(a.id), true);
  assert.equal(h.delete(a.id), false);
  assert.equal(h.clear(T0 + 20), 1);
  assert.equal(h.count(), 1);
  assert.equal(h.clear(), 1);
  assert.equal(h.count(), 0);
});
