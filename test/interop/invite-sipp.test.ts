/**
 * INVITE sessions against SIPp on 127.0.0.1, through the library (createNodeUserAgent + the
 * invite API) with fixed SDP bodies: our UAC against scripted callees, our UAS against scripted
 * callers. Each sipp scenario checks what we send (sipp exits 0 only when every step matched);
 * the tests check what our side saw.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createNodeUserAgent } from '../../src/main/node.js';
import type { Body } from '../../src/sip/dialog/body.js';
import type { AcceptedEvent, FailedEvent, ProgressEvent } from '../../src/sip/invite/invite-client-session.js';
import type { IncomingInvite } from '../../src/sip/invite/invite-server-session.js';
import type { InviteSession, TerminatedEvent } from '../../src/sip/invite/session.js';
import { sipUri } from '../../src/sip/uri-util.js';
import type { UserAgent } from '../../src/sip/user-agent.js';
import { skipUnless } from '../support/peers.js';
import { runSipp, startSipp } from '../support/sipp.js';

const skip = skipUnless('sipp');
const enc = new TextEncoder();
const dec = new TextDecoder();

function sdp(name: string, direction: string): Body {
  return {
    contentType: 'application/sdp',
    bytes: enc.encode(`v=0\r\no=softphone 1 1 IN IP4 127.0.0.1\r\ns=${name}\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=${direction}\r\n`),
  };
}

const text = (b: Body | undefined): string => (b ? dec.decode(b.bytes) : '');

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms).unref())]);
}

interface CallLog {
  progress: ProgressEvent[];
  accepted?: AcceptedEvent;
  failed?: FailedEvent;
  done: Promise<void>;
}

/** Call sip:bob@127.0.0.1:port with an SDP offer; `onAccepted` may hang up. */
function dial(ua: UserAgent, port: number, onAccepted?: (s: InviteSession) => void): { log: CallLog; out: ReturnType<UserAgent['invite']> } {
  let finish!: () => void;
  const log: CallLog = { progress: [], done: new Promise((r) => (finish = r)) };
  const out = ua.invite({
    uri: sipUri({ user: 'bob', host: '127.0.0.1', port }),
    from: { displayName: 'Alice', uri: sipUri({ user: 'alice', host: '127.0.0.1' }), params: new Map() },
    contact: ua.contactUri('alice', 'udp'),
    body: sdp('softphone-offer', 'sendrecv'),
  }, {
    onProgress: (e) => log.progress.push(e),
    onAccepted: (e) => {
      log.accepted = e;
      onAccepted?.(e.session);
      finish();
      return undefined;
    },
    onFailed: (e) => {
      log.failed = e;
      finish();
    },
  });
  return { log, out };
}

describe('INVITE sessions: softphone calls SIPp', { skip }, () => {
  let ua: UserAgent;
  before(async () => {
    ua = (await createNodeUserAgent({ peerHost: '127.0.0.1', transports: ['udp'] })).ua;
  });
  after(() => ua.close());

  test('RFC 3261 §21.4.7: 486 Busy Here fails the call with a clear reason; the 486 is ACKed', async () => {
    const sipp = await startSipp({ scenario: 'invite-uas-486.xml', timeoutMs: 15000 });
    const { log } = dial(ua, sipp.port);
    await within(log.done, 10000, 'the call to end');
    const r = await sipp.result;
    assert.ok(r.passed, r.summary());
    assert.equal(log.failed?.status, 486);
    assert.equal(log.failed?.cause, 'busy');
    assert.equal(log.failed?.message, 'busy (486 Busy Here)');
  });

  test('RFC 3261 §9.1: CANCEL after the 180: sipp answers 200 and 487, the call fails as cancelled', async () => {
    const sipp = await startSipp({ scenario: 'invite-uas-cancel.xml', timeoutMs: 15000 });
    const { log, out } = dial(ua, sipp.port);
    // Cancel as soon as it rings.
    const ringing = new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (log.progress.some((p) => p.status === 180)) {
          clearInterval(t);
          resolve();
        }
      }, 5);
    });
    await within(ringing, 5000, '180 Ringing');
    out.cancel();
    await within(log.done, 10000, 'the call to end');
    const r = await sipp.result;
    assert.ok(r.passed, r.summary());
    assert.equal(log.failed?.cause, 'cancelled');
    assert.equal(log.failed?.status, 487);
  });

  test('RFC 3261 §13.2.2.4: forked 180s with two To tags; the first 200 wins, the second fork\'s 200 is ACKed and BYEd', async () => {
    const sipp = await startSipp({ scenario: 'invite-uas-forked.xml', timeoutMs: 15000 });
    const ended: TerminatedEvent[] = [];
    const { log } = dial(ua, sipp.port, (s) => {
      s.on('terminated', (e) => ended.push(e));
      setTimeout(() => void s.bye(), 500);
    });
    await within(log.done, 10000, 'the answer');
    const r = await sipp.result;
    assert.ok(r.passed, r.summary());
    const ringing = log.progress.filter((p) => p.status === 180);
    assert.equal(ringing.length, 2);
    assert.notEqual(ringing[0]!.earlyId, ringing[1]!.earlyId, 'two early dialogs');
    assert.match(text(log.accepted?.body), /s=forkA/);
    assert.match(log.accepted!.session.dialog.id.remoteTag, /^forkA/);
    assert.deepEqual(ended, [{ by: 'local', reason: 'BYE', cause: 'normal' }]);
    assert.match(r.logs, /ACK 1 for forkA[\s\S]*ACK 2 for forkB[\s\S]*BYE for forkB[\s\S]*BYE for forkA/);
  });

  test('RFC 3261 §13.2.1 / RFC 3960: a 183 with SDP (early media) before the 200', async () => {
    const sipp = await startSipp({ scenario: 'invite-uas-183-early-media.xml', timeoutMs: 15000 });
    const { log } = dial(ua, sipp.port, (s) => setTimeout(() => void s.bye(), 200));
    await within(log.done, 10000, 'the answer');
    const r = await sipp.result;
    assert.ok(r.passed, r.summary());
    const early = log.progress.find((p) => p.status === 183);
    assert.ok(early, 'the 183 was reported');
    assert.match(text(early.body), /s=early/);
    assert.match(text(log.accepted?.body), /s=answer/);
  });

  test('RFC 3261 §8.1.3.4: a 302 is followed to its Contact (a second sipp), which answers', async () => {
    const target = await startSipp({ scenario: 'invite-uas-answer.xml', timeoutMs: 15000 });
    const redirector = await startSipp({ scenario: 'invite-uas-302.xml', keys: { target_port: target.port }, timeoutMs: 15000 });
    const { log } = dial(ua, redirector.port, (s) => setTimeout(() => void s.bye(), 200));
    await within(log.done, 10000, 'the answer');
    const [r1, r2] = await Promise.all([redirector.result, target.result]);
    assert.ok(r1.passed, r1.summary());
    assert.ok(r2.passed, r2.summary());
    assert.equal(log.failed, undefined);
    assert.match(text(log.accepted?.body), /s=answer/);
    assert.match(r2.logs, new RegExp(`INVITE for sip:bob@127\\.0\\.0\\.1:${target.port}`));
  });
});

describe('INVITE sessions: SIPp calls softphone', { skip }, () => {
  let ua: UserAgent;
  let port: number;
  let handler: ((inv: IncomingInvite) => void) | undefined;
  before(async () => {
    const made = await createNodeUserAgent({ peerHost: '127.0.0.1', transports: ['udp'] });
    ua = made.ua;
    port = made.transport.localEndpoint('udp')!.port;
    ua.onInvite((inv) => handler?.(inv));
  });
  after(() => ua.close());

  function answerCalls(setup: (s: InviteSession, inv: IncomingInvite) => void, body: Body = sdp('softphone-answer', 'sendrecv')): { invites: IncomingInvite[]; ended: Promise<TerminatedEvent> } {
    const invites: IncomingInvite[] = [];
    let resolve!: (e: TerminatedEvent) => void;
    const ended = new Promise<TerminatedEvent>((r) => (resolve = r));
    handler = (inv) => {
      invites.push(inv);
      const s = inv.accept({ body, contact: ua.contactUri('softphone', 'udp') });
      s.on('terminated', resolve);
      setup(s, inv);
    };
    return { invites, ended };
  }

  test('RFC 3261 §13.3.1 / RFC 3264: a late-offer INVITE: our 200 carries the offer, the answer arrives in the ACK', async () => {
    const acks: (Body | undefined)[] = [];
    const { invites, ended } = answerCalls((s) => s.on('ack', (e) => acks.push(e.body)), sdp('softphone-offer', 'sendrecv'));
    const r = await runSipp({ scenario: 'invite-uac-late-offer.xml', remote: `127.0.0.1:${port}`, service: 'softphone', timeoutMs: 15000 });
    assert.ok(r.passed, r.summary());
    assert.equal(invites.length, 1);
    assert.equal(invites[0]!.body, undefined, 'the INVITE had no SDP');
    assert.equal(acks.length, 1);
    assert.match(text(acks[0]), /s=sipp-answer/);
    assert.match(text(acks[0]), /a=recvonly/);
    assert.deepEqual(await within(ended, 5000, 'the BYE'), { by: 'remote', reason: 'BYE', cause: 'normal' });
  });

  test('RFC 3261 §14.2 / RFC 3264 §8.4: a re-INVITE to hold (a=sendonly) reaches the handler; its a=recvonly answer reaches sipp', async () => {
    const offers: string[] = [];
    const { ended } = answerCalls((s) => s.on('reinvite', (e) => {
      offers.push(text(e.body));
      e.accept(sdp('softphone-held', 'recvonly'));
    }));
    const r = await runSipp({ scenario: 'invite-uac-reinvite-hold.xml', remote: `127.0.0.1:${port}`, service: 'softphone', timeoutMs: 15000 });
    assert.ok(r.passed, r.summary());
    assert.equal(offers.length, 1);
    assert.match(offers[0]!, /s=sipp-hold/);
    assert.match(offers[0]!, /a=sendonly/);
    assert.match(r.logs, /re-INVITE answered recvonly/);
    assert.deepEqual(await within(ended, 5000, 'the BYE'), { by: 'remote', reason: 'BYE', cause: 'normal' });
  });

  test('RFC 6086: INFO application/dtmf-relay from sipp reaches the info event; BYE from sipp ends the session', async () => {
    const infos: { type?: string; body: string }[] = [];
    const { ended } = answerCalls((s) => s.on('info', (e) => {
      infos.push({ type: e.contentType, body: dec.decode(e.body) });
      e.respond(200);
    }));
    const r = await runSipp({ scenario: 'invite-uac-info-dtmf.xml', remote: `127.0.0.1:${port}`, service: 'softphone', timeoutMs: 15000 });
    assert.ok(r.passed, r.summary());
    assert.equal(infos.length, 1);
    assert.equal(infos[0]!.type, 'application/dtmf-relay');
    assert.match(infos[0]!.body, /Signal=5\r\nDuration=160/);
    assert.deepEqual(await within(ended, 5000, 'the BYE'), { by: 'remote', reason: 'BYE', cause: 'normal' });
  });
});
