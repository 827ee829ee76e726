import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SipRequest } from './message.js';
import { createRequest, getHeader } from './message.js';
import { checkRequest, optionsHeaders } from './uas-core.js';
import { sipUri } from './uri-util.js';

const caps = { allow: ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS'], supported: ['replaces', 'timer'], accept: ['application/sdp'] };
const noDialogs = { dialogExists: () => false };

function req(method: string, patch: Partial<SipRequest> = {}): SipRequest {
  const r = createRequest({
    method,
    uri: sipUri({ user: 'bob', host: '127.0.0.1' }),
    from: { uri: sipUri({ user: 'alice', host: 'a.example' }), params: new Map([['tag', 'f1']]) },
    to: { uri: sipUri({ user: 'bob', host: 'b.example' }), params: new Map() },
    callId: 'c1',
    cseq: { seq: 1, method },
  });
  return Object.assign(r, patch);
}

test('RFC 3261 §8.2.1: a known method we do not handle gets 405 with Allow', () => {
  const r = checkRequest(req('SUBSCRIBE'), caps, noDialogs);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.status, 405);
  assert.equal(r.headers.find((h) => h.name === 'Allow')?.value, 'INVITE, ACK, CANCEL, BYE, OPTIONS');
});

test('RFC 3261 §21.5.2: an unrecognised method gets 501', () => {
  const r = checkRequest(req('FOOBAR'), caps, noDialogs);
  assert.equal(!r.ok && r.status, 501);
});

test('RFC 3261 §16.3: Max-Forwards 0 gets 483 Too Many Hops (not for ACK)', () => {
  assert.equal((checkRequest(req('OPTIONS', { maxForwards: 0 }), caps, noDialogs) as { status: number }).status, 483);
  assert.equal(checkRequest(req('ACK', { maxForwards: 0 }), caps, noDialogs).ok, true);
});

test('RFC 3261 §8.2.2.1: an unsupported Request-URI scheme gets 416', () => {
  const r = checkRequest(req('OPTIONS', { uri: { scheme: 'mailto', value: 'bob@example.com' } }), caps, noDialogs);
  assert.equal(!r.ok && r.status, 416);
});

test('RFC 3261 §12.2.2: a To-tagged request for an unknown dialog gets 481; a known one passes', () => {
  const r = req('BYE', { to: { uri: sipUri({ user: 'bob', host: 'b.example' }), params: new Map([['tag', 'zz']]) } });
  assert.equal((checkRequest(r, caps, noDialogs) as { status: number }).status, 481);
  assert.equal(checkRequest(r, caps, { dialogExists: () => true }).ok, true);
});

test('RFC 3261 §8.2.2.2: a merged request gets 482', () => {
  const r = checkRequest(req('INVITE'), caps, { dialogExists: () => false, isMergedRequest: () => true });
  assert.equal(!r.ok && r.status, 482);
});

test('RFC 3261 §8.2.2.3: an unsupported Require gets 420 listing it in Unsupported; not for ACK/CANCEL', () => {
  const headers = [{ name: 'Require', value: 'timer, 100rel, foo' }];
  const r = checkRequest(req('INVITE', { headers }), caps, noDialogs);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.status, 420);
  assert.equal(r.headers.find((h) => h.name === 'Unsupported')?.value, '100rel, foo');
  assert.equal(checkRequest(req('CANCEL', { headers }), caps, noDialogs).ok, true);
});

test('RFC 3261 §8.2.3: a body of a type we do not understand gets 415 with Accept', () => {
  const r = checkRequest(req('INVITE', { contentType: 'application/x-foo', body: new Uint8Array([1]) }), caps, noDialogs);
  assert.equal(!r.ok && r.status, 415);
  assert.equal(checkRequest(req('INVITE', { contentType: 'application/SDP; charset=utf-8', body: new Uint8Array([1]) }), caps, noDialogs).ok, true);
});

test('RFC 3261 §11.2: the 200 to OPTIONS lists Allow, Accept, Supported', () => {
  const r = req('OPTIONS');
  r.headers = optionsHeaders(caps);
  assert.equal(getHeader(r, 'allow'), 'INVITE, ACK, CANCEL, BYE, OPTIONS');
  assert.equal(getHeader(r, 'accept'), 'application/sdp');
  assert.equal(getHeader(r, 'supported'), 'replaces, timer');
});
