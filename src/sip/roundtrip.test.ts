import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseMessage } from './parser.js';
import { serializeMessage } from './serializer.js';
import { canonicalHeaderName } from './message.js';
import type { AuthValue, ContactValue, Header, NameAddr, Params, SipMessage, SipUri, TelUri, Uri, Via } from './message.js';

// Arbitrary valid message structures, in the model's canonical form (parameter names
// lowercase, transports uppercase), with any text where the grammar allows any text once
// escaped or quoted (users, passwords, display names, quoted values, URI headers, bodies).

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const TOKEN_CHARS = ALNUM + "ABCDEFGHIJKLMNOPQRSTUVWXYZ-.!%*_+`'~";
const chars = (set: string, min = 1, max = 12): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...set.split('')), { minLength: min, maxLength: max }).map((a) => a.join(''));
const token = chars(TOKEN_CHARS);
const lowerToken = chars(ALNUM + '-.!%*_+`\'~');
/** Any text that a header line can carry: no CR or LF. */
const lineText = fc.string({ unit: 'binary', maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, ''));

const label = chars(ALNUM, 1, 8);
const hostname = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((a) => a.join('.'));
const ipv6 = fc.ipV6().map((a) => `[${a}]`);
const host = fc.oneof(hostname, ipv4, ipv6);
const port = fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined });

const uriParams: fc.Arbitrary<Params> = fc
  .array(fc.tuple(chars(ALNUM + '-_.!~*\'()[]/:&+$ ;%@'), fc.option(lineText, { nil: null })), { maxLength: 3 })
  .map((ps) => new Map(ps.map(([k, v]) => [k.toLowerCase(), v])));

const sipUriArb = (withHeaders: boolean): fc.Arbitrary<SipUri> =>
  fc.record({
    scheme: fc.constantFrom('sip' as const, 'sips' as const),
    user: fc.option(fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), { nil: undefined }),
    password: fc.option(fc.string({ unit: 'binary', maxLength: 8 }), { nil: undefined }),
    host,
    port,
    params: uriParams,
    headers: withHeaders
      ? fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 6 }), lineText), { maxLength: 2 }).map((h) => new Map(h))
      : fc.constant(new Map<string, string>()),
  }).map((u) => {
    const out: SipUri = { scheme: u.scheme, host: u.host, params: u.params, headers: u.headers };
    if (u.user !== undefined) {
      out.user = u.user;
      if (u.password !== undefined) out.password = u.password;
    }
    if (u.port !== undefined) out.port = u.port;
    return out;
  });

const telUri: fc.Arbitrary<TelUri> = fc.record({
  number: chars('0123456789-+.', 1, 15),
  params: uriParams,
}).map((t) => ({ scheme: 'tel', number: t.number, params: t.params }));

const otherUri: fc.Arbitrary<Uri> = fc.record({
  scheme: chars('abcdefghijklmnopqrsuvwxyz', 2, 6).filter((s) => s !== 'sip' && s !== 'sips' && s !== 'tel'),
  value: chars(ALNUM + ':/@.;=?&%-_', 1, 20),
}).map((u) => ({ scheme: u.scheme, value: u.value }));

const anyUri = (withHeaders: boolean): fc.Arbitrary<Uri> => fc.oneof({ weight: 4, arbitrary: sipUriArb(withHeaders) }, telUri, otherUri);

/** Header parameter values: a token, a host, or any text (the serialiser quotes it). */
const headerParams: fc.Arbitrary<Params> = fc
  .array(fc.tuple(lowerToken, fc.option(fc.oneof(token, ipv6, lineText.filter((s) => s.length > 0)), { nil: null })), { maxLength: 3 })
  .map((ps) => new Map(ps));

const nameAddr: fc.Arbitrary<NameAddr> = fc.record({
  displayName: fc.option(lineText, { nil: undefined }),
  uri: anyUri(true),
  params: headerParams,
}).map((n) => {
  const out: NameAddr = { uri: n.uri, params: n.params };
  if (n.displayName !== undefined) out.displayName = n.displayName;
  return out;
});

const via: fc.Arbitrary<Via> = fc.record({
  transport: fc.constantFrom('UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS', 'FOO'),
  host,
  port,
  branch: fc.option(token.map((t) => 'z9hG4bK' + t), { nil: undefined }),
  received: fc.option(fc.oneof(ipv4, fc.ipV6()), { nil: undefined }),
  rport: fc.option(fc.oneof(fc.constant(true as const), fc.integer({ min: 0, max: 65535 })), { nil: undefined }),
  params: fc.array(fc.tuple(lowerToken.filter((k) => k !== 'branch' && k !== 'received' && k !== 'rport'), fc.option(token, { nil: null })), { maxLength: 2 }).map((p) => new Map(p)),
}).map((v) => {
  const out: Via = { transport: v.transport, host: v.host, params: v.params };
  if (v.port !== undefined) out.port = v.port;
  if (v.branch !== undefined) out.branch = v.branch;
  if (v.received !== undefined) out.received = v.received;
  if (v.rport !== undefined) out.rport = v.rport;
  return out;
});

const TOKEN_VALUED = ['algorithm', 'stale', 'nc', 'charset', 'userhash'];
const authValue: fc.Arbitrary<AuthValue> = fc.record({
  scheme: fc.oneof(fc.constant('Digest'), token.filter((t) => t.toLowerCase() !== 'digest')),
  params: fc.array(fc.tuple(lowerToken.filter((k) => k !== 'qop'), lineText), { minLength: 1, maxLength: 5 }),
  tokenParams: fc.array(fc.tuple(fc.constantFrom(...TOKEN_VALUED), token), { maxLength: 2 }),
}).map((a) => ({ scheme: a.scheme, params: new Map([...a.params, ...a.tokenParams]) }));

const RESERVED = new Set(['via', 'v', 'from', 'f', 'to', 't', 'call-id', 'i', 'cseq', 'contact', 'm', 'max-forwards', 'route',
  'record-route', 'content-type', 'c', 'content-length', 'l', 'www-authenticate', 'proxy-authenticate', 'authorization', 'proxy-authorization']);
const header: fc.Arbitrary<Header> = fc.record({
  name: token.filter((n) => !RESERVED.has(n.toLowerCase())),
  value: lineText.map((v) => v.replace(/^[ \t]+|[ \t]+$/g, '')),
});

const contact: fc.Arbitrary<ContactValue[]> = fc.oneof(
  { weight: 5, arbitrary: fc.array(nameAddr, { maxLength: 3 }).map((l): ContactValue[] => l) },
  fc.constant<ContactValue[]>(['*']),
);

const common = fc.record({
  via: fc.array(via, { minLength: 1, maxLength: 3 }),
  from: nameAddr,
  to: nameAddr,
  callId: fc.tuple(token, fc.option(token, { nil: undefined })).map(([a, b]) => (b === undefined ? a : `${a}@${b}`)),
  seq: fc.integer({ min: 0, max: 0xffffffff }),
  maxForwards: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
  contact,
  route: fc.array(nameAddr, { maxLength: 2 }),
  recordRoute: fc.array(nameAddr, { maxLength: 2 }),
  contentType: fc.option(fc.tuple(lowerToken, lowerToken).map(([a, b]) => `${a}/${b}`), { nil: undefined }),
  wwwAuthenticate: fc.array(authValue, { maxLength: 1 }),
  proxyAuthenticate: fc.array(authValue, { maxLength: 1 }),
  authorization: fc.array(authValue, { maxLength: 1 }),
  proxyAuthorization: fc.array(authValue, { maxLength: 1 }),
  headers: fc.array(header, { maxLength: 4 }),
  body: fc.uint8Array({ maxLength: 64 }),
});

const message: fc.Arbitrary<SipMessage> = fc.oneof(
  fc.record({ c: common, method: token, uri: anyUri(false) }).map(({ c, method, uri }) => ({
    type: 'request' as const, method, uri, ...rest(c), cseq: { seq: c.seq, method },
  })),
  fc.record({ c: common, status: fc.integer({ min: 100, max: 699 }), reason: lineText, method: token }).map(({ c, status, reason, method }) => ({
    type: 'response' as const, status, reason, ...rest(c), cseq: { seq: c.seq, method },
  })),
);

function rest(c: typeof common extends fc.Arbitrary<infer T> ? T : never) {
  const { seq: _seq, ...others } = c;
  return others;
}

test('RFC 3261 §7 (property): serialise → parse → serialise gives the same bytes', () => {
  fc.assert(
    fc.property(message, (m) => {
      const once = serializeMessage(m);
      const r = parseMessage(once);
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}\n${new TextDecoder().decode(once)}`);
      const twice = serializeMessage(r.value);
      assert.deepEqual(twice, once);
    }),
    { numRuns: 1500, seed: 4475 },
  );
});

test('RFC 3261 §7 (property): parsing a serialised message preserves the typed fields', () => {
  fc.assert(
    fc.property(message, (m) => {
      const r = parseMessage(serializeMessage(m));
      assert.ok(r.ok);
      if (!r.ok) return;
      assert.equal(r.value.callId, m.callId);
      assert.deepEqual(r.value.cseq, m.cseq);
      assert.equal(r.value.via.length, m.via.length);
      assert.deepEqual(r.value.via.map((v) => v.branch), m.via.map((v) => v.branch));
      assert.deepEqual(r.value.body, m.body);
      // Compact names come back in their long form (the serialiser writes long names).
      const norm = (hs: Header[]): string[][] => hs.map((h) => [canonicalHeaderName(h.name), h.value]);
      assert.deepEqual(norm(r.value.headers), norm(m.headers));
      assert.equal(r.value.contact.length, m.contact.length);
    }),
    { numRuns: 500, seed: 3261 },
  );
});
