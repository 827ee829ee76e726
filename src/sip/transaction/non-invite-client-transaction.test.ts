import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualScheduler } from '../../platform/manual-scheduler.js';
import type { SipRequest } from '../message.js';
import { TransactionError, TransactionStateError } from './errors.js';
import { NonInviteClientTransaction } from './non-invite-client-transaction.js';
import type { NonInviteClientState } from './non-invite-client-transaction.js';
import { Recorder, request, response } from './fixtures.test.js';
import type { TimerConfig } from './timers.js';

function setup(o: { reliable?: boolean; timers?: Partial<TimerConfig>; request?: SipRequest } = {}) {
  const scheduler = new ManualScheduler();
  const rec = new Recorder(() => scheduler.now());
  const req = o.request ?? request('OPTIONS');
  const tx = new NonInviteClientTransaction(req, {
    scheduler,
    reliable: o.reliable ?? false,
    timers: o.timers,
    send: rec.send,
    user: rec.clientUser(),
  });
  return { scheduler, rec, req, tx };
}

test('RFC 3261 §17.1.2.2: start sends the request and arms Timer E and Timer F on an unreliable transport', () => {
  const { tx, rec } = setup();
  assert.equal(tx.state, 'trying');
  tx.start();
  assert.equal(rec.sent.length, 1);
  assert.deepEqual(tx.armedTimers().sort(), ['timerE', 'timerF']);
  assert.throws(() => tx.start(), TransactionError);
});

test('RFC 3261 §17.1.2.2: Timer E doubles from T1 and is capped at T2 in trying; Timer F times out at 64*T1', () => {
  const { tx, rec, scheduler } = setup();
  tx.start();
  scheduler.advance(31999);
  // intervals 500, 1000, 2000, 4000, 4000, ...
  assert.deepEqual(rec.sentAt, [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.deepEqual(rec.events, []);
  scheduler.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events, ['timeout', 'terminated']);
  assert.equal(scheduler.armed, 0);
});

test('RFC 3261 §17.1.2.2: in proceeding Timer E keeps running and is reset to T2 on each firing', () => {
  const { tx, rec, scheduler, req } = setup();
  tx.start();
  scheduler.advance(600); // retransmitted at 500; E now due at 1500
  tx.receiveResponse(response(req, 100));
  assert.equal(tx.state, 'proceeding');
  assert.deepEqual(tx.armedTimers().sort(), ['timerE', 'timerF'], 'E and F survive the move to proceeding');
  scheduler.advance(20000);
  assert.deepEqual(rec.sentAt, [0, 500, 1500, 5500, 9500, 13500, 17500]);
});

test('RFC 3261 §17.1.2.2: Timer F fires in proceeding too, with a timeout to the TU', () => {
  const { tx, rec, scheduler, req } = setup();
  tx.start();
  tx.receiveResponse(response(req, 180));
  scheduler.advance(32000);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events, ['provisional 180', 'timeout', 'terminated']);
});

test('RFC 3261 §17.1.2.2: no retransmissions on a reliable transport; Timer F still fires at 64*T1', () => {
  const { tx, rec, scheduler } = setup({ reliable: true });
  tx.start();
  assert.deepEqual(tx.armedTimers(), ['timerF']);
  scheduler.advance(31999);
  assert.equal(rec.sent.length, 1);
  scheduler.advance(1);
  assert.deepEqual(rec.events, ['timeout', 'terminated']);
});

test('RFC 3261 §17.1.2.2: T1 and T2 are configurable', () => {
  const { tx, rec, scheduler } = setup({ timers: { t1: 200, t2: 1000 } });
  tx.start();
  scheduler.advance(12799);
  assert.deepEqual(rec.sentAt, [0, 200, 600, 1400, 2400, 3400, 4400, 5400, 6400, 7400, 8400, 9400, 10400, 11400, 12400]);
  scheduler.advance(1);
  assert.equal(tx.state, 'terminated');
});

test('RFC 3261 §17.1.2.2: a final response in trying moves to completed, is passed up, and stops Timers E and F', () => {
  const { tx, rec, scheduler, req } = setup();
  tx.start();
  tx.receiveResponse(response(req, 200));
  assert.equal(tx.state, 'completed');
  assert.deepEqual(rec.events, ['final 200']);
  assert.deepEqual(tx.armedTimers(), ['timerK']);
  scheduler.advance(4999);
  assert.equal(rec.sent.length, 1);
});

test('RFC 3261 §17.1.2.2: a final response in proceeding moves to completed', () => {
  const { tx, rec, req } = setup();
  tx.start();
  tx.receiveResponse(response(req, 100));
  tx.receiveResponse(response(req, 404));
  assert.equal(tx.state, 'completed');
  assert.deepEqual(rec.events, ['provisional 100', 'final 404']);
});

test('RFC 3261 §17.1.2.2: responses retransmitted into completed are absorbed', () => {
  const { tx, rec, req } = setup();
  tx.start();
  tx.receiveResponse(response(req, 200));
  tx.receiveResponse(response(req, 200));
  tx.receiveResponse(response(req, 100));
  assert.deepEqual(rec.events, ['final 200']);
  assert.equal(rec.sent.length, 1);
});

test('RFC 3261 §17.1.2.2: Timer K waits T4 in completed on an unreliable transport', () => {
  const { tx, rec, req, scheduler } = setup();
  tx.start();
  tx.receiveResponse(response(req, 200));
  scheduler.advance(4999);
  assert.equal(tx.state, 'completed');
  scheduler.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events, ['final 200', 'terminated']);
  assert.equal(scheduler.armed, 0);
});

test('RFC 3261 §17.1.2.2: Timer K follows a configured T4', () => {
  const { tx, req, scheduler } = setup({ timers: { t4: 2500 } });
  tx.start();
  tx.receiveResponse(response(req, 200));
  scheduler.advance(2499);
  assert.equal(tx.state, 'completed');
  scheduler.advance(1);
  assert.equal(tx.state, 'terminated');
});

test('RFC 3261 §17.1.2.2: Timer K is zero on a reliable transport', () => {
  const { tx, rec, req, scheduler } = setup({ reliable: true });
  tx.start();
  tx.receiveResponse(response(req, 200));
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events, ['final 200', 'terminated']);
  assert.equal(scheduler.armed, 0);
});

test('RFC 3261 §17.1.4: a transport error in trying is reported and terminates the transaction', () => {
  const { tx, rec, scheduler } = setup();
  tx.start();
  tx.transportError(new Error('ETLS'));
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events, ['transport-error', 'terminated']);
  assert.equal(scheduler.armed, 0);
});

test('RFC 3261 §17.1.4: a transport error on a retransmission in proceeding terminates the transaction', () => {
  const scheduler = new ManualScheduler();
  const rec = new Recorder(() => scheduler.now());
  let n = 0;
  const tx = new NonInviteClientTransaction(request('REGISTER'), {
    scheduler,
    reliable: false,
    send: (_m, t) => {
      if (++n === 3) t.transportError(new Error('EUNREACHABLE'));
    },
    user: rec.clientUser(),
  });
  tx.start();
  tx.receiveResponse(response(tx.request, 100));
  scheduler.advance(4499); // in proceeding: retransmissions at 500, then T2 later at 4500
  assert.equal(tx.state, 'proceeding');
  scheduler.advance(1); // the one at 4500 fails
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events, ['provisional 100', 'transport-error', 'terminated']);
  assert.equal(scheduler.armed, 0);
});

test('RFC 3261 §17.1.2.2: transition() rejects moves Figure 6 does not have', () => {
  class Probe extends NonInviteClientTransaction {
    move(to: NonInviteClientState): void {
      this.transition(to);
    }
  }
  const p = new Probe(request('BYE'), { scheduler: new ManualScheduler(), reliable: false, send: () => {}, user: {} });
  assert.throws(() => p.move('trying'), TransactionStateError);
  p.move('proceeding');
  assert.throws(() => p.move('trying'), TransactionStateError);
  p.move('completed');
  assert.throws(() => p.move('proceeding'), TransactionStateError);
  p.move('terminated');
  assert.throws(() => p.move('completed'), TransactionStateError);
});

test('RFC 3261 §17.1.2: INVITE and ACK cannot run a non-INVITE client transaction', () => {
  const opts = { scheduler: new ManualScheduler(), reliable: false, send: () => {}, user: {} };
  assert.throws(() => new NonInviteClientTransaction(request('INVITE'), opts), TransactionError);
  assert.throws(() => new NonInviteClientTransaction(request('ACK'), opts), TransactionError);
});
