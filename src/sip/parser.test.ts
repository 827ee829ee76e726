import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseMessage } from './parser.js';
import type { SipParseError } from './parser.js';
import type { NameAddr, SipMessage, SipRequest, SipResponse, SipUri, Uri } from './message.js';
import { getHeader } from './message.js';

const vector = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../../test/vectors/rfc4475/${name}.sip`, import.meta.url)));

function ok(input: Uint8Array | string): SipMessage {
  const r = parseMessage(input);
  if (!r.ok) assert.fail(`expected a parse, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}
function okReq(input: Uint8Array | string): SipRequest {
  const m = ok(input);
  assert.equal(m.type, 'request');
  return m as SipRequest;
}
function okRes(input: Uint8Array | string): SipResponse {
  const m = ok(input);
  assert.equal(m.type, 'response');
  return m as SipResponse;
}
function err(input: Uint8Array | string, code: string): SipParseError {
  const r = parseMessage(input);
  if (r.ok) assert.fail(`expected error ${code}, got a parse`);
  assert.equal(r.error.code, code, r.error.message);
  assert.ok(r.error.message.length > 0);
  return r.error;
}
const sip = (u: Uri): SipUri => {
  assert.ok(u.scheme === 'sip' || u.scheme === 'sips', `not a SIP URI: ${u.scheme}`);
  return u as SipUri;
};
const addr = (na: NameAddr | '*' | undefined): NameAddr => {
  assert.ok(na !== undefined && na !== '*');
  return na;
};
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

const BASE = [
  'Via: SIP/2.0/UDP host.example.com;branch=z9hG4bK74bf9',
  'From: <sip:alice@example.com>;tag=9fxced76sl',
  'To: <sip:bob@example.com>',
  'Call-ID: 3848276298220188511@example.com',
  'CSeq: 1 OPTIONS',
];
/** An OPTIONS request with the five mandatory headers, `extra` headers and `body`. */
function options(extra: string[] = [], body = '', start = 'OPTIONS sip:bob@example.com SIP/2.0', base = BASE): string {
  return [start, ...base, ...extra].join('\r\n') + '\r\n\r\n' + body;
}
function response(extra: string[] = [], start = 'SIP/2.0 200 OK'): string {
  return [start, ...BASE, ...extra].join('\r\n') + '\r\n\r\n';
}

// ---------------------------------------------------------------- RFC 4475 §3.1.1 valid

test('RFC 4475 §3.1.1.1: a short tortuous INVITE parses (folding, LWS everywhere, compact forms)', () => {
  const m = okReq(vector('wsinv'));
  assert.equal(m.method, 'INVITE');
  assert.equal(m.maxForwards, 42);
  assert.deepEqual(m.cseq, { seq: 17, method: 'INVITE' });
  assert.equal(m.callId, 'wsinv.vcxq83@192.0.2.4');
  assert.equal(m.to.params.get('tag'), '8321234356');
  assert.equal(sip(m.to.uri).user, 'carol');
  assert.equal(m.from.displayName, 'Dave \\ "the brave"');
  assert.equal(m.from.params.get('tag'), '73ahsd8');
  assert.equal(m.via.length, 3);
  assert.deepEqual(m.via.map((v) => [v.transport, v.host, v.branch]), [
    ['UDP', '192.0.2.4', 'z9hG4bKkdjuw23'],
    ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
    ['UDP', '192.168.255.111', 'z9hG4bK30239'],
  ]);
  assert.equal(m.route.length, 1);
  assert.equal(sip(m.route[0]!.uri).params.get('unknownwith'), 'value');
  assert.equal(sip(m.route[0]!.uri).params.get('unknown-no-value'), null);
  const c = addr(m.contact[0]);
  assert.equal(c.displayName, 'Quoted string ""');
  assert.equal(c.params.get('newparam'), 'newvalue');
  assert.equal(c.params.get('secondparam'), null);
  assert.equal(c.params.get('q'), '0.33');
  assert.equal(m.contentType, 'application/sdp');
  assert.equal(getHeader(m, 'NewFangledHeader'), 'newfangled value continued newfangled value');
  assert.equal(getHeader(m, 'UnknownHeaderWithUnusualValue'), ';;,,;;,;');
  assert.equal(getHeader(m, 'subject'), '');
  assert.ok(text(m.body).startsWith('v=0\r\n'));
});

test('RFC 4475 §3.1.1.2: a wide range of valid characters parses', () => {
  const m = okReq(vector('intmeth'));
  assert.equal(m.method, "!interesting-Method0123456789_*+`.%indeed'~");
  assert.equal(m.cseq.method, m.method);
  const u = sip(m.uri);
  assert.equal(u.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  assert.equal(u.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  assert.equal(m.to.displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f');
  assert.equal(m.from.displayName, "token1~` token2'+_ token3*%!.-");
  assert.equal(m.from.params.get("fromparam''~+*_!.-%"), '"работающий"');
  assert.equal(m.from.params.get('tag'), "_token~1'+`*%!-.");
  assert.equal(m.callId, 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
  assert.equal(m.via[0]!.branch, "z9hG4bK-.!%66*_+`'~");
  assert.equal(m.headers[0]!.name, "extensionHeader-!.%*+_`'~");
  assert.equal(m.headers[0]!.value, '\ufeff大停電');
});

test('RFC 4475 §3.1.1.3: valid %-escapes are undone in user, parameter names and values', () => {
  const m = okReq(vector('esc01'));
  const u = sip(m.uri);
  assert.equal(u.user, 'sips:user@example.com');
  assert.equal(u.host, 'example.net');
  assert.equal(sip(m.to.uri).user, 'user');
  assert.equal(sip(m.from.uri).user, 'I have spaces');
  const c = sip(addr(m.contact[0]).uri);
  assert.equal(c.user, 'caller');
  assert.equal(c.params.get('lr'), null);
  assert.equal(c.params.get('name'), 'value%41');
  assert.equal(m.contentType, 'application/sdp');
});

test('RFC 4475 §3.1.1.4: escaped NULs in URIs parse', () => {
  const m = okReq(vector('escnull'));
  assert.equal(sip(m.to.uri).user, 'null-\x00-null');
  assert.equal(sip(addr(m.contact[0]).uri).user, '\x00');
  assert.equal(sip(addr(m.contact[1]).uri).user, '\x00\x00');
});

test('RFC 4475 §3.1.1.5: "%" that is not an escape is kept in method, display name and header name', () => {
  const m = okReq(vector('esc02'));
  assert.equal(m.method, 'RE%47IST%45R');
  assert.equal(m.to.displayName, '%Z%45');
  assert.equal(m.via[0]!.branch, 'z9hG4bK209%fzsnel234');
  assert.equal(m.contact.length, 2);
  assert.equal(getHeader(m, 'C%6Fntact'), '<sip:alias2@host2.example.com>');
});

test('RFC 4475 §3.1.1.6: no LWS between display name and "<" parses', () => {
  const m = okReq(vector('lwsdisp'));
  assert.equal(m.from.displayName, 'caller');
  assert.equal(sip(m.from.uri).user, 'caller');
});

test('RFC 4475 §3.1.1.7: long values in header fields parse', () => {
  const m = okReq(vector('longreq'));
  assert.equal(m.via.length, 39);
  assert.ok(m.to.displayName!.length > 400);
  assert.equal(sip(m.to.uri).port, 6000);
  assert.ok(sip(m.from.uri).user!.length > 600);
  assert.equal(m.from.params.get('tag'), '12982424');
  assert.ok(m.headers.some((h) => h.name.startsWith('Unknown-LLL')));
});

test('RFC 4475 §3.1.1.8 / RFC 3261 §18.3: octets after Content-Length in a datagram are discarded', () => {
  const m = okReq(vector('dblreq'));
  assert.equal(m.method, 'REGISTER');
  assert.equal(m.body.length, 0);
  assert.equal(m.callId, 'dblreq.0ha0isndaksdj99sdfafnl3lk233412');
});

test('RFC 4475 §3.1.1.9: semicolons in the URI user part stay in the user', () => {
  const m = okReq(vector('semiuri'));
  const u = sip(m.uri);
  assert.equal(u.user, 'user;par=u@example.net');
  assert.equal(u.host, 'example.com');
  assert.equal(u.params.size, 0);
  assert.equal(getHeader(m, 'Accept'), 'application/sdp, application/pkcs7-mime, multipart/mixed, multipart/signed, message/sip, message/sipfrag');
});

test('RFC 4475 §3.1.1.10: varied and unknown Via transports parse', () => {
  const m = okReq(vector('transports'));
  assert.deepEqual(m.via.map((v) => v.transport), ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
});

test('RFC 4475 §3.1.1.11: a multipart body with every byte value arrives intact', () => {
  const m = okReq(vector('mpart01'));
  assert.equal(m.contentType, 'multipart/mixed;boundary=boundary42');
  const all = new Uint8Array(256).map((_, i) => i);
  const at = m.body.findIndex((_, i) => m.body[i] === 0 && m.body[i + 1] === 1 && m.body[i + 255] === 255);
  assert.ok(at > 0);
  assert.deepEqual(m.body.subarray(at, at + 256), all);
});

test('RFC 4475 §3.1.1.12: an unusual UTF-8 reason phrase parses', () => {
  const m = okRes(vector('unreason'));
  assert.equal(m.status, 200);
  assert.equal(m.reason, '= 2**3 * 5**2 но сто девяносто девять - простое');
  assert.equal(sip(addr(m.contact[0]).uri).host, 'example.edu');
});

test('RFC 4475 §3.1.1.13: an empty reason phrase parses', () => {
  const m = okRes(vector('noreason'));
  assert.equal(m.status, 100);
  assert.equal(m.reason, '');
});

// ---------------------------------------------------------------- RFC 4475 §3.1.2 invalid

test('RFC 4475 §3.1.2.1: extraneous header field separators are rejected', () => {
  const e = err(vector('badinv01'), 'bad-header');
  assert.equal(e.header, 'Via');
});

test('RFC 4475 §3.1.2.2: Content-Length larger than the message is rejected with a partial for 400', () => {
  const e = err(vector('clerr'), 'bad-content-length');
  assert.equal(e.partial?.callId, 'clerr.0ha0isndaksdjweiafasdk3');
  assert.equal(e.partial?.method, 'INVITE');
});

test('RFC 4475 §3.1.2.3: a negative Content-Length is rejected', () => {
  const e = err(vector('ncl'), 'bad-content-length');
  assert.match(e.message, /-999/);
  assert.ok(e.partial);
});

test('RFC 4475 §3.1.2.4: request scalar fields with overlarge values are rejected', () => {
  const e = err(vector('scalar02'), 'bad-header');
  assert.equal(e.header, 'CSeq');
});

test('RFC 4475 §3.1.2.4: Max-Forwards above 255 is rejected even when CSeq is fine', () => {
  const e = err(options(['Max-Forwards: 300']), 'bad-header');
  assert.equal(e.header, 'Max-Forwards');
  assert.ok(e.partial);
});

test('RFC 4475 §3.1.2.5: response scalar fields with overlarge values are rejected', () => {
  const e = err(vector('scalarlg'), 'bad-header');
  assert.equal(e.header, 'CSeq');
  assert.equal(e.partial, undefined);
});

test('RFC 4475 §3.1.2.6: an unterminated quoted display name is rejected', () => {
  const e = err(vector('quotbal'), 'bad-header');
  assert.equal(e.header, 'To');
  assert.match(e.message, /unterminated/);
});

test('RFC 4475 §3.1.2.7: "<>" around the Request-URI is rejected', () => {
  const e = err(vector('ltgtruri'), 'bad-uri');
  assert.ok(e.partial);
  assert.equal(e.partial.uri, undefined);
});

test('RFC 4475 §3.1.2.8: LWS inside the Request-URI is rejected', () => {
  err(vector('lwsruri'), 'bad-start-line');
});

test('RFC 4475 §3.1.2.9: several SP between Request-Line elements are rejected', () => {
  err(vector('lwsstart'), 'bad-start-line');
});

test('RFC 4475 §3.1.2.10: SP characters at the end of the Request-Line are rejected', () => {
  err(vector('trws'), 'bad-start-line');
});

test('RFC 4475 §3.1.2.11: escaped headers in the Request-URI are rejected (RFC 3261 §19.1.1)', () => {
  const e = err(vector('escruri'), 'bad-uri');
  assert.ok(e.partial);
});

test('RFC 4475 §3.1.2.12: an invalid Date time zone does not stop parsing (Date is verbatim)', () => {
  const m = okReq(vector('baddate'));
  assert.equal(getHeader(m, 'date'), 'Fri, 01 Jan 2010 16:00:00 EST');
});

test('RFC 4475 §3.1.2.13 / RFC 3261 §20.10: an addr-spec Contact with "?" outside "<>" is rejected', () => {
  const e = err(vector('regbadct'), 'bad-header');
  assert.equal(e.header, 'Contact');
  assert.ok(e.partial);
});

test('RFC 4475 §3.1.2.14: spaces within an addr-spec are rejected', () => {
  const e = err(vector('badaspec'), 'bad-header');
  assert.equal(e.header, 'From');
});

test('RFC 4475 §3.1.2.15: non-token characters in an unquoted display name are rejected', () => {
  const e = err(vector('baddn'), 'bad-header');
  assert.equal(e.header, 'From');
});

test('RFC 4475 §3.1.2.16: an unknown protocol version is reported as bad-version with a partial for 505', () => {
  const e = err(vector('badvers'), 'bad-version');
  assert.equal(e.version, 'SIP/7.0');
  assert.equal(e.partial?.method, 'OPTIONS');
  assert.equal(e.partial?.callId, 'badvers.31417@c.example.com');
  assert.equal(e.partial?.from?.params.get('tag'), 'qweoiqpe');
  assert.equal(e.partial?.via?.length, 1);
});

test('RFC 4475 §3.1.2.17: a CSeq method that differs from the request method is rejected', () => {
  const e = err(vector('mismatch01'), 'bad-header');
  assert.equal(e.header, 'CSeq');
  assert.equal(e.partial?.cseq?.method, 'INVITE');
});

test('RFC 4475 §3.1.2.18: an unknown method with a mismatched CSeq method is rejected', () => {
  const e = err(vector('mismatch02'), 'bad-header');
  assert.equal(e.partial?.method, 'NEWMETHOD');
});

test('RFC 4475 §3.1.2.19: an overlarge response code is rejected', () => {
  err(vector('bigcode'), 'bad-start-line');
});

// ------------------------------------------------ RFC 4475 §3.2 - §3.4 (where parsing is concerned)

test('RFC 4475 §3.2.1: a branch without anything after the magic cookie still parses', () => {
  const m = okReq(vector('badbranch'));
  assert.equal(m.via[0]!.branch, 'z9hG4bK');
});

test('RFC 4475 §3.3.1: missing required header fields are reported', () => {
  const e = err(vector('insuf'), 'missing-header');
  assert.equal(e.header, 'From');
  assert.equal(e.partial, undefined);
});

test('RFC 4475 §3.3.2: a Request-URI with an unknown scheme parses as an opaque URI (UAS answers 416)', () => {
  const m = okReq(vector('unkscm'));
  assert.deepEqual(m.uri, { scheme: 'nobodyknowsthisscheme', value: 'totallyopaquecontent' });
});

test('RFC 4475 §3.3.3: a known but atypical scheme parses', () => {
  const m = okReq(vector('novelsc'));
  assert.equal(m.uri.scheme, 'soap.beep');
});

test('RFC 4475 §3.3.4: unknown URI schemes in To, From and Contact parse', () => {
  const m = okReq(vector('unksm2'));
  assert.deepEqual(m.to.uri, { scheme: 'isbn', value: '2983792873' });
  assert.deepEqual(m.from.uri, { scheme: 'http', value: '//www.example.com' });
  assert.equal(m.from.params.get('tag'), '3234233');
  assert.equal(addr(m.contact[0]).uri.scheme, 'name');
});

test('RFC 4475 §3.3.5: unknown Require and Proxy-Require values are kept verbatim', () => {
  const m = okReq(vector('bext01'));
  assert.equal(getHeader(m, 'proxy-require'), 'noProxiesSupportThis, norDoAnyProxiesSupportThis');
  assert.equal(m.via[0]!.transport, 'TLS');
});

test('RFC 4475 §3.3.6: an unknown Content-Type parses with its body', () => {
  const m = okReq(vector('invut'));
  assert.equal(m.contentType, 'application/unknownformat');
  assert.match(text(m.body), /<audio>/);
});

test('RFC 4475 §3.3.7: an unknown authorization scheme parses', () => {
  const m = okReq(vector('regaut01'));
  assert.equal(m.authorization[0]!.scheme, 'NoOneKnowsThisScheme');
  assert.equal(m.authorization[0]!.params.get('opaque-data'), 'here');
});

test('RFC 4475 §3.3.8: several values in single-value header fields are rejected', () => {
  const e = err(vector('multi01'), 'bad-header');
  assert.match(e.message, /more than one/);
  assert.ok(e.partial);
});

test('RFC 4475 §3.3.9: several Content-Length values are rejected', () => {
  err(vector('mcl01'), 'bad-content-length');
});

test('RFC 4475 §3.3.10: a response with a broadcast Via address parses', () => {
  const m = okRes(vector('bcast'));
  assert.equal(m.via[1]!.host, '255.255.255.255');
});

test('RFC 4475 §3.3.11: Max-Forwards of zero parses as 0', () => {
  assert.equal(okReq(vector('zeromf')).maxForwards, 0);
});

test('RFC 4475 §3.3.12 / RFC 3261 §20.10: in an addr-spec Contact the parameter is a header parameter', () => {
  const c = addr(okReq(vector('cparam01')).contact[0]);
  assert.equal(c.params.get('unknownparam'), null);
  assert.equal(sip(c.uri).params.size, 0);
  assert.equal(sip(c.uri).user, '+19725552222');
});

test('RFC 4475 §3.3.13: in a bracketed Contact the parameter is a URI parameter', () => {
  const c = addr(okReq(vector('cparam02')).contact[0]);
  assert.equal(c.params.size, 0);
  assert.equal(sip(c.uri).params.get('unknownparam'), null);
});

test('RFC 4475 §3.3.14: a Contact URI with an escaped Route header parses and unescapes', () => {
  const c = addr(okReq(vector('regescrt')).contact[0]);
  assert.equal(sip(c.uri).headers.get('Route'), '<sip:sip.example.com>');
});

test('RFC 4475 §3.3.15: an INVITE whose Accept excludes its body parses', () => {
  const m = okReq(vector('sdp01'));
  assert.equal(getHeader(m, 'accept'), 'text/nobodyKnowsThis');
});

test('RFC 4475 §3.4.1: an INVITE in RFC 2543 syntax (no branch, no tags) parses', () => {
  const m = okReq(vector('inv2543'));
  assert.equal(m.via[0]!.branch, undefined);
  assert.equal(m.from.params.get('tag'), undefined);
  assert.equal(m.maxForwards, undefined);
});

test('RFC 5118 §4.1/§4.5: IPv6 references in Request-URI, Via and Contact parse; received without brackets', () => {
  const m = okReq(vector('ipv6'));
  assert.equal(sip(m.uri).host, '[2001:db8::10]');
  assert.equal(m.via[0]!.host, '[2001:db8::9:1]');
  assert.equal(m.via[0]!.received, '2001:db8::9:255');
  assert.equal(m.via[0]!.rport, 5060);
  const c = sip(addr(m.contact[0]).uri);
  assert.equal(c.host, '[2001:db8::1]');
  assert.equal(c.port, 5070);
});

test('RFC 5118 §4.2: an IPv6 address without brackets in the Request-URI is rejected', () => {
  err(vector('ipv6bad'), 'bad-uri');
});

// ---------------------------------------------------------------- RFC 3261 grammar points

test('RFC 3261 §7.1: a minimal request parses into typed fields', () => {
  const m = okReq(options());
  assert.equal(m.method, 'OPTIONS');
  assert.equal(sip(m.uri).user, 'bob');
  assert.equal(m.via[0]!.branch, 'z9hG4bK74bf9');
  assert.equal(m.from.params.get('tag'), '9fxced76sl');
  assert.equal(m.callId, '3848276298220188511@example.com');
  assert.deepEqual(m.cseq, { seq: 1, method: 'OPTIONS' });
  assert.deepEqual(m.headers, []);
  assert.equal(m.body.length, 0);
});

test('RFC 3261 §7.2: a status line parses into status and reason', () => {
  const m = okRes(response([], 'SIP/2.0 486 Busy Here'));
  assert.equal(m.status, 486);
  assert.equal(m.reason, 'Busy Here');
});

test('RFC 3261 §7.2: a status line without the SP before an empty reason is tolerated', () => {
  const m = okRes(response([], 'SIP/2.0 180'));
  assert.equal(m.reason, '');
});

test('RFC 3261 §7.2: a status code outside 100-699 is rejected', () => {
  err(response([], 'SIP/2.0 099 Low'), 'bad-start-line');
  err(response([], 'SIP/2.0 700 High'), 'bad-start-line');
  err(response([], 'SIP/2.0 20 Short'), 'bad-start-line');
});

test('RFC 3261 §7.2: a response with version SIP/3.0 is bad-version without a partial', () => {
  const e = err(response([], 'SIP/3.0 200 OK'), 'bad-version');
  assert.equal(e.version, 'SIP/3.0');
  assert.equal(e.partial, undefined);
});

test('RFC 3261 §7.1: a request with SIP/3.0 is bad-version with a partial so the UAS can answer 505', () => {
  const e = err(options([], '', 'OPTIONS sip:bob@example.com SIP/3.0'), 'bad-version');
  assert.equal(e.version, 'SIP/3.0');
  assert.equal(e.partial?.type, 'request');
  assert.equal(e.partial?.cseq?.seq, 1);
  assert.equal(sip(e.partial!.uri!).user, 'bob');
});

test('RFC 3261 §7.1: the SIP-Version is case-insensitive ("sip/2.0")', () => {
  okReq(options([], '', 'OPTIONS sip:bob@example.com sip/2.0'));
});

test('RFC 3261 §7.1: a malformed version such as SIP/2 is a bad start line', () => {
  err(options([], '', 'OPTIONS sip:bob@example.com SIP/2'), 'bad-start-line');
  err(options([], '', 'OPTIONS sip:bob@example.com HTTP/1.1'), 'bad-start-line');
});

test('RFC 3261 §7.1: a start line that is not SIP at all is rejected', () => {
  err('hello\r\n\r\n', 'bad-start-line');
  err('GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'bad-start-line');
});

test('RFC 3261 §25.1: a method that is not a token is rejected', () => {
  err(options([], '', 'OPT(IONS sip:bob@example.com SIP/2.0'), 'bad-start-line');
});

test('RFC 3261 §7.5: CRLFs before the start line are ignored', () => {
  okReq('\r\n\r\n' + options());
});

test('RFC 3261 §7.5: only CRLFs (a keep-alive) is reported as empty', () => {
  err('\r\n\r\n', 'empty');
  err('', 'empty');
  err(new Uint8Array(0), 'empty');
});

test('RFC 3261 §7.3.1: header names are case-insensitive', () => {
  const m = okReq(['OPTIONS sip:bob@example.com SIP/2.0', 'VIA: SIP/2.0/UDP h;branch=z9hG4bK1', 'fRoM: <sip:a@b>;tag=1', 'tO: <sip:c@d>', 'CALL-id: x', 'cSeQ: 2 OPTIONS', 'mAx-FoRwArDs: 9'].join('\r\n') + '\r\n\r\n');
  assert.equal(m.maxForwards, 9);
  assert.equal(m.cseq.seq, 2);
});

test('RFC 3261 §7.3.1: whitespace before and after the colon is allowed', () => {
  const m = okReq(options(['Subject   :    lunch   ']));
  assert.equal(getHeader(m, 'subject'), 'lunch');
});

test('RFC 3261 §7.3.1: a folded header value collapses to one SP per fold', () => {
  const m = okReq(options(['Subject: first\r\n  second\r\n\tthird']));
  assert.equal(getHeader(m, 'subject'), 'first second third');
});

test('RFC 3261 §7.3.1: a folded Via with a line break before the branch parses', () => {
  const m = okReq(options([], '', undefined, ['Via: SIP/2.0/UDP h.example.com\r\n ;branch=z9hG4bKfold', ...BASE.slice(1)]));
  assert.equal(m.via[0]!.branch, 'z9hG4bKfold');
});

test('RFC 3261 §7.3.1: an empty header value is kept', () => {
  assert.equal(getHeader(okReq(options(['X-Empty:'])), 'x-empty'), '');
});

test('RFC 3261 §7.3.1: a header line without a colon is rejected with its position', () => {
  const e = err(options(['This is not a header']), 'bad-header');
  assert.equal(typeof e.offset, 'number');
  assert.ok(e.partial);
});

test('RFC 3261 §7.3.1: a header name with a space inside is rejected', () => {
  err(options(['Bad Name: value']), 'bad-header');
});

test('RFC 3261 §7.3.1: unknown headers are kept verbatim, in order, with their names as received', () => {
  const m = okReq(options(['X-B: 2', 'x-a: 1', 'Allow: INVITE, ACK', 'X-B: 3']));
  assert.deepEqual(m.headers, [
    { name: 'X-B', value: '2' }, { name: 'x-a', value: '1' }, { name: 'Allow', value: 'INVITE, ACK' }, { name: 'X-B', value: '3' },
  ]);
});

test('RFC 3261 §7.3.1: several Via values on one line split into several Vias', () => {
  const m = okReq(options([], '', undefined, ['Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com:5070;branch=z9hG4bK2', ...BASE.slice(1)]));
  assert.deepEqual(m.via.map((v) => [v.host, v.port, v.branch]), [['a.example.com', undefined, 'z9hG4bK1'], ['b.example.com', 5070, 'z9hG4bK2']]);
});

test('RFC 3261 §7.3.1: Vias on separate lines and on one line keep their order', () => {
  const m = okReq(options([], '', undefined, ['Via: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2', 'Via: SIP/2.0/UDP c;branch=z9hG4bK3', ...BASE.slice(1)]));
  assert.deepEqual(m.via.map((v) => v.host), ['a', 'b', 'c']);
});

test('RFC 3261 §7.3.1: several Contact values on one line, commas inside quotes and brackets respected', () => {
  const m = okReq(options(['Contact: "Doe, John" <sip:j,k@a.example.com;x=1>;q=0.7, <sip:k@b.example.com>;expires=60']));
  assert.equal(m.contact.length, 2);
  assert.equal(addr(m.contact[0]).displayName, 'Doe, John');
  assert.equal(sip(addr(m.contact[0]).uri).user, 'j,k');
  assert.equal(addr(m.contact[1]).params.get('expires'), '60');
});

test('RFC 3261 §7.3.1: several Route values on one line and on several lines', () => {
  const m = okReq(options(['Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>', 'Route: <sip:p3.example.com;lr>']));
  assert.deepEqual(m.route.map((r) => sip(r.uri).host), ['p1.example.com', 'p2.example.com', 'p3.example.com']);
  assert.equal(sip(m.route[0]!.uri).params.get('lr'), null);
});

test('RFC 3261 §20.30: Record-Route values parse into name-addrs', () => {
  const m = okRes(response(['Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>']));
  assert.deepEqual(m.recordRoute.map((r) => sip(r.uri).host), ['p2.example.com', 'p1.example.com']);
});

test('RFC 3261 §7.3.1: an empty element in a Contact list is rejected', () => {
  err(options(['Contact: <sip:a@b>, ']), 'bad-header');
  err(options(['Contact: <sip:a@b>,,<sip:c@d>']), 'bad-header');
});

test('RFC 3261 §7.3.3: compact forms i m f t v l c map to their headers', () => {
  const m = okReq(['INVITE sip:bob@example.com SIP/2.0', 'v: SIP/2.0/UDP h;branch=z9hG4bK1', 'f: <sip:a@b>;tag=1', 't: <sip:c@d>', 'i: cid', 'CSeq: 1 INVITE', 'm: <sip:a@10.0.0.1>', 'c: text/plain', 'l: 2', 'k: 100rel', 's: hi'].join('\r\n') + '\r\n\r\nhi');
  assert.equal(m.callId, 'cid');
  assert.equal(m.contentType, 'text/plain');
  assert.equal(text(m.body), 'hi');
  assert.equal(sip(addr(m.contact[0]).uri).host, '10.0.0.1');
  assert.deepEqual(m.headers, [{ name: 'k', value: '100rel' }, { name: 's', value: 'hi' }]);
  assert.equal(getHeader(m, 'supported'), '100rel');
});

test('RFC 3261 §8.1.1: each missing mandatory header is named', () => {
  for (let i = 0; i < BASE.length; i++) {
    const base = BASE.filter((_, j) => j !== i);
    const e = err(options([], '', undefined, base), 'missing-header');
    assert.equal(e.header, ['Via', 'From', 'To', 'Call-ID', 'CSeq'][i]);
  }
});

test('RFC 3261 §8.1.1: a response without Via is rejected too', () => {
  const r = parseMessage(['SIP/2.0 200 OK', ...BASE.slice(1)].join('\r\n') + '\r\n\r\n');
  assert.equal(r.ok, false);
});

test('RFC 3261 §8.1.1.5: CSeq method must match the request method (ACK included)', () => {
  err(options([], '', 'ACK sip:bob@example.com SIP/2.0'), 'bad-header');
  okReq(options([], '', 'ACK sip:bob@example.com SIP/2.0', [...BASE.slice(0, 4), 'CSeq: 1 ACK']));
});

test('RFC 3261 §8.1.1.5: in a response the CSeq method is not compared with anything', () => {
  assert.equal(okRes(response()).cseq.method, 'OPTIONS');
});

test('RFC 3261 §20.16: CSeq with leading zeros, extra LWS, and up to 2**32-1 parses', () => {
  assert.equal(okReq(options([], '', undefined, [...BASE.slice(0, 4), 'CSeq:   0007    OPTIONS  '])).cseq.seq, 7);
  assert.equal(okReq(options([], '', undefined, [...BASE.slice(0, 4), 'CSeq: 4294967295 OPTIONS'])).cseq.seq, 4294967295);
  err(options([], '', undefined, [...BASE.slice(0, 4), 'CSeq: 4294967296 OPTIONS']), 'bad-header');
});

test('RFC 3261 §20.16: CSeq without a method, without a number, or with trailing junk is rejected', () => {
  for (const v of ['1', 'OPTIONS', '1OPTIONS', '1 OPTIONS x', '-1 OPTIONS', '']) {
    err(options([], '', undefined, [...BASE.slice(0, 4), `CSeq: ${v}`]), 'bad-header');
  }
});

test('RFC 3261 §20.22: Max-Forwards must be a number', () => {
  for (const v of ['abc', '7a', '-1', '', '1 2', '256']) {
    const e = err(options([`Max-Forwards: ${v}`]), 'bad-header');
    assert.equal(e.header, 'Max-Forwards');
  }
  assert.equal(okReq(options(['Max-Forwards: 255'])).maxForwards, 255);
});

test('RFC 3261 §20.8: Call-ID with whitespace inside is rejected, an empty one too', () => {
  err(options([], '', undefined, [...BASE.slice(0, 3), 'Call-ID: a b', BASE[4]!]), 'bad-header');
  err(options([], '', undefined, [...BASE.slice(0, 3), 'Call-ID:', BASE[4]!]), 'bad-header');
});

test('RFC 3261 §20.8: Call-ID of word "@" word with unusual characters is kept as is', () => {
  const m = okReq(options([], '', undefined, [...BASE.slice(0, 3), 'i: f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com', BASE[4]!]));
  assert.equal(m.callId, 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com');
});

test('RFC 3261 §20.14: the body is exactly Content-Length bytes, counted in bytes not characters', () => {
  const body = 'héllo wörld ☎';
  const n = new TextEncoder().encode(body).length;
  const m = okReq(options([`Content-Length: ${n}`, 'Content-Type: text/plain;charset=utf-8'], body));
  assert.equal(text(m.body), body);
  const m2 = okReq(new TextEncoder().encode(options([`Content-Length: ${n}`], body)));
  assert.equal(text(m2.body), body);
});

test('RFC 3261 §18.3: a datagram body longer than Content-Length is truncated to it', () => {
  const m = okReq(options(['Content-Length: 5'], 'hello, and then some garbage'));
  assert.equal(text(m.body), 'hello');
});

test('RFC 3261 §18.3: a datagram body shorter than Content-Length is an error', () => {
  const e = err(options(['Content-Length: 50'], 'short'), 'bad-content-length');
  assert.ok(e.partial);
});

test('RFC 3261 §18.3: without Content-Length the body of a datagram is the rest of it', () => {
  assert.equal(text(okReq(options([], 'rest of it')).body), 'rest of it');
});

test('RFC 3261 §20.14: a Content-Length that is not a number is rejected', () => {
  err(options(['Content-Length: ten'], ''), 'bad-content-length');
  err(options(['Content-Length: 99999999999999'], ''), 'bad-content-length');
});

test('RFC 3261 §20.14: Content-Length: 0 means no body even if bytes follow', () => {
  assert.equal(okReq(options(['Content-Length: 0'], 'junk')).body.length, 0);
});

test('RFC 3261 §7.4: the body is bytes, split from the headers in bytes, not decoded', () => {
  const head = new TextEncoder().encode(options(['Content-Length: 4', 'Content-Type: application/octet-stream']));
  const input = new Uint8Array(head.length + 4);
  input.set(head);
  input.set([0xff, 0x00, 0xc3, 0x28], head.length);
  assert.deepEqual(okReq(input).body, new Uint8Array([0xff, 0x00, 0xc3, 0x28]));
});

test('RFC 3261 §7.4: the parsed body does not alias the input buffer', () => {
  const input = new TextEncoder().encode(options(['Content-Length: 3'], 'abc'));
  const m = okReq(input);
  input[input.length - 1] = 0x7a;
  assert.equal(text(m.body), 'abc');
});

test('RFC 3261 §7: a message without the empty line after the headers is rejected', () => {
  const e = err(options().slice(0, -2), 'bad-header');
  assert.match(e.message, /empty line/);
});

test('RFC 3261 §7: bare LF line ends are tolerated', () => {
  const m = okReq(options([], '').replace(/\r\n/g, '\n'));
  assert.equal(m.callId, '3848276298220188511@example.com');
});

test('RFC 3261 §18.1.1: a message above the size limit is rejected as too-large', () => {
  const big = options([`X-Pad: ${'a'.repeat(70000)}`]);
  err(big, 'too-large');
  err(new TextEncoder().encode(big), 'too-large');
  assert.equal(parseMessage(big, { maxSize: 100000 }).ok, true);
});

test('RFC 3261 §18.1.1: maxSize is configurable', () => {
  const r = parseMessage(options(), { maxSize: 50 });
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.code, 'too-large');
});

test('RFC 3261 §20.42: Via with port, received, bare rport and other parameters', () => {
  const m = okReq(options([], '', undefined, ['Via: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bKx;received=192.0.2.1;rport;maddr=224.2.0.1;ttl=16;alias', ...BASE.slice(1)]));
  const v = m.via[0]!;
  assert.equal(v.port, 5062);
  assert.equal(v.received, '192.0.2.1');
  assert.equal(v.rport, true);
  assert.equal(v.params.get('maddr'), '224.2.0.1');
  assert.equal(v.params.get('ttl'), '16');
  assert.equal(v.params.get('alias'), null);
  assert.equal(v.params.has('branch'), false);
});

test('RFC 3581 §4: rport with a value becomes a number; a bad value is rejected', () => {
  const m = okRes(response([], undefined));
  assert.equal(m.via[0]!.rport, undefined);
  const v = okReq(options([], '', undefined, ['Via: SIP/2.0/UDP h;rport=5060;branch=z9hG4bKx', ...BASE.slice(1)])).via[0]!;
  assert.equal(v.rport, 5060);
  err(options([], '', undefined, ['Via: SIP/2.0/UDP h;rport=x;branch=z9hG4bKx', ...BASE.slice(1)]), 'bad-header');
});

test('RFC 3261 §20.42: a Via without a sent-by host, or with a bad protocol, is rejected', () => {
  for (const v of ['SIP/2.0/UDP', 'SIP/2.0 UDP h', 'HTTP/1.1/TCP h', 'SIP/2.0/UDP h:99999', 'SIP/2.0/UDPh']) {
    err(options([], '', undefined, [`Via: ${v}`, ...BASE.slice(1)]), 'bad-header');
  }
});

test('RFC 3261 §20.42: the transport is uppercased, the sent-by case kept', () => {
  const v = okReq(options([], '', undefined, ['Via: sip/2.0/wss Client.Example.COM;branch=z9hG4bKx', ...BASE.slice(1)])).via[0]!;
  assert.equal(v.transport, 'WSS');
  assert.equal(v.host, 'Client.Example.COM');
});

test('RFC 3261 §20.42: a Via branch with no value is rejected', () => {
  err(options([], '', undefined, ['Via: SIP/2.0/UDP h;branch', ...BASE.slice(1)]), 'bad-header');
});

test('RFC 3261 §20.20 / §20.39: two From or two To headers are rejected', () => {
  err(options(['From: <sip:x@y>;tag=2']), 'bad-header');
  err(options(['To: <sip:x@y>']), 'bad-header');
});

test('RFC 3261 §20.20: a From with two comma-separated addresses is rejected', () => {
  err(options([], '', undefined, [BASE[0]!, 'From: <sip:a@b>;tag=1, <sip:c@d>', ...BASE.slice(2)]), 'bad-header');
});

test('RFC 3261 §20.10: a quoted display name with escaped quote and backslash is unescaped', () => {
  const m = okReq(options([], '', undefined, [BASE[0]!, 'From: "A \\"quoted\\" \\\\ name" <sip:a@b>;tag=1', ...BASE.slice(2)]));
  assert.equal(m.from.displayName, 'A "quoted" \\ name');
});

test('RFC 3261 §20.10: a UTF-8 display name parses from bytes', () => {
  const m = okReq(new TextEncoder().encode(options([], '', undefined, [BASE[0]!, 'From: "Zoë Ünal 王" <sip:z@b>;tag=1', ...BASE.slice(2)])));
  assert.equal(m.from.displayName, 'Zoë Ünal 王');
});

test('RFC 3261 §20.10: an unquoted multi-token display name keeps its inner spaces', () => {
  const m = okReq(options([], '', undefined, [BASE[0]!, 'From: Alice  B. Liddell <sip:a@b>;tag=1', ...BASE.slice(2)]));
  assert.equal(m.from.displayName, 'Alice  B. Liddell');
});

test('RFC 3261 §20.10: From as an addr-spec with tag takes the tag as a header parameter', () => {
  const m = okReq(options([], '', undefined, [BASE[0]!, 'From: sip:alice@example.com;tag=abc;transport=tcp', ...BASE.slice(2)]));
  assert.equal(m.from.params.get('tag'), 'abc');
  assert.equal(m.from.params.get('transport'), 'tcp');
  assert.equal(sip(m.from.uri).params.size, 0);
});

test('RFC 3261 §20.10: header parameter names are lowercased, values kept as received', () => {
  const m = okReq(options(['Contact: <sip:a@b>;Expires=3600;+SIP.Instance="<urn:uuid:ABC>";Q=1']));
  const c = addr(m.contact[0]);
  assert.equal(c.params.get('expires'), '3600');
  assert.equal(c.params.get('+sip.instance'), '"<urn:uuid:ABC>"');
  assert.equal(c.params.get('q'), '1');
});

test('RFC 3261 §20.10: an unterminated "<" in a name-addr is rejected', () => {
  err(options(['Contact: <sip:a@b;lr']), 'bad-header');
});

test('RFC 3261 §10.2.2: Contact: * parses as the wildcard', () => {
  const m = okReq(options(['Contact: *', 'Expires: 0'], '', 'REGISTER sip:example.com SIP/2.0', [...BASE.slice(0, 4), 'CSeq: 2 REGISTER']));
  assert.deepEqual(m.contact, ['*']);
});

test('RFC 3261 §20.27 / RFC 7616 §3.3: WWW-Authenticate parses into scheme and unquoted params', () => {
  const m = okRes(response(['WWW-Authenticate: Digest realm="atlanta.example.com", qop="auth,auth-int", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", opaque="", stale=FALSE, algorithm=MD5'], 'SIP/2.0 401 Unauthorized'));
  const a = m.wwwAuthenticate[0]!;
  assert.equal(a.scheme, 'Digest');
  assert.equal(a.params.get('realm'), 'atlanta.example.com');
  assert.equal(a.params.get('qop'), 'auth,auth-int');
  assert.equal(a.params.get('opaque'), '');
  assert.equal(a.params.get('stale'), 'FALSE');
  assert.equal(a.params.get('algorithm'), 'MD5');
});

test('RFC 3261 §20.7 / RFC 7616 §3.4: Authorization parses with unquoted qop and nc', () => {
  const m = okReq(options(['Authorization: digest username="bob", realm="b.example.com", nonce="n", uri="sip:b.example.com", response="6629fae49393a05397450978507c4ef1", qop=auth, nc=00000001, cnonce="0a4f113b"']));
  const a = m.authorization[0]!;
  assert.equal(a.scheme, 'Digest');
  assert.equal(a.params.get('qop'), 'auth');
  assert.equal(a.params.get('nc'), '00000001');
  assert.equal(a.params.get('uri'), 'sip:b.example.com');
});

test('RFC 3261 §20.28 / §20.29: Proxy-Authenticate and Proxy-Authorization parse; several lines kept apart', () => {
  const m = okReq(options(['Proxy-Authorization: Digest username="a", realm="r1", nonce="1", uri="sip:x", response="00"', 'Proxy-Authorization: Digest username="a", realm="r2", nonce="2", uri="sip:x", response="11"']));
  assert.deepEqual(m.proxyAuthorization.map((a) => a.params.get('realm')), ['r1', 'r2']);
  const r = okRes(response(['Proxy-Authenticate: Digest realm="p", nonce="x"'], 'SIP/2.0 407 Proxy Authentication Required'));
  assert.equal(r.proxyAuthenticate[0]!.params.get('nonce'), 'x');
});

test('RFC 3261 §20.7: a quoted auth value with an escaped quote and a comma is unescaped', () => {
  const m = okReq(options(['Authorization: Digest username="a\\"b, c", realm="r"']));
  assert.equal(m.authorization[0]!.params.get('username'), 'a"b, c');
});

test('RFC 3261 §20.7: malformed credentials are rejected', () => {
  for (const v of ['Digest', 'Digest realm', 'Digest realm="x', 'Digest realm="x" nonce="y"', 'Basic']) {
    const e = err(options([`Authorization: ${v}`]), 'bad-header');
    assert.equal(e.header, 'Authorization');
  }
});

test('RFC 3261 §20.15: Content-Type is kept as a string; two of them are rejected', () => {
  assert.equal(okReq(options(['Content-Type: application/sdp'])).contentType, 'application/sdp');
  err(options(['Content-Type: application/sdp', 'c: text/plain']), 'bad-header');
});

test('RFC 3261 §7: errors name where they happened (offset points into the header line)', () => {
  const msg = options(['Max-Forwards: many']);
  const e = err(msg, 'bad-header');
  assert.equal(msg.slice(e.offset!, e.offset! + 4), 'many');
});

test('RFC 3261 §7: string and byte input give the same message', () => {
  const s = options(['Contact: <sip:a@10.0.0.1>', 'Content-Length: 5'], 'abcde');
  assert.deepEqual(ok(s), ok(new TextEncoder().encode(s)));
});

test('RFC 3261 §7: input that is neither bytes nor a string is reported, not thrown', () => {
  const r = parseMessage(42 as unknown as string);
  assert.equal(r.ok, false);
});

test('RFC 3261 §8.2.2: a partial carries everything needed for a 400 but only when the five headers parsed', () => {
  const e = err(options(['Max-Forwards: x']), 'bad-header');
  const p = e.partial!;
  assert.ok(p.via && p.from && p.to && p.callId && p.cseq && p.method === 'OPTIONS');
  const e2 = err(options([], '', undefined, [...BASE.slice(0, 3), 'Call-ID: a b', BASE[4]!]), 'bad-header');
  assert.equal(e2.partial, undefined);
});

test('RFC 3261 §7: the first error is the one reported', () => {
  const e = err(options(['Max-Forwards: x', 'Content-Length: -1']), 'bad-header');
  assert.equal(e.header, 'Max-Forwards');
});
