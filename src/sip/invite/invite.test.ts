/**
 * INVITE sessions end to end: real UserAgents over the in-memory loopback network, on the
 * virtual clock, losing, duplicating and racing messages on purpose.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Body } from '../dialog/body.js';
import type { NameAddr, SipRequest } from '../message.js';
import { createRequest, getHeader, tagOf } from '../message.js';
import { parseMessage } from '../parser.js';
import { serializeMessage } from '../serializer.js';
import { UaNetwork } from '../testing/ua-network.js';
import { sipUri } from '../uri-util.js';
import type { UserAgent } from '../user-agent.js';
import type { AcceptedEvent, FailedEvent, InviteClientDelegate, ProgressEvent } from './invite-client-session.js';
import type { IncomingInvite } from './invite-server-session.js';
import type { InviteSession, TerminatedEvent } from './session.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const sdp = (dir: string): Body => ({ contentType: 'application/sdp', bytes: enc.encode(`v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=${dir}\r\n`) });
const text = (b: Body | undefined) => (b ? dec.decode(b.bytes) : undefined);

function addr(user: string, port: number): NameAddr {
  return { uri: sipUri({ user, host: '127.0.0.1', port }), params: new Map() };
}

interface Record {
  trying: number;
  progress: ProgressEvent[];
  accepted: AcceptedEvent[];
  failed: FailedEvent[];
  session?: InviteSession;
}

function call(ua: UserAgent, to: { user: string; port: number }, opts: { body?: Body | null; answer?: Body } = {}): { rec: Record; out: ReturnType<UserAgent['invite']> } {
  const rec: Record = { trying: 0, progress: [], accepted: [], failed: [] };
  const delegate: InviteClientDelegate = {
    onTrying: () => rec.trying++,
    onProgress: (e) => rec.progress.push(e),
    onAccepted: (e) => {
      rec.accepted.push(e);
      rec.session = e.session;
      return opts.answer;
    },
    onFailed: (e) => rec.failed.push(e),
  };
  const out = ua.invite({
    uri: sipUri({ user: to.user, host: '127.0.0.1', port: to.port }),
    from: addr('alice', 5060),
    contact: ua.contactUri('alice', 'udp'),
    body: opts.body === null ? undefined : (opts.body ?? sdp('sendrecv')),
  }, delegate);
  return { rec, out };
}

function incoming(ua: UserAgent): IncomingInvite[] {
  const list: IncomingInvite[] = [];
  ua.onInvite((inv) => list.push(inv));
  return list;
}

function terminations(s: InviteSession): TerminatedEvent[] {
  const list: TerminatedEvent[] = [];
  s.on('terminated', (e) => list.push(e));
  return list;
}

function setup() {
  const n = new UaNetwork();
  const alice = n.ua('alice', 5060);
  const bob = n.ua('bob', 5070);
  const invites = incoming(bob);
  return { n, alice, bob, invites };
}

test('RFC 3261 §13.2.2.4 / §13.3.1: a call: 180, 200 with Allow/Supported, ACK with a new branch and the INVITE CSeq, BYE both ways', async () => {
  const { n, alice, bob, invites } = setup();
  const { rec } = call(alice, { user: 'bob', port: 5070 });
  await n.run(10);
  assert.equal(invites.length, 1);
  const inv = invites[0]!;
  assert.equal(text(inv.body), text(sdp('sendrecv')));
  assert.match(getHeader(inv.request, 'Allow') ?? '', /INVITE.*ACK.*CANCEL.*BYE.*OPTIONS.*INFO/);
  assert.ok(getHeader(inv.request, 'Supported') !== undefined);
  inv.progress(180);
  await n.run(10);
  assert.equal(rec.progress.length, 1);
  assert.equal(rec.progress[0]!.status, 180);
  assert.ok(rec.progress[0]!.earlyId);
  const uas = inv.accept({ body: sdp('sendrecv'), contact: bob.contactUri('bob', 'udp') });
  const acks: { body?: Body }[] = [];
  uas.on('ack', (e) => acks.push(e));
  await n.run(10);
  assert.equal(rec.accepted.length, 1);
  assert.equal(text(rec.accepted[0]!.body), text(sdp('sendrecv')));
  assert.match(getHeader(rec.accepted[0]!.response, 'Allow') ?? '', /BYE/);
  assert.equal(acks.length, 1);
  const invite = n.net.sent('INVITE ')[0]!.text;
  const ack = n.net.sent('ACK ')[0]!.text;
  const branch = (t: string) => /branch=([^;\r\n]+)/.exec(t)![1];
  assert.notEqual(branch(ack), branch(invite), 'the ACK for a 2xx is a new transaction');
  assert.match(ack, /^CSeq: 1 ACK$/m);
  assert.match(ack, /^ACK sip:bob@127\.0\.0\.1:5070 SIP\/2\.0/, 'sent to the remote target (the Contact of the 2xx)');
  // dialog ids agree on both sides
  const a = rec.session!.dialog.id;
  const b = uas.dialog.id;
  assert.deepEqual([a.callId, a.localTag, a.remoteTag], [b.callId, b.remoteTag, b.localTag]);
  assert.equal(rec.session!.dialog.state, 'confirmed');
  const endedA = terminations(rec.session!);
  const endedB = terminations(uas);
  const byeDone = rec.session!.bye();
  await n.run(10);
  await byeDone;
  assert.deepEqual(endedA, [{ by: 'local', reason: 'BYE', cause: 'normal' }]);
  assert.deepEqual(endedB, [{ by: 'remote', reason: 'BYE', cause: 'normal' }]);
  assert.equal(n.net.sent('SIP/2.0 200').filter((p) => /CSeq: \d+ BYE/.test(p.text)).length, 1);
  assert.equal(alice.dialogs.size + bob.dialogs.size, 0);
});

test('RFC 3261 §15.1.1: the callee hangs up: the caller hears terminated by remote; a second bye() is a no-op', async () => {
  const { n, alice, invites } = setup();
  const { rec } = call(alice, { user: 'bob', port: 5070 });
  await n.run(10);
  const uas = invites[0]!.accept({ body: sdp('sendrecv'), contact: sipUri({ user: 'bob', host: '127.0.0.1', port: 5070 }) });
  await n.run(10);
  const ended = terminations(rec.session!);
  const p1 = uas.bye();
  const p2 = uas.bye();
  assert.equal(p1, p2);
  await n.run(10);
  await p1;
  assert.deepEqual(ended, [{ by: 'remote', reason: 'BYE', cause: 'normal' }]);
  assert.equal(n.net.sent('BYE ').length, 1);
});

test('RFC 3261 §13.3.1.4: the UAS retransmits the 2xx (T1, 2T1, ...) until the ACK arrives; a lost ACK is re-sent for the retransmitted 2xx', async () => {
  const { n, alice, invites } = setup();
  const { rec } = call(alice, { user: 'bob', port: 5070 });
  await n.run(10);
  n.net.rule((p) => p.text.startsWith('ACK '), 'drop');
  const uas = invites[0]!.accept({ body: sdp('sendrecv'), contact: sipUri({ user: 'bob', host: '127.0.0.1', port: 5070 }) });
  const acks: unknown[] = [];
  uas.on('ack', (e) => acks.push(e));
  await n.run(400);
  assert.equal(rec.accepted.length, 1);
  assert.equal(acks.length, 0, 'the first ACK was lost');
  await n.run(200); // T1 = 500 ms: the 2xx again, and the ACK again
  assert.equal(acks.length, 1);
  assert.equal(rec.accepted.length, 1, 'a retransmitted 2xx is not a second answer');
  const oks = n.net.sent('SIP/2.0 200').filter((p) => /CSeq: 1 INVITE/.test(p.text));
  assert.equal(oks.length, 2);
  assert.equal(oks[1]!.at - oks[0]!.at, 500);
  assert.equal(n.net.sent('ACK ').length, 2);
  assert.equal(n.net.sent('ACK ')[1]!.text, n.net.sent('ACK ')[0]!.text, 'the same ACK is re-sent');
  await n.run(10_000);
  assert.equal(n.net.sent('SIP/2.0 200').filter((p) => /CSeq: 1 INVITE/.test(p.text)).length, 2, 'no retransmission after the ACK');
});

test('RFC 3261 §13.3.1.4: a lost 2xx is retransmitted and the call is established', async () => {
  const { n, alice, invites } = setup();
  const { rec } = call(alice, { user: 'bob', port: 5070 });
  await n.run(10);
  n.net.rule((p) => p.text.startsWith('SIP/2.0 200'), 'drop');
  const uas = invites[0]!.accept({ body: sdp('sendrecv'), contact: sipUri({ user: 'bob', host: '127.0.0.1', port: 5070 }) });
  const acks: unknown[] = [];
  uas.on('ack', (e) => acks.push(e));
  await n.run(400);
  assert.equal(rec.accepted.length, 0);
  await n.run(200);
  assert.equal(rec.accepted.length, 1);
  assert.equal(acks.length, 1);
});

test('RFC 3261 §13.3.1.4: no ACK within 64*T1: the 2xx retransmissions stop, capped at T2, and the UAS ends the session with a BYE', async () => {
  const { n, alice, invites } = setup();
  call(alice, { user: 'bob', port: 5070 });
  await n.run(10);
  n.net.rule((p) => p.text.startsWith('ACK '), 'drop', Infinity);
  const uas = invites[0]!.accept({ body: sdp('sendrecv'), contact: sipUri({ user: 'bob', host: '127.0.0.1', port: 5070 }) });
  const ended = terminations(uas);
  await n.run(64 * 500 + 100, 50);
  const oks = n.net.sent('SIP/2.0 200').filter((p) => /CSeq: 1 INVITE/.test(p.text));
  const gaps = oks.slice(1).map((p, i) => p.at - oks[i]!.at);
  assert.deepEqual(gaps.slice(0, 5), [500, 1000, 2000, 4000, 4000]);
  assert.deepEqual(ended, [{ by: 'local', reason: 'no ACK for our 2xx within 64*T1', cause: 'timeout' }]);
  assert.equal(n.net.sent('BYE ').length, 1);
});

test('RFC 3261 §9.1 / §9.2: CANCEL after 180: 200 to the CANCEL, 487 to the INVITE, the callee hears cancelled, the caller fails as cancelled', async () => {
  const { n, alice, invites } = setup();
  const { rec, out } = call(alice, { user: 'bob', port: 5070 });
  await n.run(10);
  let cancelled = 0;
  invites[0]!.on('cancelled', () => cancelled++);
  invites[0]!.progress(180);
  await n.run(10);
  out.cancel('user hung up');
  await n.run(50);
  assert.equal(cancelled, 1);
  assert.equal(rec.failed.length, 1);
  assert.equal(rec.failed[0]!.cause, 'cancelled');
  assert.equal(rec.failed[0]!.status, 487);
  const cancel = n.net.sent('CANCEL ')[0]!.text;
  const branch = (t: string) => /branch=([^;\r\n]+)/.exec(t)![1];
  assert.equal(branch(cancel), branch(n.net.sent('INVITE ')[0]!.text), '§9.1: the CANCEL has the INVITE branch');
  assert.match(cancel, /^Reason: SIP;cause=487;text="user hung up"$/m);
  assert.equal(n.net.sent('SIP/2.0 200').filter((p) => /CSeq: 1 CANCEL/.test(p.text)).length, 1);
  assert.equal(n.net.sent('SIP/2.0 487').length, 1);
});

test('RFC 3261 §9.1: a CANCEL before any provisional response waits for one (the 100 Trying here)', async () => {
  const { n, alice, invites } = setup();
  const { rec, out } = call(alice, { user: 'bob', port: 5070 });
  out.cancel();
  await n.run(100);
  assert.equal(invites.length, 1);
  assert.equal(n.net.sent('CANCEL ').length, 0, 'no CANCEL before a provisional');
  await n.run(150); // the IST sends 100 Trying at 200 ms
  assert.equal(n.net.sent('SIP/2.0 100').length, 1);
  assert.equal(n.net.sent('CANCEL ').length, 1);
  await n.run(20);
  assert.equal(rec.failed[0]?.cause, 'cancelled');
});

test('RFC 3261 §9.2 / §15: a 2xx racing the CANCEL is ACKed and then BYEd; the caller fails as cancelled', async () => {
  const { n, alice, invites } = setup();
  const { rec, out } = call(alice, { user: 'bob', port: 5070 });
  await n.run(10);
  invites[0]!.progress(180);
  await n.run(10);
  out.cancel();
  // bob answers before the CANCEL arrives (1 ms latency)
  const uas = invites[0]!.accept({ body: sdp('sendrecv'), contact: sipUri({ user: 'bob', host: '127.0.0.1', port: 5070 }) });
  const ended = terminations(uas);
  await n.run(50);
  assert.equal(n.net.sent('SIP/2.0 200').filter((p) => /CSeq: 1 CANCEL/.test(p.text)).length, 1, 'the CANCEL still gets 200');
  assert.equal(n.net.sent('SIP/2.0 487').length, 0);
  assert.equal(n.net.sent('ACK ').length, 1);
  assert.equal(n.net.sent('BYE ').length, 1);
  assert.equal(rec.accepted.length, 0);
  assert.equal(rec.failed[0]?.cause, 'cancelled');
  assert.deepEqual(ended, [{ by: 'remote', reason: 'BYE', cause: 'normal' }]);
});

test('RFC 3261 §21.4/§21.6: failures map to a clear reason (busy, declined, not found, unavailable, not acceptable)', async () => {
  const cases: [number, string, string][] = [
    [486, 'busy', 'busy (486 Busy Here)'],
    [603, 'declined', 'declined (603 Decline)'],
    [404, 'not-found', 'not found (404 Not Found)'],
    [480, 'unavailable', 'unavailable (480 Temporarily Unavailable)'],
    [488, 'not-acceptable', 'media not acceptable (488 Not Acceptable Here)'],
    [500, 'server-error', 'server error (500 Server Internal Error)'],
  ];
  for (const [status, cause, message] of cases) {
    const { n, alice, invites } = setup();
    const { rec } = call(alice, { user: 'bob', port: 5070 });
    await n.run(10);
    invites[0]!.reject(status);
    await n.run(10);
    assert.deepEqual(rec.failed, [{ status, reason: rec.failed[0]?.reason, cause, message }]);
    assert.equal(n.net.sent('ACK ').length, 1, 'the ACK for a non-2xx (the transaction sends it)');
  }
});

test('RFC 3261 §17.1.1.2: no answer at all is a timeout (status 0) after 64*T1', async () => {
  const n = new UaNetwork();
  const alice = n.ua('alice', 5060);
  const { rec } = call(alice, { user: 'nobody', port: 5999 });
  await n.run(64 * 500 + 10, 100);
  assert.equal(rec.failed[0]?.cause, 'timeout');
  assert.equal(rec.failed[0]?.status, 0);
});

test('RFC 3261 §13.2.1 / §13.3.1: late offer: no SDP in the INVITE, the offer in the 200, the answer in the ACK', async () => {
  const { n, alice, invites } = setup();
  const { rec } = call(alice, { user: 'bob', port: 5070 }, { body: null, answer: sdp('recvonly') });
  await n.run(10);
  assert.equal(invites[0]!.body, undefined);
  const uas = invites[0]!.accept({ body: sdp('sendrecv'), contact: sipUri({ user: 'bob', host: '127.0.0.1', port: 5070 }) });
  const acks: { body?: Body }[] = [];
  uas.on('ack', (e) => acks.push(e));
  await n.run(10);
  assert.equal(text(rec.accepted[0]!.body), text(sdp('sendrecv')));
  assert.equal(text(acks[0]?.body), text(sdp('recvonly')));
});

test('RFC 3261 §14.1 / §12.2.1.2: re-INVITE (hold): the offer reaches the peer, the answer comes back, the ACK is sent', async () => {
  const { n, alice, invites } = setup();
  const { rec } = call(alice, { user: 'bob', port: 5070 });
  await n.run(10);
  const uas = invites[0]!.accept({ body: sdp('sendrecv'), contact: sipUri({ user: 'bob', host: '127.0.0.1', port: 5070 }) });
  await n.run(10);
  const seen: (string | undefined)[] = [];
  uas.on('reinvite', (e) => {
    seen.push(text(e.body));
    e.accept(sdp('recvonly'));
  });
  const acks: unknown[] = [];
  uas.on('ack', (e) => acks.push(e));
  const result = rec.session!.reinvite(sdp('sendonly'));
  await n.run(20);
  const r = await result;
  assert.equal(r.status, 200);
  assert.equal(text(r.body), text(sdp('recvonly')));
  assert.deepEqual(seen, [text(sdp('sendonly'))]);
  assert.equal(acks.length, 1);
  const reinvite = n.net.sent('INVITE ')[1]!.text;
  assert.match(reinvite, /^CSeq: 2 INVITE$/m);
  assert.match(reinvite, /^To: .*;tag=/m);
  assert.match(reinvite, /^Contact: /m, 'a target refresh request carries Contact');
});

test('RFC 3261 §14.1: a re-INVITE without SDP resolves with the peer offer; ackWith() sends the answer in the ACK', async () => {
  const { n, alice, invites } = setup();
  const { rec } = call(alice, { user: 'bob', port: 5070 });
  await n.run(10);
  const uas = invites[0]!.accept({ body: sdp('sendrecv'), contact: sipUri({ user: 'bob', host: '127.0.0.1', port: 5070 }) });
  await n.run(10);
  uas.on('reinvite', (e) => {
    assert.equal(e.body, undefined);
    e.accept(sdp('sendrecv'));
  });
  const acks: { body?: Body }[] = [];
  uas.on('ack', (e) => acks.push(e));
  const result = rec.session!.reinvite();
  await n.run(10);
  const r = await result;
  assert.equal(text(r.body), text(sdp('sendrecv')));
  assert.equal(acks.length, 0);
  rec.session!.ackWith(sdp('sendonly'));
  await n.run(10);
  assert.equal(text(acks[0]?.body), text(sdp('sendonly')));
});

test('RFC 3261 §14.1: glare: both re-INVITE at once, both get 491, the Call-ID owner retries after 2.1-4 s, the other after 0-2 s', async () => {
  const { n, alice, invites } = setup();
  const { rec } = call(alice, { user: 'bob', port: 5070 });
  await n.run(10);
  const uas = invites[0]!.accept({ body: sdp('sendrecv'), contact: sipUri({ user: 'bob', host: '127.0.0.1', port: 5070 }) });
  await n.run(10);
  const uac = rec.session!;
  uac.on('reinvite', (e) => e.accept(sdp('recvonly')));
  uas.on('reinvite', (e) => e.accept(sdp('recvonly')));
  const ra = uac.reinvite(sdp('sendonly'));
  const rb = uas.reinvite(sdp('sendonly'));
  await n.run(10);
  const glare = n.net.sent('SIP/2.0 491');
  assert.equal(glare.length, 2);
  const t491 = glare[1]!.at;
  await n.run(4100, 10);
  const [a, b] = await Promise.all([ra, rb]);
  assert.equal(a.status, 200);
  assert.equal(b.status, 200);
  const invitesSent = n.net.sent('INVITE ').slice(3); // initial, the two that collided, then the retries
  const fromAlice = invitesSent.find((p) => p.from.port === 5060)!;
  const fromBob = invitesSent.find((p) => p.from.port === 5070)!;
  assert.ok(fromAlice.at - t491 >= 2100 - 2 && fromAlice.at - t491 <= 4000 + 2, `owner waited ${fromAlice.at - t491} ms`);
  assert.ok(fromBob.at - t491 <= 2000 + 2, `non-owner waited ${fromBob.at - t491} ms`);
});

test('RFC 6086: INFO application/dtmf-relay in the dialog reaches the info event; the sender gets the status', async () => {
  const { n, alice, invites } = setup();
  const { rec } = call(alice, { user: 'bob', port: 5070 });
  await n.run(10);
  const uas = invites[0]!.accept({ body: sdp('sendrecv'), contact: sipUri({ user: 'bob', host: '127.0.0.1', port: 5070 }) });
  await n.run(10);
  const got: string[] = [];
  uas.on('info', (e) => {
    got.push(`${e.contentType}|${dec.decode(e.body)}`);
    e.respond(200);
  });
  const status = rec.session!.info('application/dtmf-relay', enc.encode('Signal=5\r\nDuration=160\r\n'));
  await n.run(10);
  assert.equal(await status, 200);
  assert.deepEqual(got, ['application/dtmf-relay|Signal=5\r\nDuration=160\r\n']);
});

test('RFC 3261 §12.2.2: a request with a lower CSeq than the remote CSeq gets 500; one for an unknown dialog gets 481', async () => {
  const { n, alice, invites } = setup();
  const { rec } = call(alice, { user: 'bob', port: 5070 });
  await n.run(10);
  invites[0]!.accept({ body: sdp('sendrecv'), contact: sipUri({ user: 'bob', host: '127.0.0.1', port: 5070 }) });
  await n.run(10);
  const first = rec.session!.info('application/dtmf-relay', enc.encode('Signal=1\r\n'));
  await n.run(10);
  assert.equal(await first, 200);
  const statuses: number[] = [];
  const old = rec.session!.dialog.createRequest('INFO', 1, { body: { contentType: 'application/dtmf-relay', bytes: enc.encode('Signal=2\r\n') } });
  alice.sendRequest(old, { onOutcome: (o) => statuses.push(o.kind === 'response' ? o.response.status : -1) });
  const stranger = rec.session!.dialog.createRequest('INFO', 99);
  stranger.to.params.set('tag', 'not-a-dialog');
  alice.sendRequest(stranger, { onOutcome: (o) => statuses.push(o.kind === 'response' ? o.response.status : -1) });
  await n.run(10);
  assert.deepEqual(statuses.sort(), [481, 500]);
});

test('RFC 3261 §9.2: a CANCEL that matches no INVITE server transaction gets 481', async () => {
  const { n, alice } = setup();
  const statuses: number[] = [];
  const cancel = createRequest({
    method: 'CANCEL', uri: sipUri({ user: 'bob', host: '127.0.0.1', port: 5070 }), from: { ...addr('alice', 5060), params: new Map([['tag', 'x']]) },
    to: addr('bob', 5070), callId: 'no-such-call', cseq: { seq: 1, method: 'CANCEL' },
  });
  alice.sendRequest(cancel, { onOutcome: (o) => statuses.push(o.kind === 'response' ? o.response.status : -1) });
  await n.run(10);
  assert.deepEqual(statuses, [481]);
});

test('RFC 3261 §22.2 / §13.2.2.4: a 407 to the INVITE is answered with a new INVITE (CSeq+1, credentials); the ACK carries them too', async () => {
  const n = new UaNetwork();
  const alice = n.ua('alice', 5060, { credentials: [{ username: 'alice', password: 'secret' }] });
  const bob = n.ua('bob', 5070);
  const invites = incoming(bob);
  const { rec } = call(alice, { user: 'bob', port: 5070 });
  await n.run(10);
  invites[0]!.reject(407, 'Proxy Authentication Required', [{ name: 'Proxy-Authenticate', value: 'Digest realm="test", nonce="n1", qop="auth", algorithm=MD5' }]);
  await n.run(20);
  assert.equal(invites.length, 2);
  const second = invites[1]!.request;
  assert.equal(second.cseq.seq, 2);
  assert.equal(second.callId, invites[0]!.request.callId);
  assert.equal(tagOf(second.from), tagOf(invites[0]!.request.from));
  assert.equal(second.proxyAuthorization.length, 1);
  invites[1]!.accept({ body: sdp('sendrecv'), contact: sipUri({ user: 'bob', host: '127.0.0.1', port: 5070 }) });
  await n.run(10);
  assert.equal(rec.accepted.length, 1);
  const acks = n.net.sent('ACK ');
  assert.equal(acks.length, 2, 'one ACK for the 407 (the transaction), one for the 200');
  assert.match(acks[0]!.text, /^CSeq: 1 ACK$/m);
  assert.doesNotMatch(acks[0]!.text, /Proxy-Authorization/);
  assert.match(acks[1]!.text, /^CSeq: 2 ACK$/m);
  assert.match(acks[1]!.text, /^Proxy-Authorization: Digest /m);
});

test('RFC 3261 §8.1.3.4: a 302 is followed to its Contacts in q order; a failing target moves to the next', async () => {
  const n = new UaNetwork();
  const alice = n.ua('alice', 5060);
  const redirector = n.ua('redirector', 5070);
  const busy = n.ua('busy', 5071);
  const carol = n.ua('carol', 5072);
  incoming(redirector);
  redirector.onInvite((inv) => inv.reject(302, 'Moved Temporarily', [
    { name: 'Contact', value: '<sip:carol@127.0.0.1:5072>;q=0.5, <sip:busy@127.0.0.1:5071>;q=0.9' },
  ]));
  busy.onInvite((inv) => inv.reject(486));
  const carolInvites = incoming(carol);
  const { rec } = call(alice, { user: 'bob', port: 5070 });
  await n.run(20);
  assert.equal(carolInvites.length, 1);
  const uris = n.net.sent('INVITE ').map((p) => p.text.split(' ')[1]);
  assert.deepEqual(uris, ['sip:bob@127.0.0.1:5070', 'sip:busy@127.0.0.1:5071', 'sip:carol@127.0.0.1:5072']);
  assert.deepEqual(n.net.sent('INVITE ').map((p) => /^CSeq: (\d+)/m.exec(p.text)![1]), ['1', '2', '3']);
  carolInvites[0]!.accept({ body: sdp('sendrecv'), contact: sipUri({ user: 'carol', host: '127.0.0.1', port: 5072 }) });
  await n.run(10);
  assert.equal(rec.accepted.length, 1);
  assert.equal(rec.failed.length, 0);
});

test('RFC 3261 §8.1.3.4: redirects that point back at tried targets stop as a redirect loop', async () => {
  const n = new UaNetwork();
  const alice = n.ua('alice', 5060);
  const b = n.ua('b', 5070);
  const c = n.ua('c', 5071);
  b.onInvite((inv) => inv.reject(302, undefined, [{ name: 'Contact', value: '<sip:c@127.0.0.1:5071>' }]));
  c.onInvite((inv) => inv.reject(301, undefined, [{ name: 'Contact', value: '<sip:b@127.0.0.1:5070>' }]));
  const { rec } = call(alice, { user: 'b', port: 5070 });
  await n.run(30);
  assert.equal(rec.failed.length, 1);
  assert.equal(rec.failed[0]!.cause, 'redirect-loop');
  assert.equal(n.net.sent('INVITE ').length, 2);
});

/** A stateless forking proxy on the loopback network: every request is sent to every target
 * with a Via of its own; responses go back along the Via. */
function forkingProxy(n: UaNetwork, port: number, targets: number[]): void {
  const t = n.net.createTransport('127.0.0.1', port);
  t.onMessage = (bytes) => {
    const parsed = parseMessage(bytes);
    if (!parsed.ok) return;
    const m = parsed.value;
    if (m.type === 'request') {
      targets.forEach((target, i) => {
        const copy = parseMessage(bytes);
        if (!copy.ok || copy.value.type !== 'request') return;
        const req = copy.value as SipRequest;
        req.via.unshift({ transport: 'UDP', host: '127.0.0.1', port, branch: `z9hG4bKfork${i}${m.via[0]!.branch}`, params: new Map() });
        req.maxForwards = (req.maxForwards ?? 70) - 1;
        void t.send(serializeMessage(req), { protocol: 'udp', address: '127.0.0.1', port: target });
      });
      return;
    }
    m.via.shift();
    const next = m.via[0];
    if (!next) return;
    void t.send(serializeMessage(m), { protocol: 'udp', address: next.received ?? next.host, port: typeof next.rport === 'number' ? next.rport : (next.port ?? 5060) });
  };
}

test('RFC 3261 §13.2.2.4 / §12.1.2: forking: two early dialogs (two To tags), the first 2xx wins, the other fork\'s 2xx is ACKed and BYEd', async () => {
  const n = new UaNetwork();
  const alice = n.ua('alice', 5060);
  const bob = n.ua('bob', 5070);
  const bob2 = n.ua('bob2', 5071);
  forkingProxy(n, 5080, [5070, 5071]);
  const atDesk = incoming(bob);
  const onMobile = incoming(bob2);
  const { rec } = call(alice, { user: 'bob', port: 5080 });
  await n.run(10);
  assert.equal(atDesk.length, 1);
  assert.equal(onMobile.length, 1);
  atDesk[0]!.progress(180);
  onMobile[0]!.progress(183, { body: sdp('sendonly') });
  await n.run(10);
  assert.equal(rec.progress.length, 2);
  assert.notEqual(rec.progress[0]!.earlyId, rec.progress[1]!.earlyId);
  assert.equal(text(rec.progress[1]!.body), text(sdp('sendonly')), 'early media SDP of the 183');
  const desk = atDesk[0]!.accept({ body: sdp('sendrecv'), contact: sipUri({ user: 'bob', host: '127.0.0.1', port: 5070 }) });
  await n.run(10);
  assert.equal(rec.accepted.length, 1);
  assert.equal(rec.session!.dialog.id.remoteTag, desk.dialog.id.localTag);
  const mobile = onMobile[0]!.accept({ body: sdp('sendrecv'), contact: sipUri({ user: 'bob2', host: '127.0.0.1', port: 5071 }) });
  const mobileAcks: unknown[] = [];
  mobile.on('ack', (e) => mobileAcks.push(e));
  const mobileEnded = terminations(mobile);
  const deskEnded = terminations(desk);
  await n.run(20);
  assert.equal(rec.accepted.length, 1, 'only the first 2xx is an answer');
  assert.equal(mobileAcks.length, 1, 'the other fork\'s 2xx is ACKed');
  assert.deepEqual(mobileEnded, [{ by: 'remote', reason: 'BYE', cause: 'normal' }]);
  assert.deepEqual(deskEnded, []);
  assert.equal(n.net.sent('BYE ').length, 1);
  assert.equal(n.net.sent('BYE ')[0]!.to.port, 5071);
});

test('RFC 3261 §15.1.2: a BYE on the early dialog of an incoming INVITE gets 200, the INVITE 487, and the callee hears cancelled', async () => {
  const { n, alice, invites } = setup();
  const { rec } = call(alice, { user: 'bob', port: 5070 });
  await n.run(10);
  let cancelled = 0;
  invites[0]!.on('cancelled', () => cancelled++);
  invites[0]!.progress(180);
  await n.run(10);
  // The caller's early dialog from the 180, BYE built on it by hand (our UAC itself CANCELs).
  const res = rec.progress[0]!.response;
  const bye = createRequest({
    method: 'BYE', uri: sipUri({ user: 'bob', host: '127.0.0.1', port: 5070 }), from: res.from, to: res.to, callId: res.callId, cseq: { seq: 2, method: 'BYE' },
  });
  const statuses: number[] = [];
  alice.sendRequest(bye, { onOutcome: (o) => statuses.push(o.kind === 'response' ? o.response.status : -1) });
  await n.run(10);
  assert.deepEqual(statuses, [200]);
  assert.equal(cancelled, 1);
  assert.equal(rec.failed[0]?.status, 487);
});

test('RFC 3261 §15: the callee hanging up before the ACK waits for it, then sends the BYE', async () => {
  const { n, alice, invites } = setup();
  const { rec } = call(alice, { user: 'bob', port: 5070 });
  await n.run(10);
  n.net.rule((p) => p.text.startsWith('ACK '), { delay: 300 });
  const uas = invites[0]!.accept({ body: sdp('sendrecv'), contact: sipUri({ user: 'bob', host: '127.0.0.1', port: 5070 }) });
  await n.run(5);
  const done = uas.bye();
  await n.run(100);
  assert.equal(n.net.sent('BYE ').length, 0, 'no BYE before the ACK');
  await n.run(300);
  await done;
  const ack = n.net.sent('ACK ')[0]!;
  const bye = n.net.sent('BYE ')[0]!;
  assert.ok(bye.at > ack.at);
  assert.equal(rec.session!.state, 'terminated');
});

test('RFC 3261 §8.2 / §15.1.2: without an INVITE handler a new INVITE gets 480; a BYE outside any dialog gets 481', async () => {
  const n = new UaNetwork();
  const alice = n.ua('alice', 5060);
  n.ua('bob', 5070);
  const { rec } = call(alice, { user: 'bob', port: 5070 });
  const statuses: number[] = [];
  const bye = createRequest({
    method: 'BYE', uri: sipUri({ user: 'bob', host: '127.0.0.1', port: 5070 }), from: { ...addr('alice', 5060), params: new Map([['tag', 'x']]) },
    to: addr('bob', 5070), callId: 'no-such-call', cseq: { seq: 1, method: 'BYE' },
  });
  alice.sendRequest(bye, { onOutcome: (o) => statuses.push(o.kind === 'response' ? o.response.status : -1) });
  await n.run(10);
  assert.equal(rec.failed[0]?.status, 480);
  assert.equal(rec.failed[0]?.cause, 'unavailable');
  assert.deepEqual(statuses, [481]);
});

test('RFC 3261 §14.2: a re-INVITE while our 2xx to the previous one still waits for its ACK gets 500 with Retry-After 0-10', async () => {
  const { n, alice, invites } = setup();
  const { rec } = call(alice, { user: 'bob', port: 5070 });
  await n.run(10);
  n.net.rule((p) => p.text.startsWith('ACK '), 'drop');
  invites[0]!.accept({ body: sdp('sendrecv'), contact: sipUri({ user: 'bob', host: '127.0.0.1', port: 5070 }) });
  await n.run(10);
  const result = rec.session!.reinvite(sdp('sendonly'));
  await n.run(10);
  const r = await result;
  assert.equal(r.status, 500);
  const res = n.net.sent('SIP/2.0 500')[0]!.text;
  const after = Number(/^Retry-After: (\d+)$/m.exec(res)?.[1]);
  assert.ok(after >= 0 && after <= 10);
});
