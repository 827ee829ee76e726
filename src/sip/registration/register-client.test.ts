import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualScheduler } from '../../platform/manual-scheduler.js';
import type { NameAddr, SipRequest } from '../message.js';
import { createResponse, getHeader } from '../message.js';
import type { RequestHandlers, RequestOutcome } from '../request-sender.js';
import { sipUri } from '../uri-util.js';
import type { RegistrationEvent } from './register-client.js';
import { parseRetryAfter, refreshDelayMs, RegistrationClient } from './register-client.js';

/** A registrar scripted per test, at the RequestSender seam. */
function setup(answer: (req: SipRequest, n: number) => RequestOutcome | undefined, opts: { expires?: number } = {}) {
  const scheduler = new ManualScheduler();
  const sent: SipRequest[] = [];
  const pending: { req: SipRequest; h: RequestHandlers }[] = [];
  let n = 0;
  const client = new RegistrationClient({
    aor: sipUri({ user: 'alice', host: 'example.com' }),
    contact: () => sipUri({ user: 'alice', host: '192.0.2.4', port: 5070 }),
    instanceId: 'urn:uuid:00000000-0000-4000-8000-000000000001',
    expires: opts.expires,
    scheduler,
    random: () => (n * 7919 + 12345).toString(16).padStart(8, '0'),
    retryBaseMs: 1000,
    sender: {
      sendRequest(req, h) {
        sent.push(req);
        const out = answer(req, n++);
        if (out) h.onOutcome(out);
        else pending.push({ req, h });
      },
    },
  });
  const events: RegistrationEvent[] = [];
  client.on('state', (e) => events.push(e));
  return { scheduler, sent, pending, client, events };
}

function ok(req: SipRequest, expires?: number, extra: NameAddr[] = []): RequestOutcome {
  const c = req.contact[0] as NameAddr;
  const granted = expires ?? parseInt(getHeader(req, 'expires')!, 10);
  const mine: NameAddr = { uri: c.uri, params: new Map([['expires', String(granted)]]) };
  return { kind: 'response', response: createResponse(req, 200, 'OK', { toTag: 'r1', contact: [mine, ...extra] }) };
}

function status(req: SipRequest, code: number, headers: { name: string; value: string }[] = []): RequestOutcome {
  return { kind: 'response', response: createResponse(req, code, undefined, { toTag: 'r1', headers }) };
}

test('RFC 3261 §10.2: REGISTER carries the AOR in To and From, an empty-user Request-URI, Contact with +sip.instance, Expires', () => {
  const { client, sent, events } = setup((r) => ok(r));
  client.register();
  const r = sent[0]!;
  assert.equal(r.method, 'REGISTER');
  assert.deepEqual([r.uri.scheme, (r.uri as { user?: string }).user, (r.uri as { host: string }).host], ['sip', undefined, 'example.com']);
  assert.equal((r.to.uri as { user?: string }).user, 'alice');
  assert.equal(r.to.params.has('tag'), false);
  assert.ok(r.from.params.get('tag'));
  assert.equal((r.contact[0] as NameAddr).params.get('+sip.instance'), '"<urn:uuid:00000000-0000-4000-8000-000000000001>"');
  assert.equal(getHeader(r, 'expires'), '3600');
  assert.equal(events.at(-1)!.state, 'registered');
  assert.equal(events.at(-1)!.expires, 3600);
});

test('RFC 3261 §10.2.4: one Call-ID for every REGISTER, CSeq incrementing; refresh before expiry', () => {
  const { client, sent, scheduler, events } = setup((r) => ok(r, 60));
  client.register();
  assert.equal(events.at(-1)!.expires, 60);
  scheduler.advance(refreshDelayMs(60) - 1);
  assert.equal(sent.length, 1);
  scheduler.advance(1);
  assert.equal(sent.length, 2);
  assert.equal(sent[1]!.callId, sent[0]!.callId);
  assert.equal(sent[1]!.cseq.seq, sent[0]!.cseq.seq + 1);
  assert.ok(refreshDelayMs(60) < 60_000 && refreshDelayMs(60) >= 54_000 - 1);
});

test('RFC 3261 §10.2.4: the granted expiry is the contact expires param, else the Expires header', () => {
  const { client, events } = setup((r) => ({
    kind: 'response',
    response: createResponse(r, 200, 'OK', { toTag: 'x', headers: [{ name: 'Expires', value: '120' }] }),
  }));
  client.register();
  assert.equal(events.at(-1)!.expires, 120);
});

test('RFC 3261 §10.2.4: the other bindings the registrar reports are in the event', () => {
  const other: NameAddr = { uri: sipUri({ user: 'alice', host: '198.51.100.9', port: 5060 }), params: new Map([['expires', '300']]) };
  const { client, events } = setup((r) => ok(r, 3600, [other]));
  client.register();
  const b = events.at(-1)!.bindings!;
  assert.equal(b.length, 2);
  assert.ok(b.some((x) => x.includes('198.51.100.9:5060') && x.includes('300')));
});

test('RFC 3261 §10.2.8: 423 is retried with the Min-Expires value', () => {
  const { client, sent, events } = setup((r, n) => (n === 0 ? status(r, 423, [{ name: 'Min-Expires', value: '7200' }]) : ok(r)));
  client.register();
  assert.equal(sent.length, 2);
  assert.equal(getHeader(sent[1]!, 'expires'), '7200');
  assert.equal(events.at(-1)!.state, 'registered');
  assert.equal(events.at(-1)!.expires, 7200);
});

test('RFC 3261 §10.2.8: a 423 with no larger Min-Expires fails instead of looping', () => {
  const { client, sent, events } = setup((r) => status(r, 423, [{ name: 'Min-Expires', value: '60' }]));
  client.register();
  assert.equal(sent.length, 1);
  assert.equal(events.at(-1)!.state, 'failed');
  assert.match(events.at(-1)!.reason!, /Min-Expires/);
});

test('RFC 3261 §21.5.4: 503 with Retry-After waits exactly that long, then registers', () => {
  const { client, sent, scheduler, events } = setup((r, n) => (n === 0 ? status(r, 503, [{ name: 'Retry-After', value: '2 (maintenance)' }]) : ok(r)));
  client.register();
  assert.equal(events.at(-1)!.state, 'retry-wait');
  assert.equal(events.at(-1)!.retryInMs, 2000);
  assert.equal(events.at(-1)!.status, 503);
  scheduler.advance(1999);
  assert.equal(sent.length, 1);
  scheduler.advance(1);
  assert.equal(sent.length, 2);
  assert.equal(events.at(-1)!.state, 'registered');
});

test('RFC 5626 §4.5: back-off doubles per consecutive failure, randomised to 50-100 %, capped', () => {
  const { client, events, scheduler } = setup(() => ({ kind: 'timeout' }));
  client.register();
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    const e = events.at(-1)!;
    assert.equal(e.state, 'retry-wait');
    delays.push(e.retryInMs!);
    scheduler.advance(e.retryInMs!);
  }
  for (let i = 0; i < 4; i++) {
    const ceiling = 1000 * 2 ** i;
    assert.ok(delays[i]! >= ceiling / 2 && delays[i]! <= ceiling, `attempt ${i}: ${delays[i]} in [${ceiling / 2}, ${ceiling}]`);
  }
  assert.match(events.at(-1)!.reason!, /timeout/);
});

test('clear reasons: 403, 404 and rejected credentials fail without retrying', () => {
  for (const [code, text] of [[403, /refused this account/], [404, /does not know this user/]] as const) {
    const { client, events, scheduler, sent } = setup((r) => status(r, code));
    client.register();
    scheduler.advance(3_600_000);
    assert.equal(sent.length, 1);
    assert.equal(events.at(-1)!.state, 'failed');
    assert.match(events.at(-1)!.reason!, text);
  }
  const { client, events } = setup((r) => ({ kind: 'auth-failed', response: createResponse(r, 401), reason: 'wrong password or user for realm "example.com"' }));
  client.register();
  assert.equal(events.at(-1)!.state, 'failed');
  assert.match(events.at(-1)!.reason!, /wrong password/);
});

test('RFC 3261 §10.2.2: unregister sends Expires: 0 for our contact and resolves when answered', async () => {
  const { client, sent, events } = setup((r) => ok(r));
  client.register();
  await client.unregister();
  assert.equal(getHeader(sent[1]!, 'expires'), '0');
  assert.equal(events.at(-1)!.state, 'unregistered');
});

test('unregister while a REGISTER is in flight waits for it, then removes the binding', async () => {
  const { client, sent, pending, events } = setup(() => undefined);
  client.register();
  const done = client.unregister();
  assert.equal(sent.length, 1);
  pending[0]!.h.onOutcome(ok(pending[0]!.req));
  assert.equal(sent.length, 2);
  assert.equal(getHeader(sent[1]!, 'expires'), '0');
  pending[1]!.h.onOutcome(ok(pending[1]!.req, 0));
  await done;
  assert.equal(events.at(-1)!.state, 'unregistered');
});

test('RFC 3261 §20.33: Retry-After parses delta-seconds with comment and params', () => {
  assert.equal(parseRetryAfter('18000;duration=3600'), 18000);
  assert.equal(parseRetryAfter('120 (I\'m in a meeting)'), 120);
  assert.equal(parseRetryAfter('soon'), undefined);
});
