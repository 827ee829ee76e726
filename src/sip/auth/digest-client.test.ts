import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthValue } from '../message.js';
import { DigestClient, type ChallengedRequest, type DigestResult, type DigestSuccess } from './digest-client.js';
import { DigestArgumentError, computeDigestResponse, type DigestAlgorithm } from './digest.js';

function digest(params: Record<string, string>): AuthValue {
  return { scheme: 'Digest', params: new Map(Object.entries(params)) };
}

/** cnonces "c1", "c2", ... */
function counter(): () => string {
  let n = 0;
  return () => `c${++n}`;
}

const REGISTER = { method: 'REGISTER', uri: 'sip:biloxi.com' };

function fresh(req: { method: string; uri: string; body?: Uint8Array } = REGISTER): ChallengedRequest {
  return { ...req, authorization: [], proxyAuthorization: [] };
}

function www(...values: AuthValue[]) {
  return { status: 401, wwwAuthenticate: values, proxyAuthenticate: [] };
}
function proxy(...values: AuthValue[]) {
  return { status: 407, wwwAuthenticate: [], proxyAuthenticate: values };
}

function ok(result: DigestResult): DigestSuccess {
  assert.ok(result.ok, result.ok ? '' : `${result.code}: ${result.reason}`);
  return result;
}

/** The request as resent with the answer's credentials. */
function resent(req: { method: string; uri: string; body?: Uint8Array }, answer: DigestSuccess): ChallengedRequest {
  return { ...req, authorization: answer.authorization, proxyAuthorization: answer.proxyAuthorization };
}

function expectedResponse(
  value: AuthValue,
  password: string,
  username: string,
  req: { method: string; uri: string; body?: Uint8Array },
): string {
  const p = value.params;
  const qop = p.get('qop') as 'auth' | 'auth-int' | undefined;
  return computeDigestResponse({
    algorithm: (p.get('algorithm') ?? 'MD5') as DigestAlgorithm,
    username,
    realm: p.get('realm')!,
    password,
    nonce: p.get('nonce')!,
    method: req.method,
    uri: req.uri,
    cnonce: p.get('cnonce'),
    nc: p.has('nc') ? parseInt(p.get('nc')!, 16) : undefined,
    qop,
    body: req.body,
  });
}

const BOB = { username: 'bob', password: 'zanzibar' };

test('RFC 3261 §22.2: a 401 is answered in Authorization', () => {
  const client = new DigestClient({ credentials: [BOB], cnonce: counter() });
  const answer = ok(client.respond(www(digest({ realm: 'biloxi.com', nonce: 'n1', qop: 'auth' })), fresh()));
  assert.equal(answer.authorization.length, 1);
  assert.equal(answer.proxyAuthorization.length, 0);
  assert.deepEqual(answer.answered, ['biloxi.com']);
  const v = answer.authorization[0]!;
  assert.equal(v.scheme, 'Digest');
  assert.equal(v.params.get('username'), 'bob');
  assert.equal(v.params.get('uri'), 'sip:biloxi.com', 'RFC 3261 §22.4: uri is the Request-URI');
  assert.equal(v.params.get('nc'), '00000001');
  assert.equal(v.params.get('cnonce'), 'c1');
  assert.equal(v.params.get('response'), expectedResponse(v, 'zanzibar', 'bob', REGISTER));
});

test('RFC 3261 §22.3: a 407 is answered in Proxy-Authorization', () => {
  const client = new DigestClient({ credentials: [BOB], cnonce: counter() });
  const invite = { method: 'INVITE', uri: 'sip:alice@atlanta.com' };
  const answer = ok(client.respond(proxy(digest({ realm: 'proxy.biloxi.com', nonce: 'p1', qop: 'auth', opaque: 'op' })), fresh(invite)));
  assert.equal(answer.authorization.length, 0);
  assert.equal(answer.proxyAuthorization.length, 1);
  const v = answer.proxyAuthorization[0]!;
  assert.equal(v.params.get('realm'), 'proxy.biloxi.com');
  assert.equal(v.params.get('opaque'), 'op', 'RFC 7616 §3.4: opaque is returned unchanged');
  assert.equal(v.params.get('response'), expectedResponse(v, 'zanzibar', 'bob', invite));
});

test('RFC 3261 §22.2: respond() takes only 401 and 407 (anything else is a programmer error)', () => {
  const client = new DigestClient({ credentials: [BOB] });
  assert.throws(() => client.respond({ status: 403, wwwAuthenticate: [], proxyAuthenticate: [] }, fresh()), DigestArgumentError);
  assert.throws(() => new DigestClient({ credentials: [{ username: 'x' } as never] }), DigestArgumentError);
});

test('RFC 7616 §3.4: nc counts requests per nonce and restarts at 1 with a new nonce', () => {
  const client = new DigestClient({ credentials: [BOB], cnonce: counter() });
  const first = ok(client.respond(www(digest({ realm: 'biloxi.com', nonce: 'n1', qop: 'auth' })), fresh()));
  assert.equal(first.authorization[0]!.params.get('nc'), '00000001');
  const seen = [2, 3, 4].map(() => client.authorize(REGISTER).authorization[0]!);
  assert.deepEqual(seen.map((v) => v.params.get('nc')), ['00000002', '00000003', '00000004']);
  assert.deepEqual(seen.map((v) => v.params.get('nonce')), ['n1', 'n1', 'n1']);
  assert.deepEqual(seen.map((v) => v.params.get('cnonce')), ['c2', 'c3', 'c4'], 'a new cnonce per request');
  for (const v of seen) assert.equal(v.params.get('response'), expectedResponse(v, 'zanzibar', 'bob', REGISTER));

  // The server expires n1 (stale=true) and hands out n2: the count starts over.
  const again = ok(client.respond(
    www(digest({ realm: 'biloxi.com', nonce: 'n2', qop: 'auth', stale: 'true' })),
    { ...REGISTER, authorization: [seen[2]!], proxyAuthorization: [] },
  ));
  assert.equal(again.authorization[0]!.params.get('nc'), '00000001');
  assert.equal(again.authorization[0]!.params.get('nonce'), 'n2');
  assert.equal(client.authorize(REGISTER).authorization[0]!.params.get('nc'), '00000002');
});

test('RFC 7616 §3.4.2: the -sess variants keep the cnonce that went into H(A1) for the life of the nonce', () => {
  for (const algorithm of ['MD5-sess', 'SHA-256-sess'] as const) {
    const client = new DigestClient({ credentials: [BOB], cnonce: counter() });
    const first = ok(client.respond(www(digest({ realm: 'biloxi.com', nonce: 'n1', qop: 'auth', algorithm })), fresh()));
    const v1 = first.authorization[0]!;
    const v2 = client.authorize(REGISTER).authorization[0]!;
    assert.equal(v1.params.get('algorithm'), algorithm);
    assert.equal(v1.params.get('cnonce'), 'c1');
    assert.equal(v2.params.get('cnonce'), 'c1');
    assert.equal(v2.params.get('nc'), '00000002');
    assert.equal(v2.params.get('response'), expectedResponse(v2, 'zanzibar', 'bob', REGISTER));
  }
});

test('RFC 7616 §3.3: stale=true is answered with the new nonce, not reported as a wrong password', () => {
  const client = new DigestClient({ credentials: [BOB], cnonce: counter() });
  const first = ok(client.respond(www(digest({ realm: 'biloxi.com', nonce: 'n1', qop: 'auth' })), fresh()));
  const second = ok(client.respond(
    www(digest({ realm: 'biloxi.com', nonce: 'n2', qop: 'auth', stale: 'true' })),
    resent(REGISTER, first),
  ));
  assert.equal(second.authorization[0]!.params.get('nonce'), 'n2');
  // And the answer to the stale challenge, if challenged again without stale, is a rejection.
  const third = client.respond(www(digest({ realm: 'biloxi.com', nonce: 'n3', qop: 'auth' })), resent(REGISTER, second));
  assert.equal(third.ok, false);
  if (!third.ok) assert.equal(third.code, 'credentials-rejected');
});

test('RFC 7616 §3.3: stale=true for the nonce just used, or again and again, ends in a failure, not a loop', () => {
  const client = new DigestClient({ credentials: [BOB], cnonce: counter() });
  const first = ok(client.respond(www(digest({ realm: 'biloxi.com', nonce: 'n1', qop: 'auth' })), fresh()));
  const same = client.respond(www(digest({ realm: 'biloxi.com', nonce: 'n1', qop: 'auth', stale: 'true' })), resent(REGISTER, first));
  assert.equal(same.ok, false);
  if (!same.ok) assert.equal(same.code, 'stale-loop');

  const client2 = new DigestClient({ credentials: [BOB], cnonce: counter() });
  let answer = ok(client2.respond(www(digest({ realm: 'biloxi.com', nonce: 'm0', qop: 'auth' })), fresh()));
  let result: DigestResult = answer;
  for (let i = 1; i <= 10 && result.ok; i++) {
    result = client2.respond(www(digest({ realm: 'biloxi.com', nonce: `m${i}`, qop: 'auth', stale: 'true' })), resent(REGISTER, answer));
    if (result.ok) answer = result;
  }
  assert.equal(result.ok, false);
  if (!result.ok) assert.equal(result.code, 'stale-loop');
});

test('RFC 3261 §22.2: a second challenge without stale after our answer means wrong credentials', () => {
  const client = new DigestClient({ credentials: [{ ...BOB, password: 'wrong' }], cnonce: counter() });
  const first = ok(client.respond(www(digest({ realm: 'biloxi.com', nonce: 'n1', qop: 'auth' })), fresh()));
  const second = client.respond(www(digest({ realm: 'biloxi.com', nonce: 'n2', qop: 'auth' })), resent(REGISTER, first));
  assert.equal(second.ok, false);
  if (!second.ok) {
    assert.equal(second.code, 'credentials-rejected');
    assert.equal(second.realm, 'biloxi.com');
    assert.match(second.reason, /wrong password or user "bob" for realm "biloxi\.com"/);
    assert.ok(!second.reason.includes('wrong"'), 'the password is not in the reason');
  }
  // The rejected realm is forgotten: no more preemptive credentials for it.
  assert.deepEqual(client.authorize(REGISTER), { authorization: [], proxyAuthorization: [] });
});

test('RFC 3261 §22.2: a wrong password is detected without qop (RFC 2069 mode) too', () => {
  const client = new DigestClient({ credentials: [BOB], cnonce: counter() });
  const first = ok(client.respond(www(digest({ realm: 'biloxi.com', nonce: 'n1' })), fresh()));
  const v = first.authorization[0]!;
  assert.equal(v.params.has('nc'), false);
  assert.equal(v.params.has('cnonce'), false);
  assert.equal(v.params.has('qop'), false);
  assert.equal(v.params.get('response'), expectedResponse(v, 'zanzibar', 'bob', REGISTER));
  const second = client.respond(www(digest({ realm: 'biloxi.com', nonce: 'n1' })), resent(REGISTER, first));
  assert.equal(second.ok, false);
  if (!second.ok) assert.equal(second.code, 'credentials-rejected');
});

test('RFC 3261 §22.1: reused (preemptive) credentials with an expired nonce get one fresh answer', () => {
  const client = new DigestClient({ credentials: [BOB], cnonce: counter() });
  ok(client.respond(www(digest({ realm: 'biloxi.com', nonce: 'n1', qop: 'auth' })), fresh()));
  const refresh = client.authorize(REGISTER);
  assert.equal(refresh.authorization[0]!.params.get('nc'), '00000002');
  // The registrar dropped n1 and, unlike RFC 7616 advises, did not say stale=true.
  const retry = ok(client.respond(
    www(digest({ realm: 'biloxi.com', nonce: 'n2', qop: 'auth' })),
    { ...REGISTER, ...refresh },
  ));
  assert.equal(retry.authorization[0]!.params.get('nonce'), 'n2');
  assert.equal(retry.authorization[0]!.params.get('nc'), '00000001');
  // But a challenge to that fresh answer is a rejection.
  const again = client.respond(www(digest({ realm: 'biloxi.com', nonce: 'n3', qop: 'auth' })), resent(REGISTER, retry));
  assert.equal(again.ok, false);
});

test('RFC 3261 §22.1: two requests challenged at once are both answered (no false rejection)', () => {
  const client = new DigestClient({ credentials: [BOB], cnonce: counter() });
  const subscribe = { method: 'SUBSCRIBE', uri: 'sip:alice@biloxi.com' };
  const a = client.respond(www(digest({ realm: 'biloxi.com', nonce: 'n1', qop: 'auth' })), fresh());
  const b = client.respond(www(digest({ realm: 'biloxi.com', nonce: 'n2', qop: 'auth' })), fresh(subscribe));
  assert.ok(a.ok && b.ok);
  assert.equal(b.authorization[0]!.params.get('uri'), 'sip:alice@biloxi.com');
});

test('RFC 3261 §22.1: credentials are chosen by realm, falling back to the ones for any realm', () => {
  const client = new DigestClient({
    credentials: [
      { username: 'any', password: 'any-pw' },
      { username: 'bob', password: 'biloxi-pw', realm: 'biloxi.com' },
    ],
    cnonce: counter(),
  });
  const answer = ok(client.respond(
    www(digest({ realm: 'biloxi.com', nonce: 'n1', qop: 'auth' }), digest({ realm: 'other.example', nonce: 'o1', qop: 'auth' })),
    fresh(),
  ));
  const [biloxi, other] = answer.authorization;
  assert.equal(biloxi!.params.get('username'), 'bob');
  assert.equal(biloxi!.params.get('response'), expectedResponse(biloxi!, 'biloxi-pw', 'bob', REGISTER));
  assert.equal(other!.params.get('username'), 'any');
  assert.equal(other!.params.get('response'), expectedResponse(other!, 'any-pw', 'any', REGISTER));
});

test('RFC 3261 §22.1: an unknown realm with no credentials for any realm fails with the realm named', () => {
  const client = new DigestClient({ credentials: [{ ...BOB, realm: 'biloxi.com' }], cnonce: counter() });
  const result = client.respond(www(digest({ realm: 'atlanta.com', nonce: 'a1', qop: 'auth' })), fresh());
  assert.equal(result.ok, false);
  if (!result.ok) {
    assert.equal(result.code, 'no-credentials');
    assert.equal(result.realm, 'atlanta.com');
    assert.match(result.reason, /atlanta\.com/);
  }
  // When another realm can be answered, the unknown one is reported alongside.
  const partial = ok(client.respond(
    www(digest({ realm: 'atlanta.com', nonce: 'a1', qop: 'auth' }), digest({ realm: 'biloxi.com', nonce: 'b1', qop: 'auth' })),
    fresh(),
  ));
  assert.deepEqual(partial.answered, ['biloxi.com']);
  assert.deepEqual(partial.unanswered.map((u) => [u.realm, u.code]), [['atlanta.com', 'no-credentials']]);
});

test('RFC 3261 §22.4: the digest username is the auth user, not the AOR user', () => {
  const client = new DigestClient({ credentials: [{ username: '2001', authUsername: 'acct-77f3', password: 's3cret' }], cnonce: counter() });
  const answer = ok(client.respond(www(digest({ realm: 'pbx', nonce: 'n1', qop: 'auth' })), fresh()));
  const v = answer.authorization[0]!;
  assert.equal(v.params.get('username'), 'acct-77f3');
  assert.equal(v.params.get('response'), expectedResponse(v, 's3cret', 'acct-77f3', REGISTER));
  assert.notEqual(v.params.get('response'), expectedResponse(v, 's3cret', '2001', REGISTER));
});

test('RFC 8760 §2.4: of several challenges for one realm the strongest supported algorithm is used', () => {
  const realm = 'biloxi.com';
  const pick = (...algorithms: (string | undefined)[]) => {
    const client = new DigestClient({ credentials: [BOB], cnonce: counter() });
    const values = algorithms.map((algorithm, i) =>
      digest({ realm, nonce: `n${i}`, qop: 'auth', ...(algorithm === undefined ? {} : { algorithm }) }));
    const answer = ok(client.respond(www(...values), fresh()));
    assert.equal(answer.authorization.length, 1, 'one answer per realm');
    return `${answer.authorization[0]!.params.get('algorithm')}/${answer.authorization[0]!.params.get('nonce')}`;
  };
  assert.equal(pick('MD5', 'SHA-256'), 'SHA-256/n1');
  assert.equal(pick('SHA-256', 'MD5'), 'SHA-256/n0');
  assert.equal(pick('MD5', 'SHA-512-256', 'SHA-256'), 'SHA-512-256/n1');
  assert.equal(pick('AKAv1-MD5', 'MD5'), 'MD5/n1', 'unsupported algorithms are skipped');
  assert.equal(pick('MD5-sess', 'MD5'), 'MD5-sess/n0', 'equal strength: the topmost wins');
  assert.equal(pick(undefined, 'SHA-256'), 'SHA-256/n1', 'no algorithm means MD5');
});

test('RFC 8760 §2.4: only unsupported algorithms is a clear failure', () => {
  const client = new DigestClient({ credentials: [BOB] });
  const result = client.respond(www(digest({ realm: 'ims', nonce: 'n', algorithm: 'AKAv1-MD5' })), fresh());
  assert.equal(result.ok, false);
  if (!result.ok) {
    assert.equal(result.code, 'unsupported-algorithm');
    assert.match(result.reason, /AKAv1-MD5/);
  }
});

test('RFC 3261 §22.3: a proxy realm and a registrar realm are answered together', () => {
  const client = new DigestClient({ credentials: [BOB], cnonce: counter() });
  // The outbound proxy challenges first...
  const first = ok(client.respond(proxy(digest({ realm: 'proxy.example', nonce: 'p1', qop: 'auth' })), fresh()));
  assert.equal(first.proxyAuthorization.length, 1);
  // ...then the registrar behind it: the retry must carry both.
  const second = ok(client.respond(www(digest({ realm: 'biloxi.com', nonce: 'r1', qop: 'auth' })), resent(REGISTER, first)));
  assert.deepEqual(second.answered, ['biloxi.com']);
  assert.equal(second.proxyAuthorization.length, 1);
  assert.equal(second.proxyAuthorization[0]!.params.get('realm'), 'proxy.example');
  assert.equal(second.proxyAuthorization[0]!.params.get('nc'), '00000002');
  assert.equal(second.authorization.length, 1);
  assert.equal(second.authorization[0]!.params.get('nc'), '00000001');
  // Refreshes carry both, preemptively.
  const refresh = client.authorize(REGISTER);
  assert.deepEqual(refresh.proxyAuthorization.map((v) => v.params.get('nc')), ['00000003']);
  assert.deepEqual(refresh.authorization.map((v) => v.params.get('nc')), ['00000002']);
  assert.deepEqual(client.realms, [{ kind: 'proxy', realm: 'proxy.example' }, { kind: 'www', realm: 'biloxi.com' }]);
  client.forget('proxy.example');
  assert.equal(client.authorize(REGISTER).proxyAuthorization.length, 0);
});

test('RFC 3261 §16.7: a forked response carrying both WWW- and Proxy-Authenticate gets both answers', () => {
  const client = new DigestClient({ credentials: [BOB], cnonce: counter() });
  const answer = ok(client.respond(
    { status: 407, wwwAuthenticate: [digest({ realm: 'uas.example', nonce: 'u' })], proxyAuthenticate: [digest({ realm: 'proxy.example', nonce: 'p', qop: 'auth' })] },
    fresh(),
  ));
  assert.deepEqual(answer.authorization.map((v) => v.params.get('realm')), ['uas.example']);
  assert.deepEqual(answer.proxyAuthorization.map((v) => v.params.get('realm')), ['proxy.example']);
});

test('RFC 3261 §22.1: a challenge for the same realm as both proxy and server is kept apart', () => {
  const client = new DigestClient({ credentials: [BOB], cnonce: counter() });
  ok(client.respond(proxy(digest({ realm: 'example', nonce: 'p', qop: 'auth' })), fresh()));
  const answer = ok(client.respond(www(digest({ realm: 'example', nonce: 'w', qop: 'auth' })), fresh()));
  assert.equal(answer.proxyAuthorization[0]!.params.get('nonce'), 'p');
  assert.equal(answer.authorization[0]!.params.get('nonce'), 'w');
});

test('RFC 7616 §3.4.3: qop=auth is preferred; auth-int alone hashes the request body', () => {
  const body = new TextEncoder().encode('v=0\r\n');
  const invite = { method: 'INVITE', uri: 'sip:alice@atlanta.com', body };
  const client = new DigestClient({ credentials: [BOB], cnonce: counter() });
  const both = ok(client.respond(www(digest({ realm: 'a', nonce: 'n', qop: 'auth-int,auth' })), fresh(invite)));
  assert.equal(both.authorization[0]!.params.get('qop'), 'auth');
  const client2 = new DigestClient({ credentials: [BOB], cnonce: counter() });
  const intOnly = ok(client2.respond(www(digest({ realm: 'a', nonce: 'n', qop: 'auth-int' })), fresh(invite)));
  const v = intOnly.authorization[0]!;
  assert.equal(v.params.get('qop'), 'auth-int');
  assert.equal(v.params.get('response'), expectedResponse(v, 'zanzibar', 'bob', invite));
  assert.notEqual(v.params.get('response'), expectedResponse(v, 'zanzibar', 'bob', { ...invite, body: new Uint8Array(0) }));
});

test('RFC 7616 §3.3: malformed challenges give clear failures, not throws', () => {
  const client = new DigestClient({ credentials: [BOB] });
  const cases: [ReturnType<typeof www>, string][] = [
    [www(), 'no-digest-challenge'],
    [www({ scheme: 'Basic', params: new Map([['realm', 'r']]) }), 'no-digest-challenge'],
    [www(digest({ realm: 'r' })), 'malformed-challenge'],
    [www(digest({ nonce: 'n' })), 'malformed-challenge'],
    [www(digest({ realm: 'r', nonce: 'n', qop: 'auth-conf' })), 'unsupported-qop'],
  ];
  for (const [response, code] of cases) {
    const result = client.respond(response, fresh());
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.code, code);
      assert.ok(result.reason.length > 0);
    }
  }
  // A broken challenge next to a good one: the good one is answered, the broken one reported.
  const mixed = ok(client.respond(www(digest({ realm: 'r' }), digest({ realm: 'r', nonce: 'n' })), fresh()));
  assert.deepEqual(mixed.answered, ['r']);
  assert.deepEqual(mixed.unanswered.map((u) => u.code), ['malformed-challenge']);
});

test('RFC 3261 §22.1: authorize() before any challenge adds nothing', () => {
  const client = new DigestClient({ credentials: [BOB] });
  assert.deepEqual(client.authorize(REGISTER), { authorization: [], proxyAuthorization: [] });
});

test('RFC 7616 §3.4: the default cnonce is random hex', () => {
  const client = new DigestClient({ credentials: [BOB] });
  const a = ok(client.respond(www(digest({ realm: 'r', nonce: 'n', qop: 'auth' })), fresh())).authorization[0]!;
  const b = client.authorize(REGISTER).authorization[0]!;
  assert.match(a.params.get('cnonce')!, /^[0-9a-f]{32}$/);
  assert.notEqual(a.params.get('cnonce'), b.params.get('cnonce'));
  const bad = new DigestClient({ credentials: [BOB], cnonce: () => 'a"b' });
  assert.throws(() => bad.respond(www(digest({ realm: 'r', nonce: 'n', qop: 'auth' })), fresh()), DigestArgumentError);
});
