import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AuthValue } from '../message.js';
import { DigestClient } from './digest-client.js';
import {
  DIGEST_TOKEN_PARAMS,
  DigestArgumentError,
  REDACTED,
  buildDigestCredentials,
  computeDigestResponse,
  computeUserhash,
  digestHash,
  formatNonceCount,
  parseDigestAlgorithm,
  parseDigestChallenge,
  redactAuthValue,
  type DigestAlgorithm,
  type DigestChallenge,
} from './digest.js';

interface Vector {
  source: string;
  status: 401 | 407;
  wwwAuthenticate: { scheme: string; params: Record<string, string> }[];
  method: string;
  uri: string;
  username: string;
  password: string;
  cnonce: string;
  authorization: { scheme: string; params: Record<string, string> };
}

function loadVector(name: string): Vector {
  return JSON.parse(readFileSync(new URL(`../../../test/vectors/rfc7616/${name}`, import.meta.url), 'utf8')) as Vector;
}

function authValue(v: { scheme: string; params: Record<string, string> }): AuthValue {
  return { scheme: v.scheme, params: new Map(Object.entries(v.params)) };
}

/** Answer a vector's challenge with DigestClient and compare every parameter. */
function checkVector(name: string): void {
  const v = loadVector(name);
  const client = new DigestClient({ credentials: [{ username: v.username, password: v.password }], cnonce: () => v.cnonce });
  const result = client.respond(
    { status: v.status, wwwAuthenticate: v.wwwAuthenticate.map(authValue), proxyAuthenticate: [] },
    { method: v.method, uri: v.uri, authorization: [], proxyAuthorization: [] },
  );
  assert.ok(result.ok, result.ok ? '' : result.reason);
  assert.equal(result.authorization.length, 1);
  assert.equal(result.proxyAuthorization.length, 0);
  const got = result.authorization[0]!;
  assert.equal(got.scheme, v.authorization.scheme);
  assert.deepEqual(Object.fromEntries(got.params), v.authorization.params, v.source);
}

test('RFC 7616 §3.9.1: MD5 response matches the RFC example', () => {
  checkVector('rfc7616-3.9.1-md5.json');
});

test('RFC 7616 §3.9.1: SHA-256 response matches the RFC example, chosen over the MD5 challenge below it', () => {
  checkVector('rfc7616-3.9.1-sha256.json');
});

test('RFC 2617 §3.5: MD5 response matches the RFC example; no algorithm is echoed when none was offered', () => {
  checkVector('rfc2617-3.5-md5.json');
});

test('RFC 7616 §3.9.2 (erratum 4897): SHA-512-256 with userhash matches the corrected example', () => {
  checkVector('rfc7616-3.9.2-sha512-256-userhash.json');
});

// An independent implementation of the RFC 7616 §3.4 formulas on node:crypto, for the cases
// the RFCs give no example of.
const NODE_HASH: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };
function h(algorithm: DigestAlgorithm, data: string | Uint8Array): string {
  return createHash(NODE_HASH[algorithm.replace('-sess', '')]!).update(data).digest('hex');
}

for (const algorithm of ['MD5-sess', 'SHA-256-sess', 'SHA-512-256-sess'] as const) {
  test(`RFC 7616 §3.4.2: ${algorithm} hashes H(user:realm:password):nonce:cnonce as A1`, () => {
    const ha1 = h(algorithm, `${h(algorithm, 'bob:biloxi.com:zanzibar')}:n0nce:c0nce`);
    const ha2 = h(algorithm, 'REGISTER:sip:biloxi.com');
    const expected = h(algorithm, `${ha1}:n0nce:0000002a:c0nce:auth:${ha2}`);
    const got = computeDigestResponse({
      algorithm, username: 'bob', realm: 'biloxi.com', password: 'zanzibar', nonce: 'n0nce',
      method: 'REGISTER', uri: 'sip:biloxi.com', cnonce: 'c0nce', nc: 42, qop: 'auth',
    });
    assert.equal(got, expected);
  });
}

test('RFC 7616 §3.4.3: qop=auth-int hashes the body into A2', () => {
  const body = new TextEncoder().encode('v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n');
  const ha1 = h('SHA-256', 'bob:biloxi.com:zanzibar');
  const ha2 = h('SHA-256', `INVITE:sip:alice@atlanta.com:${h('SHA-256', body)}`);
  const expected = h('SHA-256', `${ha1}:n:00000001:c:auth-int:${ha2}`);
  const got = computeDigestResponse({
    algorithm: 'SHA-256', username: 'bob', realm: 'biloxi.com', password: 'zanzibar', nonce: 'n',
    method: 'INVITE', uri: 'sip:alice@atlanta.com', cnonce: 'c', nc: 1, qop: 'auth-int', body,
  });
  assert.equal(got, expected);
  // With no body, H(entity-body) is the hash of the empty string.
  const empty = computeDigestResponse({
    algorithm: 'MD5', username: 'bob', realm: 'r', password: 'p', nonce: 'n',
    method: 'BYE', uri: 'sip:a@b', cnonce: 'c', nc: 1, qop: 'auth-int',
  });
  assert.equal(empty, h('MD5', `${h('MD5', 'bob:r:p')}:n:00000001:c:auth-int:${h('MD5', `BYE:sip:a@b:${h('MD5', '')}`)}`));
});

test('RFC 2069 / RFC 3261 §22.4: without qop the response is H(HA1:nonce:HA2), no cnonce or nc', () => {
  const ha1 = h('MD5', 'alice:atlanta.com:secret');
  const ha2 = h('MD5', 'INVITE:sip:bob@biloxi.com');
  assert.equal(
    computeDigestResponse({ algorithm: 'MD5', username: 'alice', realm: 'atlanta.com', password: 'secret', nonce: 'abc', method: 'INVITE', uri: 'sip:bob@biloxi.com' }),
    h('MD5', `${ha1}:abc:${ha2}`),
  );
  const challenge = parseDigestChallenge(authValue({ scheme: 'Digest', params: { realm: 'atlanta.com', nonce: 'abc' } }));
  assert.ok(challenge.ok);
  const creds = buildDigestCredentials(challenge.value, { username: 'alice', password: 'secret', method: 'INVITE', uri: 'sip:bob@biloxi.com' });
  assert.deepEqual([...creds.params.keys()], ['username', 'realm', 'nonce', 'uri', 'response']);
});

test('RFC 7616 §3.4.4: the userhash is H(username:realm)', () => {
  assert.equal(computeUserhash('SHA-256', 'bob', 'biloxi.com'), h('SHA-256', 'bob:biloxi.com'));
});

test('RFC 7616 §3.3: hashes are lowercase hex of the UTF-8 octets', () => {
  assert.equal(digestHash('MD5', 'abc'), '900150983cd24fb0d6963f7d28e17f72');
  assert.equal(digestHash('SHA-256', '\u00e4'), h('SHA-256', Buffer.from('\u00e4', 'utf8')));
  assert.equal(digestHash('SHA-512-256', ''), h('SHA-512-256', ''));
});

test('RFC 7616 §3.4: nc is 8 lowercase hex digits; out-of-range counts are programmer errors', () => {
  assert.equal(formatNonceCount(1), '00000001');
  assert.equal(formatNonceCount(0xab), '000000ab');
  assert.equal(formatNonceCount(0xffffffff), 'ffffffff');
  assert.throws(() => formatNonceCount(0), DigestArgumentError);
  assert.throws(() => formatNonceCount(2 ** 32), DigestArgumentError);
});

test('RFC 7616 §3.3: algorithm names match case-insensitively and default to MD5', () => {
  assert.equal(parseDigestAlgorithm(undefined), 'MD5');
  assert.equal(parseDigestAlgorithm('sha-256'), 'SHA-256');
  assert.equal(parseDigestAlgorithm('md5-SESS'), 'MD5-sess');
  assert.equal(parseDigestAlgorithm('AKAv1-MD5'), undefined);
});

test('RFC 7616 §3.3: malformed or unsupported challenges are results, not throws', () => {
  const parse = (params: Record<string, string>, scheme = 'Digest') => parseDigestChallenge(authValue({ scheme, params }));
  const cases: [ReturnType<typeof parse>, string][] = [
    [parse({ realm: 'r', nonce: 'n' }, 'Basic'), 'not-digest'],
    [parse({ nonce: 'n' }), 'malformed-challenge'],
    [parse({ realm: 'r' }), 'malformed-challenge'],
    [parse({ realm: 'r', nonce: '' }), 'malformed-challenge'],
    [parse({ realm: 'r', nonce: 'n', algorithm: 'SHA-1' }), 'unsupported-algorithm'],
    [parse({ realm: 'r', nonce: 'n', qop: 'auth-conf' }), 'unsupported-qop'],
  ];
  for (const [result, code] of cases) {
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.error.code, code);
      assert.ok(result.error.reason.length > 0);
    }
  }
  const ok = parse({ realm: 'r', nonce: 'n', qop: ' Auth-Int , auth ', stale: 'TRUE', algorithm: 'sha-256-SESS' });
  assert.ok(ok.ok);
  const c: DigestChallenge = ok.value;
  assert.deepEqual(c.qop, ['auth-int', 'auth']);
  assert.equal(c.stale, true);
  assert.equal(c.algorithm, 'SHA-256-sess');
});

test('RFC 3261 §25.1: algorithm, qop and nc are tokens in credentials; the rest are quoted', () => {
  assert.deepEqual([...DIGEST_TOKEN_PARAMS].sort(), ['algorithm', 'nc', 'qop', 'stale', 'userhash']);
});

test('RFC 3261 §22.4 / security: redactAuthValue hides the response and nothing carries the password', () => {
  const v = loadVector('rfc7616-3.9.1-sha256.json');
  const client = new DigestClient({ credentials: [{ username: v.username, password: v.password }], cnonce: () => v.cnonce });
  const result = client.respond(
    { status: 401, wwwAuthenticate: v.wwwAuthenticate.map(authValue), proxyAuthenticate: [] },
    { method: v.method, uri: v.uri, authorization: [], proxyAuthorization: [] },
  );
  assert.ok(result.ok);
  const value = result.authorization[0]!;
  for (const param of value.params.values()) assert.ok(!param.includes(v.password));
  const redacted = redactAuthValue(value);
  assert.equal(redacted.params.get('response'), REDACTED);
  assert.equal(redacted.params.get('username'), 'Mufasa');
  assert.equal(value.params.get('response'), v.authorization.params.response, 'the original is not modified');
});
