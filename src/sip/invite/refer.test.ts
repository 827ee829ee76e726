/**
 * REFER inside an INVITE session (RFC 3515) between two real UserAgents over the loopback
 * network: the transferee side is scripted here (our UA sends REFER, it does not act on one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Body } from '../dialog/body.js';
import { getHeader } from '../message.js';
import type { IncomingRequest } from '../request-dispatch.js';
import { UaNetwork } from '../testing/ua-network.js';
import { sipUri } from '../uri-util.js';
import type { UserAgent } from '../user-agent.js';
import type { IncomingInvite } from './invite-server-session.js';
import type { ReferProgress } from './refer.js';
import { parseSipfragStatus } from './refer.js';
import type { InviteSession } from './session.js';

const enc = new TextEncoder();
const sdp: Body = { contentType: 'application/sdp', bytes: enc.encode('v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n') };

async function established(): Promise<{ n: UaNetwork; alice: UserAgent; bob: UserAgent; a: InviteSession; b: InviteSession; refers: IncomingRequest[] }> {
  const n = new UaNetwork();
  const alice = n.ua('alice', 5060);
  const bob = n.ua('bob', 5070);
  const invites: IncomingInvite[] = [];
  bob.onInvite((i) => invites.push(i));
  let a: InviteSession | undefined;
  alice.invite(
    { uri: sipUri({ user: 'bob', host: '127.0.0.1', port: 5070 }), from: { uri: sipUri({ user: 'alice', host: '127.0.0.1', port: 5060 }), params: new Map() }, contact: alice.contactUri('alice', 'udp'), body: sdp },
    { onAccepted: (e) => void (a = e.session), onFailed: () => undefined },
  );
  await n.run(10);
  const b = invites[0]!.accept({ body: sdp, contact: bob.contactUri('bob', 'udp') });
  await n.run(10);
  // The scripted transferee: REFERs of this dialog come here, the rest to the session.
  const refers: IncomingRequest[] = [];
  bob.handle('REFER', (inc) => inc.respond(481));
  bob.dialogs.add(b.dialog.id, {
    receiveAck: (ack) => b.receiveAck(ack),
    receiveRequest: (inc) => (inc.request.method === 'REFER' ? refers.push(inc) : b.receiveRequest(inc)),
  });
  return { n, alice, bob, a: a!, b, refers };
}

function notify(bob: UserAgent, b: InviteSession, frag: string, state: string): void {
  const req = b.dialog.createRequest('NOTIFY', b.dialog.nextSeq(() => 1), {
    headers: [{ name: 'Event', value: 'refer' }, { name: 'Subscription-State', value: state }],
    body: { contentType: 'message/sipfrag', bytes: enc.encode(frag) },
  });
  bob.sendRequest(req, { onOutcome: () => undefined });
}

test('RFC 3515 §2.4.4: REFER with Refer-To in the dialog, 202, NOTIFY sipfrag 100 then 200 (answered 200 each) ends with a final 200 report', async () => {
  const { n, bob, a, b, refers } = await established();
  const client = a.refer(sipUri({ user: 'carol', host: '127.0.0.1', port: 5080 }));
  const progress: ReferProgress[] = [];
  client.on('progress', (p) => progress.push(p));
  const status = client.start();
  await n.run(10);
  assert.equal(refers.length, 1);
  assert.equal(getHeader(refers[0]!.request, 'refer-to'), '<sip:carol@127.0.0.1:5080>');
  assert.ok(refers[0]!.request.contact.length === 1, 'REFER carries a Contact (target refresh, §2.4.1)');
  refers[0]!.respond(202);
  await n.run(10);
  assert.equal(await status, 202);
  notify(bob, b, 'SIP/2.0 100 Trying\r\n', 'active;expires=60');
  await n.run(10);
  notify(bob, b, 'SIP/2.0 200 OK\r\n', 'terminated;reason=noresource');
  await n.run(10);
  assert.deepEqual(await client.done(), { status: 200, reason: 'OK', final: true });
  assert.deepEqual(progress.map((p) => p.status), [100, 200]);
  assert.equal(n.net.sent('SIP/2.0 200').filter((p) => /CSeq: \d+ NOTIFY/.test(p.text)).length, 2);
  assert.equal(a.state, 'confirmed', 'the session stays up: ending it is the caller\'s choice');
});

test('RFC 3515 §2.4.2: a refused REFER (603) is final at once; a NOTIFY with no REFER pending gets 481 (RFC 6665 §4.1.3)', async () => {
  const { n, bob, a, b, refers } = await established();
  const client = a.refer(sipUri({ user: 'carol', host: '127.0.0.1', port: 5080 }));
  const status = client.start();
  await n.run(10);
  refers[0]!.respond(603);
  await n.run(10);
  assert.equal(await status, 603);
  assert.equal((await client.done()).status, 603);
  notify(bob, b, 'SIP/2.0 200 OK\r\n', 'terminated');
  await n.run(10);
  assert.equal(n.net.sent('SIP/2.0 481').filter((p) => /CSeq: \d+ NOTIFY/.test(p.text)).length, 1);
});

test('RFC 3420: the sipfrag start line gives the status', () => {
  assert.deepEqual(parseSipfragStatus(enc.encode('SIP/2.0 486 Busy Here\r\nVia: x\r\n')), { status: 486, reason: 'Busy Here' });
  assert.equal(parseSipfragStatus(enc.encode('nonsense')), undefined);
});
