import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '../../platform/logger.js';
import { ManualScheduler } from '../../platform/manual-scheduler.js';
import type { SipMessage, SipRequest } from '../message.js';
import { TransactionError } from './errors.js';
import { InviteClientTransaction, createCancel } from './invite-client-transaction.js';
import { InviteServerTransaction } from './invite-server-transaction.js';
import { MAGIC_COOKIE } from './matching.js';
import { NonInviteClientTransaction } from './non-invite-client-transaction.js';
import { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import { TransactionLayer } from './transaction-layer.js';
import type { TimerConfig } from './timers.js';
import { Recorder, invite, request, response, statusOf, via } from './fixtures.test.js';

function setup(timers?: Partial<TimerConfig>) {
  const scheduler = new ManualScheduler();
  let n = 0;
  const layer = new TransactionLayer({ scheduler, timers, random: () => `r${++n}` });
  const rec = new Recorder(() => scheduler.now());
  const sent: SipMessage[] = [];
  const client = { reliable: false, send: (m: SipMessage) => sent.push(m), user: rec.clientUser() };
  const server = { reliable: false, send: (m: SipMessage) => sent.push(m) };
  return { scheduler, layer, rec, sent, client, server };
}

// ─── client side ────────────────────────────────────────────────────────────────────────

test('RFC 3261 §8.1.1.7: new branches start with the magic cookie and come from the injected random source', () => {
  const { layer } = setup();
  assert.equal(layer.newBranch(), `${MAGIC_COOKIE}r1`);
  assert.equal(layer.newBranch(), `${MAGIC_COOKIE}r2`);
});

test('RFC 3261 §17.1: createClient runs an INVITE client transaction for INVITE and a non-INVITE one otherwise, and sends at once', () => {
  const { layer, sent, client } = setup();
  const inv = invite({ branch: undefined });
  const ict = layer.createClient(inv, client);
  assert.ok(ict instanceof InviteClientTransaction);
  assert.equal(inv.via[0]?.branch, `${MAGIC_COOKIE}r1`, 'a missing branch is filled in');
  const nict = layer.createClient(request('REGISTER', { branch: 'z9hG4bKexplicit' }), client);
  assert.ok(nict instanceof NonInviteClientTransaction);
  assert.equal(nict.branch, 'z9hG4bKexplicit', 'an existing branch is kept');
  assert.deepEqual(sent.map(statusOf), ['INVITE', 'REGISTER']);
  assert.equal(layer.clientCount, 2);
});

test('RFC 3261 §17.1.1.3: createClient refuses ACK, a request without Via, and a second transaction with the same branch and method', () => {
  const { layer, client } = setup();
  assert.throws(() => layer.createClient(request('ACK'), client), (e: unknown) => e instanceof TransactionError && e.code === 'ERR_SIP_TRANSACTION_ARGUMENT');
  const noVia = request('OPTIONS');
  noVia.via = [];
  assert.throws(() => layer.createClient(noVia, client), TransactionError);
  layer.createClient(request('OPTIONS', { branch: 'z9hG4bKdup' }), client);
  assert.throws(() => layer.createClient(request('OPTIONS', { branch: 'z9hG4bKdup' }), client), (e: unknown) => e instanceof TransactionError && e.code === 'ERR_SIP_TRANSACTION_EXISTS');
});

test('RFC 3261 §17.1.3: a response matches by top Via branch and CSeq method, so the CANCEL and the INVITE it cancels get their own responses', () => {
  const { layer, client, rec } = setup();
  const inv = invite({ branch: 'z9hG4bKcall' });
  const ict = layer.createClient(inv, client) as InviteClientTransaction;
  assert.equal(layer.receiveResponse(response(inv, 180)), ict);
  const cancel = createCancel(inv);
  const cancelTx = layer.createClient(cancel, client);
  assert.equal(cancelTx.branch, 'z9hG4bKcall', 'the CANCEL keeps the INVITE branch');
  assert.equal(layer.receiveResponse(response(cancel, 200)), cancelTx);
  assert.equal(layer.receiveResponse(response(inv, 487)), ict);
  assert.equal(ict.state, 'completed');
  assert.equal(cancelTx.state, 'completed');
  assert.deepEqual(rec.events, ['provisional 180', 'final 200', 'final 487']);
});

test('RFC 6026 §8.9: a response matching no client transaction is reported as a stray (undefined)', () => {
  const { layer, client } = setup();
  const inv = invite({ branch: 'z9hG4bKknown' });
  layer.createClient(inv, client);
  assert.equal(layer.receiveResponse(response(invite({ branch: 'z9hG4bKunknown' }), 200)), undefined);
  const otherMethod = response(inv, 200);
  otherMethod.cseq = { seq: inv.cseq.seq, method: 'BYE' };
  assert.equal(layer.receiveResponse(otherMethod), undefined, 'same branch, other CSeq method');
  const noVia = response(inv, 200);
  noVia.via = [];
  assert.equal(layer.receiveResponse(noVia), undefined);
});

test('RFC 3261 §17.1.2.2: a client transaction is removed from the layer the instant it terminates', () => {
  const { layer, client, scheduler } = setup();
  const req = request('OPTIONS');
  layer.createClient(req, client);
  layer.receiveResponse(response(req, 200));
  assert.equal(layer.clientCount, 1, 'Timer K still running');
  scheduler.advance(5000);
  assert.equal(layer.clientCount, 0);
  assert.equal(layer.receiveResponse(response(req, 200)), undefined, 'late retransmission: stray');
  layer.createClient(request('OPTIONS'), client); // the key is free again
});

test('RFC 6026 §8.4: 2xx from other forks reach the INVITE client transaction while it is accepted, then become strays', () => {
  const { layer, client, rec, scheduler } = setup();
  const inv = invite();
  layer.createClient(inv, client);
  layer.receiveResponse(response(inv, 200, 'fork-1'));
  assert.ok(layer.receiveResponse(response(inv, 200, 'fork-2')));
  scheduler.advance(32000);
  assert.equal(layer.receiveResponse(response(inv, 200, 'fork-3')), undefined);
  assert.deepEqual(rec.events, ['final 200', 'final 200', 'terminated']);
});

test('RFC 3261 §17.1.4: the send callback gets the transaction, to report a transport error on it', async () => {
  const scheduler = new ManualScheduler();
  const layer = new TransactionLayer({ scheduler, random: () => 'x' });
  const events: string[] = [];
  const tx = layer.createClient(request('OPTIONS'), {
    reliable: true,
    send: (_m, t) => {
      void Promise.reject(new Error('ECONNREFUSED')).catch((e: Error) => t.transportError(e));
    },
    user: { onTransportError: (e) => events.push(e.message), onTerminated: () => events.push('terminated') },
  });
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(events, ['ECONNREFUSED', 'terminated']);
  assert.equal(layer.clientCount, 0);
});

// ─── server side ────────────────────────────────────────────────────────────────────────

test('RFC 3261 §17.2.3: a new request is reported as new; createServer picks the machine by method', () => {
  const { layer, server } = setup();
  const inv = invite();
  assert.deepEqual(layer.receiveRequest(inv), { kind: 'new' });
  assert.ok(layer.createServer(inv, server) instanceof InviteServerTransaction);
  const bye = request('BYE', { branch: 'z9hG4bKbye' });
  assert.deepEqual(layer.receiveRequest(bye), { kind: 'new' });
  assert.ok(layer.createServer(bye, server) instanceof NonInviteServerTransaction);
  assert.equal(layer.serverCount, 2);
  assert.throws(() => layer.createServer(request('ACK'), server), TransactionError);
  assert.throws(() => layer.createServer(invite(), server), (e: unknown) => e instanceof TransactionError && e.code === 'ERR_SIP_TRANSACTION_EXISTS');
});

test('RFC 3261 §17.2.3: a retransmitted request (same branch, sent-by and method) is absorbed by its server transaction', () => {
  const { layer, server, sent } = setup();
  const inv = invite();
  const tx = layer.createServer(inv, server);
  tx.respond(response(inv, 180));
  const match = layer.receiveRequest(invite());
  assert.deepEqual(match, { kind: 'retransmission', transaction: tx });
  assert.deepEqual(sent.map(statusOf), [180, 180], 'the last provisional response is resent');
});

test('RFC 3261 §17.2.3: the same branch from another sent-by, or with another method, is a different transaction', () => {
  const { layer, server } = setup();
  layer.createServer(invite(), server);
  assert.equal(layer.receiveRequest(invite({ host: '198.51.100.7' })).kind, 'new');
  assert.equal(layer.receiveRequest(invite({ port: 5070 })).kind, 'new');
  assert.equal(layer.receiveRequest(request('OPTIONS')).kind, 'new');
  assert.equal(layer.receiveRequest(invite({ host: '192.0.2.10'.toUpperCase() })).kind, 'retransmission');
});

test('RFC 3261 §17.2.3: the ACK for a non-2xx matches the INVITE server transaction and is absorbed there', () => {
  const { layer, server } = setup();
  const inv = invite();
  const tx = layer.createServer(inv, server) as InviteServerTransaction;
  tx.respond(response(inv, 486));
  const ack = request('ACK', { cseqMethod: 'ACK', toTag: 'a6c85cf' });
  assert.deepEqual(layer.receiveRequest(ack), { kind: 'retransmission', transaction: tx });
  assert.equal(tx.state, 'confirmed');
});

test('RFC 3261 §17.2.3: an ACK for a 2xx (new branch) matches no transaction and is reported as an ACK for the dialog', () => {
  const { layer, server } = setup();
  const inv = invite();
  const tx = layer.createServer(inv, server) as InviteServerTransaction;
  tx.respond(response(inv, 200));
  const ack = request('ACK', { branch: 'z9hG4bKack2xx', cseqMethod: 'ACK', toTag: 'a6c85cf' });
  assert.deepEqual(layer.receiveRequest(ack), { kind: 'ack' });
  assert.equal(tx.state, 'accepted');
  assert.deepEqual(layer.receiveRequest(request('ACK', { branch: 'z9hG4bKstray', callId: 'other' })), { kind: 'ack' });
});

test('RFC 6026 §8.7: an ACK that matches an INVITE server transaction in accepted is passed up, not absorbed', () => {
  const { layer, server } = setup();
  const inv = invite();
  const tx = layer.createServer(inv, server) as InviteServerTransaction;
  tx.respond(response(inv, 200));
  assert.deepEqual(layer.receiveRequest(request('ACK', { cseqMethod: 'ACK', toTag: 'a6c85cf' })), { kind: 'ack', transaction: tx });
  assert.deepEqual(layer.receiveRequest(invite()), { kind: 'retransmission', transaction: tx }, 'INVITE retransmissions absorbed');
});

test('RFC 3261 §9.2: a CANCEL has its own transaction but finds the INVITE server transaction it cancels', () => {
  const { layer, server, sent } = setup();
  const inv = invite({ branch: 'z9hG4bKinv' });
  const ist = layer.createServer(inv, server);
  const cancel = createCancel(inv);
  assert.deepEqual(layer.receiveRequest(cancel), { kind: 'new', invite: ist });
  assert.equal(layer.findInviteServer(cancel), ist);
  const cancelTx = layer.createServer(cancel, server);
  assert.ok(cancelTx instanceof NonInviteServerTransaction);
  cancelTx.respond(response(cancel, 200));
  assert.deepEqual(layer.receiveRequest(createCancel(inv)), { kind: 'retransmission', transaction: cancelTx });
  assert.deepEqual(sent.map(statusOf), [200, 200]);
  assert.deepEqual(layer.receiveRequest(createCancel(invite({ branch: 'z9hG4bKother' }))), { kind: 'new' }, 'nothing to cancel: the UA answers 481');
});

test('RFC 3261 §17.2.3: a server transaction is removed when it terminates; later copies are new again', () => {
  const { layer, server, scheduler } = setup();
  const bye = request('BYE');
  const tx = layer.createServer(bye, server);
  tx.respond(response(bye, 200));
  scheduler.advance(32000);
  assert.equal(tx.state, 'terminated');
  assert.equal(layer.serverCount, 0);
  assert.deepEqual(layer.receiveRequest(request('BYE')), { kind: 'new' });
});

test('RFC 3261 §17.2.3: a request without a Via cannot be matched and is reported invalid', () => {
  const { layer } = setup();
  const req = request('OPTIONS');
  req.via = [];
  assert.equal(layer.receiveRequest(req).kind, 'invalid');
});

// ─── RFC 2543 fallback ──────────────────────────────────────────────────────────────────

const legacy = (o: Parameters<typeof invite>[0] = {}): SipRequest => invite({ branch: undefined, ...o });

test('RFC 3261 §17.2.3: without the magic cookie, a retransmitted INVITE is matched by Request-URI, tags, Call-ID, CSeq and top Via', () => {
  const { layer, server } = setup();
  const tx = layer.createServer(legacy(), server);
  assert.deepEqual(layer.receiveRequest(legacy()), { kind: 'retransmission', transaction: tx });
  assert.equal(layer.receiveRequest(legacy({ fromTag: 'other' })).kind, 'new', 'From tag differs');
  assert.equal(layer.receiveRequest(legacy({ toTag: 'x' })).kind, 'new', 'To tag differs');
  assert.equal(layer.receiveRequest(legacy({ callId: 'other@host' })).kind, 'new', 'Call-ID differs');
  assert.equal(layer.receiveRequest(legacy({ seq: 2 })).kind, 'new', 'CSeq differs');
  assert.equal(layer.receiveRequest(legacy({ host: '198.51.100.9' })).kind, 'new', 'top Via differs');
  const otherUri = legacy();
  otherUri.uri = { scheme: 'sip', user: 'carol', host: 'biloxi.example.com', params: new Map(), headers: new Map() };
  assert.equal(layer.receiveRequest(otherUri).kind, 'new', 'Request-URI differs');
  const hostCase = legacy();
  hostCase.uri = { scheme: 'sip', user: 'bob', host: 'BILOXI.example.com', params: new Map(), headers: new Map() };
  assert.equal(layer.receiveRequest(hostCase).kind, 'retransmission', 'hosts compare case-insensitively (§19.1.4)');
  const withReceived = legacy();
  withReceived.via[0]!.received = '203.0.113.5';
  assert.equal(layer.receiveRequest(withReceived).kind, 'retransmission', 'received= is ours, not compared');
});

test('RFC 3261 §17.2.3: a non-cookie branch (RFC 2543 style) also falls back to the full comparison', () => {
  const { layer, server } = setup();
  const tx = layer.createServer(legacy({ branch: '7a83e5750418bce23d5106b4c06cc632' }), server);
  assert.deepEqual(layer.receiveRequest(legacy({ branch: '7a83e5750418bce23d5106b4c06cc632' })), { kind: 'retransmission', transaction: tx });
  assert.equal(layer.receiveRequest(legacy({ branch: 'other-branch' })).kind, 'new');
});

test('RFC 3261 §17.2.3: without the magic cookie, the ACK matches when its To tag is that of the response sent', () => {
  const { layer, server } = setup();
  const inv = legacy();
  const tx = layer.createServer(inv, server) as InviteServerTransaction;
  tx.respond(response(inv, 404, 'srv-tag'));
  const wrongTag = request('ACK', { branch: undefined, cseqMethod: 'ACK', toTag: 'nope' });
  assert.deepEqual(layer.receiveRequest(wrongTag), { kind: 'ack' });
  assert.equal(tx.state, 'completed');
  const ack = request('ACK', { branch: undefined, cseqMethod: 'ACK', toTag: 'srv-tag' });
  assert.deepEqual(layer.receiveRequest(ack), { kind: 'retransmission', transaction: tx });
  assert.equal(tx.state, 'confirmed');
});

test('RFC 3261 §17.2.3: without the magic cookie, an ACK before any final response does not match', () => {
  const { layer, server } = setup();
  layer.createServer(legacy(), server);
  assert.deepEqual(layer.receiveRequest(request('ACK', { branch: undefined, cseqMethod: 'ACK', toTag: 'a6c85cf' })), { kind: 'ack' });
});

test('RFC 3261 §9.2: without the magic cookie, a CANCEL finds its INVITE by the same comparison except the method', () => {
  const { layer, server } = setup();
  const inv = legacy();
  const ist = layer.createServer(inv, server);
  const cancel = createCancel(inv);
  assert.deepEqual(layer.receiveRequest(cancel), { kind: 'new', invite: ist });
  const cancelTx = layer.createServer(cancel, server);
  assert.deepEqual(layer.receiveRequest(createCancel(inv)), { kind: 'retransmission', transaction: cancelTx });
  assert.equal(layer.findInviteServer(createCancel(legacy({ seq: 99 }))), undefined);
});

test('RFC 3261 §17.2.3: an RFC 2543 server transaction is removed when it terminates', () => {
  const { layer, server } = setup();
  const inv = legacy();
  const tx = layer.createServer(inv, { ...server, reliable: true });
  tx.respond(response(inv, 486));
  layer.receiveRequest(request('ACK', { branch: undefined, cseqMethod: 'ACK', toTag: 'a6c85cf' }));
  assert.equal(tx.state, 'terminated');
  assert.equal(layer.serverCount, 0);
});

// ─── configuration and lifetime ─────────────────────────────────────────────────────────

test('RFC 3261 §17.1.1.1: the layer passes configured T1/T2/T4 to every transaction it creates', () => {
  const { layer, client, sent, scheduler } = setup({ t1: 50, t2: 200, t4: 300 });
  const req = request('OPTIONS');
  const tx = layer.createClient(req, client);
  scheduler.advance(650);
  // E: 50, 100, 200, 200, ...
  // Timer E intervals 50, 100, 200 (T2), 200: sent at 0, 50, 150, 350, 550
  assert.equal(sent.length, 5);
  layer.receiveResponse(response(req, 200));
  scheduler.advance(299);
  assert.equal(tx.state, 'completed');
  scheduler.advance(1);
  assert.equal(tx.state, 'terminated', 'Timer K = T4');
});

test('RFC 3261 §17: close() terminates every transaction and refuses new ones', () => {
  const { layer, client, server, rec, scheduler } = setup();
  const ict = layer.createClient(invite({ branch: 'z9hG4bKa' }), client);
  const ist = layer.createServer(invite({ branch: 'z9hG4bKb' }), server);
  layer.close();
  layer.close();
  assert.ok(layer.closed);
  assert.equal(ict.state, 'terminated');
  assert.equal(ist.state, 'terminated');
  assert.equal(layer.clientCount + layer.serverCount, 0);
  assert.equal(scheduler.armed, 0);
  assert.deepEqual(rec.events, ['terminated']);
  assert.throws(() => layer.createClient(request('OPTIONS'), client), (e: unknown) => e instanceof TransactionError && e.code === 'ERR_SIP_TRANSACTION_CLOSED');
});

test('RFC 3261 §17: a branch without the cookie given by the caller is kept for client transactions', () => {
  const { layer, client } = setup();
  const req = request('OPTIONS', { branch: 'legacy1' });
  const tx = layer.createClient(req, client);
  assert.equal(layer.receiveResponse(response(req, 200)), tx);
  assert.deepEqual(req.via, [via('legacy1')]);
});

test('STYLE §6: transactions log state changes and timeouts under sip.transaction with branch and Call-ID', () => {
  const scheduler = new ManualScheduler();
  const lines: { level: string; category: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const make = (category: string): Logger => ({
    debug: (msg, fields) => lines.push({ level: 'debug', category, msg, fields }),
    info: (msg, fields) => lines.push({ level: 'info', category, msg, fields }),
    warn: (msg, fields) => lines.push({ level: 'warn', category, msg, fields }),
    error: (msg, fields) => lines.push({ level: 'error', category, msg, fields }),
    child: (c) => make(c),
  });
  const layer = new TransactionLayer({ scheduler, random: () => 'log1', logger: make('root') });
  layer.createClient(request('OPTIONS', { branch: undefined }), { reliable: true, send: () => {}, user: {} });
  scheduler.advance(32000);
  assert.ok(lines.every((l) => l.category === 'sip.transaction'));
  assert.deepEqual(lines.map((l) => [l.level, l.msg, l.fields?.from, l.fields?.to]), [
    ['info', 'Timer F fired: no final response', undefined, undefined],
    ['debug', 'transaction state', 'trying', 'terminated'],
  ]);
  assert.equal(lines[1]?.fields?.branch, 'z9hG4bKlog1');
  assert.equal(lines[1]?.fields?.callId, 'a84b4c76e66710@pc33.atlanta.example.com');
});
