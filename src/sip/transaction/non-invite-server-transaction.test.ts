import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualScheduler } from '../../platform/manual-scheduler.js';
import type { SipRequest } from '../message.js';
import { TransactionError, TransactionStateError } from './errors.js';
import { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import type { NonInviteServerState } from './non-invite-server-transaction.js';
import { Recorder, request, response, statusOf } from './fixtures.test.js';
import type { TimerConfig } from './timers.js';

function setup(o: { reliable?: boolean; timers?: Partial<TimerConfig>; request?: SipRequest } = {}) {
  const scheduler = new ManualScheduler();
  const rec = new Recorder(() => scheduler.now());
  const req = o.request ?? request('BYE', { toTag: 'a6c85cf' });
  const tx = new NonInviteServerTransaction(req, {
    scheduler,
    reliable: o.reliable ?? false,
    timers: o.timers,
    send: rec.send,
    user: rec.serverUser(),
  });
  return { scheduler, rec, req, tx };
}

test('RFC 3261 §17.2.2: retransmissions in trying are discarded; no 100 Trying is sent on its own', () => {
  const { tx, rec, req, scheduler } = setup();
  assert.equal(tx.state, 'trying');
  tx.receiveRequest(req);
  scheduler.advance(60000);
  assert.equal(rec.sent.length, 0);
  assert.equal(tx.state, 'trying');
});

test('RFC 3261 §17.2.2: a provisional response moves to proceeding; retransmissions then get the latest provisional', () => {
  const { tx, rec, req } = setup();
  tx.respond(response(req, 100));
  assert.equal(tx.state, 'proceeding');
  tx.respond(response(req, 180));
  tx.receiveRequest(req);
  assert.deepEqual(rec.sent.map((s) => statusOf(s.message)), [100, 180, 180]);
  assert.equal(tx.state, 'proceeding');
});

test('RFC 3261 §17.2.2: a final response moves to completed; retransmissions get the final response again', () => {
  const { tx, rec, req } = setup();
  const ok = response(req, 200);
  tx.respond(ok);
  assert.equal(tx.state, 'completed');
  tx.receiveRequest(req);
  tx.receiveRequest(req);
  assert.deepEqual(rec.sent.map((s) => s.message), [ok, ok, ok]);
});

test('RFC 3261 §17.2.2: a final response from proceeding moves to completed', () => {
  const { tx, rec, req } = setup();
  tx.respond(response(req, 100));
  tx.respond(response(req, 481));
  assert.equal(tx.state, 'completed');
  assert.deepEqual(rec.sent.map((s) => statusOf(s.message)), [100, 481]);
});

test('RFC 3261 §17.2.2: other final responses from the TU are discarded in completed', () => {
  const { tx, rec, req } = setup();
  tx.respond(response(req, 200));
  tx.respond(response(req, 500));
  tx.respond(response(req, 180));
  assert.deepEqual(rec.sent.map((s) => statusOf(s.message)), [200]);
  assert.throws(() => tx.respond(response(req, 42)), TransactionError);
});

test('RFC 3261 §17.2.2: Timer J holds completed for 64*T1 on an unreliable transport', () => {
  const { tx, rec, req, scheduler } = setup();
  tx.respond(response(req, 200));
  assert.deepEqual(tx.armedTimers(), ['timerJ']);
  scheduler.advance(31999);
  assert.equal(tx.state, 'completed');
  assert.equal(rec.sent.length, 1, 'final responses are not retransmitted on a timer');
  scheduler.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events, ['terminated']);
  assert.equal(scheduler.armed, 0);
});

test('RFC 3261 §17.2.2: Timer J follows a configured T1', () => {
  const { tx, req, scheduler } = setup({ timers: { t1: 50 } });
  tx.respond(response(req, 200));
  scheduler.advance(3199);
  assert.equal(tx.state, 'completed');
  scheduler.advance(1);
  assert.equal(tx.state, 'terminated');
});

test('RFC 3261 §17.2.2: Timer J is zero on a reliable transport', () => {
  const { tx, rec, req, scheduler } = setup({ reliable: true });
  tx.respond(response(req, 200));
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events, ['terminated']);
  assert.equal(scheduler.armed, 0);
});

test('RFC 6026 §8.8: a transport error is reported and the non-INVITE server transaction stays in its state', () => {
  const { tx, rec, req, scheduler } = setup();
  tx.respond(response(req, 200));
  tx.transportError(new Error('ECONNRESET'));
  assert.equal(tx.state, 'completed');
  assert.deepEqual(rec.events, ['transport-error']);
  tx.receiveRequest(req);
  assert.equal(rec.sent.length, 2, 'a retransmitted request is still absorbed, not taken for a new one');
  scheduler.advance(32000);
  assert.equal(tx.state, 'terminated');
});

test('RFC 3261 §17.2.2: transition() rejects moves Figure 8 does not have', () => {
  class Probe extends NonInviteServerTransaction {
    move(to: NonInviteServerState): void {
      this.transition(to);
    }
  }
  const p = new Probe(request('MESSAGE'), { scheduler: new ManualScheduler(), reliable: false, send: () => {} });
  assert.throws(() => p.move('trying'), TransactionStateError);
  p.move('completed');
  assert.throws(() => p.move('proceeding'), TransactionStateError);
  p.move('terminated');
  assert.throws(() => p.move('terminated'), TransactionStateError);
});

test('RFC 3261 §17.2.2: INVITE and ACK cannot create a non-INVITE server transaction', () => {
  const opts = { scheduler: new ManualScheduler(), reliable: false, send: () => {} };
  assert.throws(() => new NonInviteServerTransaction(request('INVITE'), opts), TransactionError);
  assert.throws(() => new NonInviteServerTransaction(request('ACK'), opts), TransactionError);
});
