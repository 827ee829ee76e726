import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualScheduler } from '../../platform/manual-scheduler.js';
import { tagOf } from '../message.js';
import type { SipRequest } from '../message.js';
import { TransactionError, TransactionStateError } from './errors.js';
import { InviteClientTransaction, createAck, createCancel } from './invite-client-transaction.js';
import type { InviteClientState, InviteClientTransactionOptions } from './invite-client-transaction.js';
import { Recorder, invite, nameAddr, response, statusOf, via } from './fixtures.test.js';
import type { TimerConfig } from './timers.js';

function setup(o: { reliable?: boolean; timers?: Partial<TimerConfig>; request?: SipRequest } = {}) {
  const scheduler = new ManualScheduler();
  const rec = new Recorder(() => scheduler.now());
  const req = o.request ?? invite();
  const tx = new InviteClientTransaction(req, {
    scheduler,
    reliable: o.reliable ?? false,
    timers: o.timers,
    send: rec.send,
    user: rec.clientUser(),
  });
  return { scheduler, rec, req, tx };
}

test('RFC 3261 §17.1.1.2: start sends the INVITE and arms Timer A and Timer B on an unreliable transport', () => {
  const { tx, rec, req } = setup();
  assert.equal(tx.state, 'calling');
  assert.equal(rec.sent.length, 0, 'nothing is sent before start()');
  tx.start();
  assert.equal(rec.sent.length, 1);
  assert.equal(rec.sent[0]?.message, req);
  assert.deepEqual(tx.armedTimers().sort(), ['timerA', 'timerB']);
  assert.throws(() => tx.start(), TransactionError);
});

test('RFC 3261 §17.1.1.2: Timer A starts at T1 and doubles; Timer B fires at 64*T1 with a timeout to the TU', () => {
  const { tx, rec, scheduler } = setup();
  tx.start();
  scheduler.advance(31999);
  // sent at 0, then retransmitted at T1, 3T1, 7T1, 15T1, 31T1, 63T1 (500 ms T1)
  assert.deepEqual(rec.sentAt, [0, 500, 1500, 3500, 7500, 15500, 31500]);
  assert.equal(tx.state, 'calling');
  assert.deepEqual(rec.events, []);
  scheduler.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events, ['timeout', 'terminated']);
  assert.equal(scheduler.armed, 0, 'no timer left behind');
  scheduler.advance(100000);
  assert.equal(rec.sent.length, 7, 'no retransmission after Timer B');
});

test('RFC 3261 §17.1.1.2: Timer A is not armed on a reliable transport; Timer B still is', () => {
  const { tx, rec, scheduler } = setup({ reliable: true });
  tx.start();
  assert.deepEqual(tx.armedTimers(), ['timerB']);
  scheduler.advance(31999);
  assert.equal(rec.sent.length, 1, 'no retransmissions over a reliable transport');
  scheduler.advance(1);
  assert.deepEqual(rec.events, ['timeout', 'terminated']);
});

test('RFC 3261 §17.1.1.2: T1 is configurable and scales Timers A and B', () => {
  const { tx, rec, scheduler } = setup({ timers: { t1: 100 } });
  tx.start();
  scheduler.advance(6399);
  assert.deepEqual(rec.sentAt, [0, 100, 300, 700, 1500, 3100, 6300]);
  scheduler.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events, ['timeout', 'terminated']);
});

test('RFC 3261 §17.1.1.2: a 1xx in calling moves to proceeding and stops Timer A', () => {
  const { tx, rec, scheduler, req } = setup();
  tx.start();
  scheduler.advance(700); // one retransmission at 500
  tx.receiveResponse(response(req, 180));
  assert.equal(tx.state, 'proceeding');
  assert.deepEqual(rec.events, ['provisional 180']);
  assert.deepEqual(tx.armedTimers(), []);
  scheduler.advance(10 * 60 * 1000);
  assert.deepEqual(rec.sentAt, [0, 500], 'no more retransmissions');
  assert.equal(tx.state, 'proceeding', 'Timer B only applies in calling: an INVITE may ring for ever');
});

test('RFC 3261 §17.1.1.2: every 1xx in proceeding is passed to the TU', () => {
  const { tx, rec, req } = setup();
  tx.start();
  tx.receiveResponse(response(req, 100));
  tx.receiveResponse(response(req, 180));
  tx.receiveResponse(response(req, 183));
  assert.equal(tx.state, 'proceeding');
  assert.deepEqual(rec.events, ['provisional 100', 'provisional 180', 'provisional 183']);
});

test('RFC 3261 §17.1.1.2: a 300-699 in calling moves to completed, sends the ACK, and passes the response up once', () => {
  const { tx, rec, req } = setup();
  tx.start();
  tx.receiveResponse(response(req, 486));
  assert.equal(tx.state, 'completed');
  assert.deepEqual(rec.events, ['final 486']);
  assert.equal(statusOf(rec.lastSent), 'ACK');
  assert.equal(tx.ack, rec.lastSent);
  assert.deepEqual(tx.armedTimers(), ['timerD'], 'Timer A and B disarmed on leaving calling');
});

test('RFC 3261 §17.1.1.2: a 300-699 in proceeding moves to completed and sends the ACK', () => {
  const { tx, rec, req } = setup();
  tx.start();
  tx.receiveResponse(response(req, 180));
  tx.receiveResponse(response(req, 603));
  assert.equal(tx.state, 'completed');
  assert.deepEqual(rec.events, ['provisional 180', 'final 603']);
  assert.equal(statusOf(rec.lastSent), 'ACK');
});

test('RFC 3261 §17.1.1.3: the ACK for a non-2xx copies Request-URI, Call-ID, From, CSeq number, the top Via only, Route, and To from the response', () => {
  const route = [nameAddr('p1', 'proxy1.example.com'), nameAddr('p2', 'proxy2.example.com')];
  const req = invite({ route, extraVia: [via('z9hG4bK-lower', 'proxy.example.com')] });
  const { tx, rec } = setup({ request: req });
  tx.start();
  const res = response(req, 404, 'totag-9');
  tx.receiveResponse(res);
  const ack = rec.lastSent as SipRequest;
  assert.equal(ack.type, 'request');
  assert.equal(ack.method, 'ACK');
  assert.deepEqual(ack.uri, req.uri);
  assert.equal(ack.callId, req.callId);
  assert.deepEqual(ack.from, req.from);
  assert.deepEqual(ack.cseq, { seq: req.cseq.seq, method: 'ACK' });
  assert.equal(ack.via.length, 1, 'a single Via');
  assert.deepEqual(ack.via[0], req.via[0], 'equal to the top Via of the original request (same branch)');
  assert.equal(tagOf(ack.to), 'totag-9', 'To from the response, with its tag');
  assert.deepEqual(ack.to, res.to);
  assert.deepEqual(ack.route, route);
  assert.equal(ack.body.length, 0);
  assert.equal(ack.maxForwards, 70);
  // copies, not shared objects
  assert.notEqual(ack.via[0], req.via[0]);
  assert.notEqual(ack.route[0], route[0]);
  assert.deepEqual(createAck(req, res), ack);
});

test('RFC 3261 §17.1.1.2: a retransmitted final response in completed resends the ACK and is not passed up', () => {
  const { tx, rec, req } = setup();
  tx.start();
  const res = response(req, 486);
  tx.receiveResponse(res);
  const ack = tx.ack;
  tx.receiveResponse(response(req, 486));
  tx.receiveResponse(response(req, 486));
  assert.deepEqual(rec.events, ['final 486']);
  assert.deepEqual(rec.sent.map((s) => statusOf(s.message)), ['INVITE', 'ACK', 'ACK', 'ACK']);
  assert.equal(rec.sent[2]?.message, ack);
  // a stray 1xx or 2xx in completed is ignored
  tx.receiveResponse(response(req, 180));
  tx.receiveResponse(response(req, 200));
  assert.equal(rec.sent.length, 4);
  assert.deepEqual(rec.events, ['final 486']);
});

test('RFC 3261 §17.1.1.2: Timer D waits 32 s in completed on an unreliable transport', () => {
  const { tx, rec, req, scheduler } = setup();
  tx.start();
  scheduler.advance(1000);
  tx.receiveResponse(response(req, 500));
  scheduler.advance(31999);
  assert.equal(tx.state, 'completed');
  assert.equal(rec.sent.filter((s) => statusOf(s.message) === 'INVITE').length, 2, 'Timer A stopped at the final response');
  scheduler.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events, ['final 500', 'terminated']);
  assert.equal(scheduler.armed, 0);
});

test('RFC 3261 §17.1.1.2: Timer D is zero on a reliable transport: completed ends at once', () => {
  const { tx, rec, req, scheduler } = setup({ reliable: true });
  tx.start();
  tx.receiveResponse(response(req, 404));
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events, ['final 404', 'terminated']);
  assert.deepEqual(rec.sent.map((s) => statusOf(s.message)), ['INVITE', 'ACK']);
  assert.equal(scheduler.armed, 0);
});

test('RFC 3261 §17.1.1.2: Timer D is configurable', () => {
  const { tx, req, scheduler } = setup({ timers: { timerD: 40000 } });
  tx.start();
  tx.receiveResponse(response(req, 404));
  scheduler.advance(39999);
  assert.equal(tx.state, 'completed');
  scheduler.advance(1);
  assert.equal(tx.state, 'terminated');
});

test('RFC 6026 §8.4: a 2xx in calling moves to accepted, is passed up, sends no ACK and stops Timer A', () => {
  const { tx, rec, req, scheduler } = setup();
  tx.start();
  tx.receiveResponse(response(req, 200));
  assert.equal(tx.state, 'accepted');
  assert.deepEqual(rec.events, ['final 200']);
  assert.deepEqual(tx.armedTimers(), ['timerM']);
  scheduler.advance(31999);
  assert.equal(rec.sent.length, 1, 'no ACK and no INVITE retransmission');
});

test('RFC 6026 §8.4: in accepted every 2xx (retransmissions, other forks) reaches the TU; Timer M ends it at 64*T1', () => {
  const { tx, rec, req, scheduler } = setup();
  tx.start();
  tx.receiveResponse(response(req, 180));
  scheduler.advance(1000);
  tx.receiveResponse(response(req, 200, 'fork-a'));
  scheduler.advance(500);
  tx.receiveResponse(response(req, 200, 'fork-a'));
  tx.receiveResponse(response(req, 200, 'fork-b'));
  tx.receiveResponse(response(req, 486)); // non-2xx in accepted: ignored
  tx.receiveResponse(response(req, 183)); // 1xx in accepted: ignored
  assert.deepEqual(rec.events, ['provisional 180', 'final 200', 'final 200', 'final 200']);
  assert.deepEqual(rec.finals.map((r) => tagOf(r.to)), ['fork-a', 'fork-a', 'fork-b']);
  assert.equal(rec.sent.length, 1, 'the transaction never ACKs a 2xx');
  scheduler.advance(31499); // Timer M armed at t=1000
  assert.equal(tx.state, 'accepted');
  scheduler.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events.slice(-1), ['terminated']);
});

test('RFC 6026 §8.4: Timer M runs at 64*T1 on reliable transports too, and follows T1', () => {
  const { tx, req, scheduler } = setup({ reliable: true, timers: { t1: 250 } });
  tx.start();
  tx.receiveResponse(response(req, 202));
  scheduler.advance(15999);
  assert.equal(tx.state, 'accepted');
  scheduler.advance(1);
  assert.equal(tx.state, 'terminated');
});

test('RFC 3261 §17.1.4: a transport error in calling is reported to the TU and terminates the transaction', () => {
  const { tx, rec, scheduler } = setup();
  tx.start();
  tx.transportError(new Error('ECONNREFUSED'));
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events, ['transport-error', 'terminated']);
  assert.equal(rec.errors[0]?.message, 'ECONNREFUSED');
  assert.equal(scheduler.armed, 0, 'Timers A and B disarmed');
  tx.transportError(new Error('again'));
  assert.equal(rec.errors.length, 1, 'nothing after terminated');
});

test('RFC 3261 §17.1.4: a transport error reported from inside send() terminates before any timer is left armed', () => {
  const scheduler = new ManualScheduler();
  const rec = new Recorder(() => scheduler.now());
  const options: InviteClientTransactionOptions = {
    scheduler,
    reliable: false,
    send: (_msg, t) => t.transportError(new Error('EUNREACHABLE')),
    user: rec.clientUser(),
  };
  const tx = new InviteClientTransaction(invite(), options);
  tx.start();
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events, ['transport-error', 'terminated']);
  assert.equal(scheduler.armed, 0);
});

test('RFC 3261 §17.1.4: a failed ACK in completed is reported and terminates; the response is not passed up twice', () => {
  const scheduler = new ManualScheduler();
  const rec = new Recorder(() => scheduler.now());
  const tx = new InviteClientTransaction(invite(), {
    scheduler,
    reliable: false,
    send: (msg, t) => {
      if (msg.type === 'request' && msg.method === 'ACK') t.transportError(new Error('ECLOSED'));
    },
    user: rec.clientUser(),
  });
  tx.start();
  tx.receiveResponse(response(tx.request, 487));
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events, ['transport-error', 'terminated']);
  assert.equal(scheduler.armed, 0);
});

test('RFC 6026 §8.4: a late transport error in accepted is reported but the transaction stays to pass 2xx up', () => {
  const { tx, rec, req } = setup();
  tx.start();
  tx.receiveResponse(response(req, 200));
  tx.transportError(new Error('late'));
  assert.equal(tx.state, 'accepted');
  tx.receiveResponse(response(req, 200));
  assert.deepEqual(rec.events, ['final 200', 'transport-error', 'final 200']);
});

test('RFC 3261 §17.1.1.2: transition() rejects moves Figure 5 does not have', () => {
  class Probe extends InviteClientTransaction {
    move(to: InviteClientState): void {
      this.transition(to);
    }
  }
  const scheduler = new ManualScheduler();
  const p = new Probe(invite(), { scheduler, reliable: false, send: () => {}, user: {} });
  p.start();
  assert.throws(() => p.move('calling'), TransactionStateError);
  p.move('proceeding');
  assert.throws(() => p.move('calling'), TransactionStateError);
  p.move('completed');
  assert.throws(() => p.move('accepted'), TransactionStateError);
  assert.throws(() => p.move('proceeding'), TransactionStateError);
  p.move('terminated');
  assert.throws(() => p.move('completed'), (e: unknown) => e instanceof TransactionStateError && e.from === 'terminated' && e.to === 'completed');
});

test('RFC 3261 §17.1.1: terminate() ends the transaction at once, silently, and is idempotent', () => {
  const { tx, rec, scheduler } = setup();
  tx.start();
  tx.terminate();
  tx.terminate();
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(rec.events, ['terminated']);
  assert.equal(scheduler.armed, 0);
});

test('RFC 3261 §17.1.1: only an INVITE with a branch can run an INVITE client transaction', () => {
  const scheduler = new ManualScheduler();
  const opts = { scheduler, reliable: false, send: () => {}, user: {} };
  assert.throws(() => new InviteClientTransaction(invite({ branch: undefined }), opts), TransactionError);
  const bye = invite();
  bye.method = 'BYE';
  assert.throws(() => new InviteClientTransaction(bye, opts), TransactionError);
});

test('RFC 3261 §9.1: the CANCEL copies Request-URI, Call-ID, To, From, CSeq number, the top Via and Route of the INVITE', () => {
  const route = [nameAddr('p1', 'proxy1.example.com')];
  const req = invite({ route, extraVia: [via('z9hG4bK-lower', 'proxy.example.com')] });
  const { tx } = setup({ request: req });
  tx.start();
  const reason = { name: 'Reason', value: 'SIP;cause=200;text="Call completed elsewhere"' };
  const cancel = tx.createCancel([reason]);
  assert.equal(cancel.method, 'CANCEL');
  assert.deepEqual(cancel.uri, req.uri);
  assert.equal(cancel.callId, req.callId);
  assert.deepEqual(cancel.to, req.to);
  assert.deepEqual(cancel.from, req.from);
  assert.deepEqual(cancel.cseq, { seq: req.cseq.seq, method: 'CANCEL' });
  assert.equal(cancel.via.length, 1);
  assert.deepEqual(cancel.via[0], req.via[0], 'same branch as the INVITE');
  assert.deepEqual(cancel.route, route);
  assert.deepEqual(cancel.headers, [reason]);
  assert.equal(cancel.body.length, 0);
  assert.deepEqual(createCancel(req), { ...cancel, headers: [] });
});
