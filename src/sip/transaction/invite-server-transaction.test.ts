import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualScheduler } from '../../platform/manual-scheduler.js';
import type { SipRequest, SipResponse } from '../message.js';
import { tagOf } from '../message.js';
import { TransactionError, TransactionStateError } from './errors.js';
import { InviteServerTransaction } from './invite-server-transaction.js';
import type { InviteServerState } from './invite-server-transaction.js';
import { Recorder, invite, request, response, statusOf } from './fixtures.test.js';
import type { TimerConfig } from './timers.js';

function setup(o: { reliable?: boolean; timers?: Partial<TimerConfig>; request?: SipRequest } = {}) {
  const scheduler = new ManualScheduler();
  const rec = new Recorder(() => scheduler.now());
  const req = o.request ?? invite();
  const tx = new InviteServerTransaction(req, {
    scheduler,
    reliable: o.reliable ?? false,
    timers: o.timers,
    send: rec.send,
    user: rec.serverUser(),
  });
  return { scheduler, rec, req, tx };
}

const ack = (o: { toTag?: string } = {}) => request('ACK', { cseqMethod: 'ACK', toTag: o.toTag ?? 'a6c85cf' });

test('RFC 3261 §17.2.1: the transaction sends 100 Trying when the TU has not responded within 200 ms', () => {
  const req = invite();
  req.headers.push({ name: 'Timestamp', value: '54' });
  const { tx, rec, scheduler } = setup({ request: req });
  assert.equal(tx.state, 'proceeding');
  scheduler.advance(199);
  assert.equal(rec.sent.length, 0);
  scheduler.advance(1);
  assert.equal(rec.sent.length, 1);
  const trying = rec.sent[0]?.message as SipResponse;
  assert.equal(trying.status, 100);
  assert.equal(tagOf(trying.to), undefined, 'no To tag on a 100');
  assert.deepEqual(trying.headers, [{ name: 'Timestamp', value: '54' }], '§8.2.6.1: Timestamp copied');
  assert.equal(tx.state, 'proceeding');
});

test('RFC 3261 §17.2.1: no 100 Trying when the TU responds within 200 ms', () => {
  const { tx, rec, scheduler, req } = setup();
  scheduler.advance(150);
  tx.respond(response(req, 180));
  scheduler.advance(10000);
  assert.deepEqual(rec.sent.map((s) => statusOf(s.message)), [180]);
  assert.equal(tx.state, 'proceeding');
});

test('RFC 3261 §17.2.1: the 100 Trying delay is configurable', () => {
  const { rec, scheduler } = setup({ timers: { trying: 50 } });
  scheduler.advance(50);
  assert.deepEqual(rec.sent.map((s) => statusOf(s.message)), [100]);
});

test('RFC 3261 §17.2.1: a retransmitted INVITE in proceeding resends the most recent provisional response', () => {
  const { tx, rec, req } = setup();
  tx.respond(response(req, 180));
  tx.respond(response(req, 183));
  assert.equal(tx.receiveRequest(invite()), true);
  assert.deepEqual(rec.sent.map((s) => statusOf(s.message)), [180, 183, 183]);
  assert.equal(rec.sent[2]?.message, rec.sent[1]?.message);
  assert.equal(tx.state, 'proceeding');
});

test('RFC 3261 §17.2.1: a retransmitted INVITE before any response gets the 100 Trying at once', () => {
  const { tx, rec, scheduler } = setup();
  scheduler.advance(100);
  tx.receiveRequest(invite());
  assert.deepEqual(rec.sent.map((s) => statusOf(s.message)), [100]);
  scheduler.advance(1000);
  assert.equal(rec.sent.length, 1, 'the 200 ms timer does not send a second one');
});

test('RFC 3261 §17.2.1: a 300-699 from the TU moves to completed; Timer G retransmits from T1, doubling up to T2, until Timer H', () => {
  const { tx, rec, req, scheduler } = setup();
  tx.respond(response(req, 486));
  assert.equal(tx.state, 'completed');
  assert.deepEqual(tx.armedTimers().sort(), ['timerG', 'timerH']);
  scheduler.advance(31999);
  assert.deepEqual(rec.sentAt, [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.ok(rec.sent.every((s) => statusOf(s.message) === 486));
  assert.deepEqual(rec.events, []);
  scheduler.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events, ['timeout', 'terminated'], 'Timer H: the TU hears of the missing ACK');
  assert.equal(scheduler.armed, 0);
});

test('RFC 3261 §17.2.1: Timer G follows configured T1 and T2', () => {
  const { tx, rec, req, scheduler } = setup({ timers: { t1: 100, t2: 300 } });
  tx.respond(response(req, 500));
  scheduler.advance(1500);
  assert.deepEqual(rec.sentAt, [0, 100, 300, 600, 900, 1200, 1500]);
  scheduler.advance(5000);
  assert.equal(tx.state, 'terminated', 'Timer H at 64*T1 = 6.4 s');
});

test('RFC 3261 §17.2.1: no Timer G on a reliable transport; Timer H still fires at 64*T1', () => {
  const { tx, rec, req, scheduler } = setup({ reliable: true });
  tx.respond(response(req, 404));
  assert.deepEqual(tx.armedTimers(), ['timerH']);
  scheduler.advance(31999);
  assert.equal(rec.sent.length, 1);
  scheduler.advance(1);
  assert.deepEqual(rec.events, ['timeout', 'terminated']);
});

test('RFC 3261 §17.2.1: a retransmitted INVITE in completed resends the final response', () => {
  const { tx, rec, req } = setup();
  const res = response(req, 603);
  tx.respond(res);
  assert.equal(tx.receiveRequest(invite()), true);
  assert.deepEqual(rec.sent.map((s) => s.message), [res, res]);
});

test('RFC 3261 §17.2.1: an ACK in completed moves to confirmed, stops Timers G and H, and Timer I ends it after T4', () => {
  const { tx, rec, req, scheduler } = setup();
  tx.respond(response(req, 486));
  scheduler.advance(600);
  assert.equal(tx.receiveRequest(ack()), true, 'absorbed');
  assert.equal(tx.state, 'confirmed');
  assert.deepEqual(tx.armedTimers(), ['timerI']);
  assert.equal(tx.receiveRequest(ack()), true, 'confirmed absorbs further ACKs');
  assert.equal(tx.receiveRequest(invite()), true);
  scheduler.advance(4999);
  assert.equal(tx.state, 'confirmed');
  assert.equal(rec.sent.length, 2, 'the response at 0 and one Timer G retransmission at 500, nothing after the ACK');
  scheduler.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events, ['terminated'], 'no timeout');
});

test('RFC 3261 §17.2.1: Timer I follows a configured T4', () => {
  const { tx, req, scheduler } = setup({ timers: { t4: 1000 } });
  tx.respond(response(req, 486));
  tx.receiveRequest(ack());
  scheduler.advance(999);
  assert.equal(tx.state, 'confirmed');
  scheduler.advance(1);
  assert.equal(tx.state, 'terminated');
});

test('RFC 3261 §17.2.1: Timer I is zero on a reliable transport: the ACK ends the transaction', () => {
  const { tx, req, rec, scheduler } = setup({ reliable: true });
  tx.respond(response(req, 486));
  tx.receiveRequest(ack());
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events, ['terminated']);
  assert.equal(scheduler.armed, 0);
});

test('RFC 6026 §8.5: a 2xx from the TU is sent once (not retransmitted by the transaction) and moves to accepted with Timer L', () => {
  const { tx, rec, req, scheduler } = setup();
  tx.respond(response(req, 180));
  tx.respond(response(req, 200));
  assert.equal(tx.state, 'accepted');
  assert.deepEqual(tx.armedTimers(), ['timerL']);
  scheduler.advance(31999);
  assert.deepEqual(rec.sent.map((s) => statusOf(s.message)), [180, 200]);
  scheduler.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events, ['terminated']);
});

test('RFC 6026 §8.7: in accepted, retransmitted INVITEs are absorbed and the TU\'s 2xx retransmissions are sent', () => {
  const { tx, rec, req } = setup();
  const ok = response(req, 200);
  tx.respond(ok);
  assert.equal(tx.receiveRequest(invite()), true);
  assert.equal(rec.sent.length, 1, 'the transaction does not retransmit the 2xx itself');
  tx.respond(ok); // the TU's retransmission (§13.3.1.4)
  assert.equal(rec.sent.length, 2);
  tx.respond(response(req, 486)); // a non-2xx after a 2xx: discarded
  tx.respond(response(req, 180));
  assert.equal(rec.sent.length, 2);
  assert.equal(tx.state, 'accepted');
});

test('RFC 6026 §8.7: an ACK matching the transaction in accepted is not absorbed but passed up', () => {
  const { tx, req } = setup();
  tx.respond(response(req, 200));
  assert.equal(tx.receiveRequest(ack()), false);
  assert.equal(tx.state, 'accepted', 'the ACK does not end the accepted state; Timer L does');
});

test('RFC 6026 §8.7: Timer L follows T1 and runs on reliable transports too', () => {
  const { tx, req, scheduler } = setup({ reliable: true, timers: { t1: 100 } });
  tx.respond(response(req, 200));
  scheduler.advance(6399);
  assert.equal(tx.state, 'accepted');
  scheduler.advance(1);
  assert.equal(tx.state, 'terminated');
});

test('RFC 6026 §8.8: a transport error is reported to the TU and the server transaction stays in its state', () => {
  const { tx, rec, req, scheduler } = setup();
  tx.respond(response(req, 180));
  tx.transportError(new Error('ECLOSED'));
  assert.equal(tx.state, 'proceeding');
  tx.respond(response(req, 480));
  tx.transportError(new Error('ECLOSED'));
  assert.equal(tx.state, 'completed');
  assert.deepEqual(rec.events, ['transport-error', 'transport-error']);
  tx.receiveRequest(invite());
  assert.equal(statusOf(rec.lastSent), 480, 'retransmissions are still answered');
  scheduler.advance(32000);
  assert.deepEqual(rec.events.slice(-2), ['timeout', 'terminated']);
});

test('RFC 3261 §17.2.1: responses after the final one are discarded; bad status codes are refused', () => {
  const { tx, rec, req } = setup();
  assert.throws(() => tx.respond(response(req, 99)), TransactionError);
  assert.throws(() => tx.respond(response(req, 700)), TransactionError);
  tx.respond(response(req, 404));
  tx.respond(response(req, 200));
  tx.respond(response(req, 500));
  assert.deepEqual(rec.sent.map((s) => statusOf(s.message)), [404]);
  assert.equal(tx.responseToTag, 'a6c85cf');
});

test('RFC 3261 §17.2.1: an ACK in proceeding (no final response yet) is absorbed', () => {
  const { tx } = setup();
  assert.equal(tx.receiveRequest(ack()), true);
  assert.equal(tx.state, 'proceeding');
});

test('RFC 3261 §17.2.1: transition() rejects moves Figure 7 does not have', () => {
  class Probe extends InviteServerTransaction {
    move(to: InviteServerState): void {
      this.transition(to);
    }
  }
  const p = new Probe(invite(), { scheduler: new ManualScheduler(), reliable: false, send: () => {} });
  assert.throws(() => p.move('confirmed'), TransactionStateError);
  p.move('completed');
  assert.throws(() => p.move('accepted'), TransactionStateError);
  assert.throws(() => p.move('proceeding'), TransactionStateError);
  p.move('confirmed');
  assert.throws(() => p.move('completed'), TransactionStateError);
  const q = new Probe(invite(), { scheduler: new ManualScheduler(), reliable: false, send: () => {} });
  q.move('accepted');
  assert.throws(() => q.move('confirmed'), TransactionStateError);
  assert.throws(() => q.move('completed'), TransactionStateError);
});

test('RFC 3261 §17.2.1: only an INVITE can create an INVITE server transaction', () => {
  assert.throws(
    () => new InviteServerTransaction(request('OPTIONS'), { scheduler: new ManualScheduler(), reliable: false, send: () => {} }),
    TransactionError,
  );
});
