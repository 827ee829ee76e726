import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serializeAuthValue, serializeMessage, serializeMessageToString, serializeNameAddr, serializeUri, serializeVia } from './serializer.js';
import { parseMessage } from './parser.js';
import { parseUri } from './uri.js';
import { createRequest, createResponse } from './message.js';
import type { SipMessage, SipRequest, SipUri, Uri } from './message.js';

const sipUri = (host: string, extra: Partial<SipUri> = {}): SipUri => ({ scheme: 'sip', host, params: new Map(), headers: new Map(), ...extra });

function request(extra: Partial<SipRequest> = {}): SipRequest {
  return {
    ...createRequest({
      method: 'INVITE',
      uri: sipUri('biloxi.example.com', { user: 'bob' }),
      via: [{ transport: 'UDP', host: 'pc33.atlanta.example.com', port: 5060, branch: 'z9hG4bK776asdhds', rport: true, params: new Map() }],
      from: { displayName: 'Alice', uri: sipUri('atlanta.example.com', { user: 'alice' }), params: new Map([['tag', '1928301774']]) },
      to: { uri: sipUri('biloxi.example.com', { user: 'bob' }), params: new Map() },
      callId: 'a84b4c76e66710@pc33.atlanta.example.com',
      cseq: { seq: 314159, method: 'INVITE' },
    }),
    ...extra,
  };
}

function reparse(m: SipMessage): SipMessage {
  const r = parseMessage(serializeMessage(m));
  if (!r.ok) assert.fail(r.error.message);
  return r.value;
}

function roundUri(s: string): string {
  const r = parseUri(s);
  if (!r.ok) assert.fail(r.error.message);
  return serializeUri(r.value);
}

test('RFC 3261 §7.1: a request serialises with the request line, long names and CRLFs', () => {
  const s = serializeMessageToString(request());
  assert.ok(s.startsWith('INVITE sip:bob@biloxi.example.com SIP/2.0\r\n'));
  assert.match(s, /\r\nVia: SIP\/2\.0\/UDP pc33\.atlanta\.example\.com:5060;branch=z9hG4bK776asdhds;rport\r\n/);
  assert.match(s, /\r\nMax-Forwards: 70\r\n/);
  assert.match(s, /\r\nFrom: "Alice" <sip:alice@atlanta\.example\.com>;tag=1928301774\r\n/);
  assert.match(s, /\r\nCall-ID: a84b4c76e66710@pc33\.atlanta\.example\.com\r\n/);
  assert.match(s, /\r\nCSeq: 314159 INVITE\r\n/);
  assert.ok(s.endsWith('Content-Length: 0\r\n\r\n'));
});

test('RFC 3261 §7.2: a response serialises with the status line', () => {
  const res = createResponse(request(), 180, undefined, { toTag: 'a6c85cf' });
  const s = serializeMessageToString(res);
  assert.ok(s.startsWith('SIP/2.0 180 Ringing\r\n'));
  assert.match(s, /\r\nTo: <sip:bob@biloxi\.example\.com>;tag=a6c85cf\r\n/);
  assert.doesNotMatch(s, /Max-Forwards/);
});

test('RFC 3261 §20.14: Content-Length is written from the body bytes, not characters', () => {
  const body = new TextEncoder().encode('héllo ☎');
  const s = serializeMessageToString(request({ body, contentType: 'text/plain' }));
  assert.match(s, new RegExp(`\r\nContent-Length: ${body.length}\r\n\r\nhéllo ☎$`));
  assert.equal(body.length, 10);
});

test('RFC 3261 §20.14: a verbatim Content-Length header is never written (no duplicates)', () => {
  const s = serializeMessageToString(request({ headers: [{ name: 'Content-Length', value: '999' }, { name: 'l', value: '5' }] }));
  assert.equal(s.match(/Content-Length/g)?.length, 1);
  assert.doesNotMatch(s, /\r\nl:/);
});

test('RFC 3261 §7.4: serializeMessage appends the body bytes unchanged', () => {
  const body = new Uint8Array([0, 255, 13, 10, 128]);
  const out = serializeMessage(request({ body, contentType: 'application/octet-stream' }));
  assert.deepEqual(out.subarray(out.length - 5), body);
  assert.deepEqual(reparse(request({ body, contentType: 'application/octet-stream' })).body, body);
});

test('RFC 3261 §7.3.3: verbatim headers received in compact form are written with long names', () => {
  const s = serializeMessageToString(request({ headers: [{ name: 'k', value: '100rel' }, { name: 'o', value: 'presence' }, { name: 'X-Foo', value: 'bar' }] }));
  assert.match(s, /\r\nSupported: 100rel\r\nEvent: presence\r\nX-Foo: bar\r\n/);
});

test('RFC 3261 §7.3.1: verbatim headers keep their order and spelling', () => {
  const s = serializeMessageToString(request({ headers: [{ name: 'X-b', value: '1' }, { name: 'Allow', value: 'INVITE, ACK' }, { name: 'X-b', value: '2' }] }));
  assert.match(s, /X-b: 1\r\nAllow: INVITE, ACK\r\nX-b: 2\r\n/);
});

test('RFC 3261 §7.3.1: CR and LF inside values cannot inject headers', () => {
  const s = serializeMessageToString(request({ headers: [{ name: 'Subject', value: 'hi\r\nVia: evil' }] }));
  assert.match(s, /\r\nSubject: hi Via: evil\r\n/);
  const m = reparse(request({ headers: [{ name: 'Subject', value: 'hi\r\nVia: evil' }] }));
  assert.equal(m.via.length, 1);
});

test('RFC 3261 §19.1.2: the user part is escaped where it must be', () => {
  assert.equal(serializeUri(sipUri('b', { user: 'I have spaces' })), 'sip:I%20have%20spaces@b');
  assert.equal(serializeUri(sipUri('b', { user: 'a@b:c' })), 'sip:a%40b%3Ac@b');
  assert.equal(serializeUri(sipUri('b', { user: "user;par=u?x&y=z,w/+$-_.!~*'()" })), "sip:user;par=u?x&y=z,w/+$-_.!~*'()@b");
});

test('RFC 3261 §19.1.2: non-ASCII and control characters are escaped as UTF-8 octets', () => {
  assert.equal(serializeUri(sipUri('b', { user: 'Jürgen' })), 'sip:J%C3%BCrgen@b');
  assert.equal(serializeUri(sipUri('b', { user: '\x00' })), 'sip:%00@b');
  assert.equal(serializeUri(sipUri('b', { user: '100%' })), 'sip:100%25@b');
});

test('RFC 3261 §19.1.2: the password is escaped with its own set', () => {
  assert.equal(serializeUri(sipUri('b', { user: 'u', password: 'p:w;d' })), 'sip:u:p%3Aw%3Bd@b');
});

test('RFC 3261 §19.1.2: parameter and header names and values are escaped', () => {
  const u = sipUri('b', { params: new Map([['x y', 'a;b'], ['lr', null]]), headers: new Map([['subject', 'a&b=c'], ['to', 'x@y']]) });
  assert.equal(serializeUri(u), 'sip:b;x%20y=a%3Bb;lr?subject=a%26b%3Dc&to=x%40y');
});

test('RFC 3261 §19.1.1: port and IPv6 brackets are written (brackets added when missing)', () => {
  assert.equal(serializeUri(sipUri('[2001:db8::1]', { port: 5070 })), 'sip:[2001:db8::1]:5070');
  assert.equal(serializeUri(sipUri('2001:db8::1')), 'sip:[2001:db8::1]');
});

test('RFC 3966: tel URIs and other URIs serialise', () => {
  assert.equal(serializeUri({ scheme: 'tel', number: '+1-201-555-0123', params: new Map([['ext', '7']]) } as Uri), 'tel:+1-201-555-0123;ext=7');
  assert.equal(serializeUri({ scheme: 'urn', value: 'service:sos' }), 'urn:service:sos');
});

test('RFC 3261 §19.1.2: escaped URIs survive parse → serialise → parse', () => {
  for (const s of ['sip:sips%3Auser%40example.com@example.net', 'sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31', 'sip:user;par=u%40example.net@example.com', 'sips:%00@[::1]:5061;transport=tls?h=%3Cx%3E']) {
    const once = roundUri(s);
    assert.equal(roundUri(once), once);
  }
  assert.equal(roundUri('sip:%61lice@b'), 'sip:alice@b');
});

test('RFC 3261 §20.10: display names are quoted with " and \\ escaped', () => {
  assert.equal(serializeNameAddr({ displayName: 'A "B" \\ C', uri: sipUri('b'), params: new Map() }), '"A \\"B\\" \\\\ C" <sip:b>');
});

test('RFC 3261 §20.10: name-addrs are always written with "<>" so URI parameters stay in the URI', () => {
  const s = serializeNameAddr({ uri: sipUri('b', { params: new Map([['lr', null]]) }), params: new Map([['tag', 'x']]) });
  assert.equal(s, '<sip:b;lr>;tag=x');
});

test('RFC 3261 §25.1: header parameter values that are not tokens get quoted', () => {
  const s = serializeNameAddr({ uri: sipUri('b'), params: new Map([['a', 'has space'], ['b', '"kept"'], ['c', '[::1]'], ['d', '']]) });
  assert.equal(s, '<sip:b>;a="has space";b="kept";c=[::1];d=""');
});

test('RFC 3261 §20.42 / RFC 3581: Via with received, rport value and other parameters', () => {
  const v = serializeVia({ transport: 'TCP', host: '[2001:db8::9]', port: 5070, branch: 'z9hG4bKx', received: '192.0.2.1', rport: 5071, params: new Map([['alias', null]]) });
  assert.equal(v, 'SIP/2.0/TCP [2001:db8::9]:5070;branch=z9hG4bKx;rport=5071;received=192.0.2.1;alias');
});

test('RFC 7616 §3.4: credentials quote everything but algorithm, nc and qop', () => {
  const s = serializeAuthValue({ scheme: 'Digest', params: new Map([['username', 'bob'], ['realm', 'r'], ['nonce', 'n'], ['uri', 'sip:r'], ['response', 'abc'], ['algorithm', 'MD5'], ['cnonce', 'c'], ['qop', 'auth'], ['nc', '00000001'], ['opaque', 'o'], ['userhash', 'false']]) }, 'credentials');
  assert.equal(s, 'Digest username="bob", realm="r", nonce="n", uri="sip:r", response="abc", algorithm=MD5, cnonce="c", qop=auth, nc=00000001, opaque="o", userhash=false');
});

test('RFC 7616 §3.3: challenges quote qop, not stale, algorithm or charset', () => {
  const s = serializeAuthValue({ scheme: 'Digest', params: new Map([['realm', 'a"b'], ['qop', 'auth,auth-int'], ['nonce', 'n'], ['stale', 'true'], ['algorithm', 'SHA-256'], ['charset', 'UTF-8']]) }, 'challenge');
  assert.equal(s, 'Digest realm="a\\"b", qop="auth,auth-int", nonce="n", stale=true, algorithm=SHA-256, charset=UTF-8');
});

test('RFC 3261 §20.7 / §20.27: auth headers are written under their own names and parse back', () => {
  const ch = { scheme: 'Digest', params: new Map([['realm', 'x'], ['nonce', 'y'], ['qop', 'auth']]) };
  const m = request({ wwwAuthenticate: [ch], proxyAuthenticate: [ch], authorization: [ch], proxyAuthorization: [ch] });
  const s = serializeMessageToString(m);
  assert.match(s, /\r\nWWW-Authenticate: Digest realm="x", nonce="y", qop="auth"\r\n/);
  assert.match(s, /\r\nProxy-Authenticate: Digest/);
  assert.match(s, /\r\nAuthorization: Digest realm="x", nonce="y", qop=auth\r\n/);
  assert.match(s, /\r\nProxy-Authorization: Digest/);
  const back = reparse(m);
  assert.deepEqual(back.authorization, [ch]);
  assert.deepEqual(back.wwwAuthenticate, [ch]);
});

test('RFC 3261 §10.2.2: Contact * is written as is', () => {
  assert.match(serializeMessageToString(request({ contact: ['*'] })), /\r\nContact: \*\r\n/);
});

test('RFC 3261 §7: a serialised request parses back to the same message', () => {
  const m = request({
    route: [{ uri: sipUri('p1.example.com', { params: new Map([['lr', null]]) }), params: new Map() }],
    recordRoute: [{ uri: sipUri('p2.example.com', { params: new Map([['lr', null]]) }), params: new Map() }],
    contact: [{ uri: sipUri('192.0.2.4', { user: 'alice', port: 5060 }), params: new Map([['expires', '60']]) }],
    headers: [{ name: 'Allow', value: 'INVITE, ACK' }],
    contentType: 'application/sdp',
    body: new TextEncoder().encode('v=0\r\n'),
  });
  assert.deepEqual(reparse(m), m);
});

test('RFC 3261 §7: serializeMessageToString and serializeMessage agree', () => {
  const m = request({ body: new TextEncoder().encode('x'), contentType: 'text/plain' });
  assert.equal(new TextDecoder().decode(serializeMessage(m)), serializeMessageToString(m));
});
