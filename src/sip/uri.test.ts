import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNameAddr, parseNameAddrList, parseUri } from './uri.js';
import type { NameAddr, SipUri, TelUri, Uri } from './message.js';

function uri(s: string): Uri {
  const r = parseUri(s);
  if (!r.ok) assert.fail(`${s}: ${r.error.message}`);
  return r.value;
}
function sipUri(s: string): SipUri {
  const u = uri(s);
  assert.ok(u.scheme === 'sip' || u.scheme === 'sips');
  return u as SipUri;
}
function bad(s: string): void {
  const r = parseUri(s);
  assert.equal(r.ok, false, `${JSON.stringify(s)} should be rejected`);
  if (!r.ok) {
    assert.equal(r.error.code, 'bad-uri');
    assert.equal(typeof r.error.offset, 'number');
  }
}
function na(s: string): NameAddr {
  const r = parseNameAddr(s);
  if (!r.ok) assert.fail(`${s}: ${r.error.message}`);
  return r.value;
}

test('RFC 3261 §19.1.1: a plain SIP URI has user and host', () => {
  const u = sipUri('sip:alice@atlanta.com');
  assert.equal(u.scheme, 'sip');
  assert.equal(u.user, 'alice');
  assert.equal(u.host, 'atlanta.com');
  assert.equal(u.port, undefined);
  assert.equal(u.password, undefined);
});

test('RFC 3261 §19.1.1: a SIPS URI with port', () => {
  const u = sipUri('sips:alice@atlanta.com:5061');
  assert.equal(u.scheme, 'sips');
  assert.equal(u.port, 5061);
});

test('RFC 3261 §19.1.1: user and password', () => {
  const u = sipUri('sip:alice:secretword@atlanta.com;transport=tcp');
  assert.equal(u.user, 'alice');
  assert.equal(u.password, 'secretword');
  assert.equal(u.params.get('transport'), 'tcp');
});

test('RFC 3261 §19.1.1: a host-only URI has no user', () => {
  const u = sipUri('sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com');
  assert.equal(u.user, undefined);
  assert.equal(u.params.get('method'), 'REGISTER');
  assert.equal(u.headers.get('to'), 'alice@atlanta.com');
});

test('RFC 3261 §19.1.1: several URI headers joined by "&"', () => {
  const u = sipUri('sip:alice@atlanta.com?subject=project%20x&priority=urgent');
  assert.deepEqual([...u.headers], [['subject', 'project x'], ['priority', 'urgent']]);
});

test('RFC 3261 §19.1.1: a telephone-subscriber user with user=phone', () => {
  const u = sipUri('sip:+1-212-555-1212:1234@gateway.com;user=phone');
  assert.equal(u.user, '+1-212-555-1212');
  assert.equal(u.password, '1234');
  assert.equal(u.params.get('user'), 'phone');
});

test('RFC 3261 §19.1.1: an IPv4 host with port', () => {
  const u = sipUri('sip:alice@192.0.2.4:5080');
  assert.equal(u.host, '192.0.2.4');
  assert.equal(u.port, 5080);
});

test('RFC 3261 §19.1.1: a bare IPv4 host', () => {
  assert.equal(sipUri('sip:192.0.2.4').host, '192.0.2.4');
});

test('RFC 3261 §19.1.4 / RFC 5118 §4.1: an IPv6 reference keeps its brackets', () => {
  const u = sipUri('sip:bob@[2001:db8::10]:5070;transport=udp');
  assert.equal(u.host, '[2001:db8::10]');
  assert.equal(u.port, 5070);
});

test('RFC 5118 §4.3: an IPv4-mapped IPv6 reference parses', () => {
  assert.equal(sipUri('sip:[::ffff:192.0.2.1]').host, '[::ffff:192.0.2.1]');
});

test('RFC 5118 §4.2: an IPv6 address without brackets is rejected', () => {
  bad('sip:2001:db8::10');
});

test('RFC 3261 §25.1: an unterminated or empty IPv6 reference is rejected', () => {
  bad('sip:[2001:db8::10');
  bad('sip:[]');
  bad('sip:[2001:db8::zz]');
});

test('RFC 3261 §19.1.1: the scheme is case-insensitive and stored lowercase', () => {
  const u = sipUri('SIP:Alice@Atlanta.COM');
  assert.equal(u.scheme, 'sip');
  assert.equal(u.user, 'Alice');
  assert.equal(u.host, 'Atlanta.COM');
  assert.equal(sipUri('SiPs:a@b').scheme, 'sips');
});

test('RFC 3261 §19.1.4: parameter names are lowercased, values kept', () => {
  const u = sipUri('sip:a@b;Transport=TCP;LR');
  assert.equal(u.params.get('transport'), 'TCP');
  assert.equal(u.params.get('lr'), null);
});

test('RFC 3261 §19.1.1: parameter order is kept', () => {
  assert.deepEqual([...sipUri('sip:a@b;z=1;a=2;m').params.keys()], ['z', 'a', 'm']);
});

test('RFC 3261 §19.1.2: %-escapes in the user are undone', () => {
  assert.equal(sipUri('sip:%61lice%40home@b').user, 'alice@home');
});

test('RFC 3261 §19.1.2: %-escapes decode as UTF-8', () => {
  assert.equal(sipUri('sip:J%C3%BCrgen@b').user, 'Jürgen');
});

test('RFC 3261 §19.1.2: %-escapes in parameters and headers are undone', () => {
  const u = sipUri('sip:a@b;na%6De=v%20a?h%31=x%3Dy');
  assert.equal(u.params.get('name'), 'v a');
  assert.equal(u.headers.get('h1'), 'x=y');
});

test('RFC 3261 §25.1: a bad %-escape is rejected with its offset', () => {
  const r = parseUri('sip:al%zzice@b');
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.offset, 6);
  bad('sip:al%4@b');
  bad('sip:a@b;x=%');
});

test('RFC 3261 §25.1: characters that must be escaped are rejected in the user part', () => {
  bad('sip:al ice@b');
  bad('sip:al"ice@b');
  bad('sip:a<b@c');
});

test('RFC 3261 §25.1: an empty user before "@" is rejected', () => {
  bad('sip:@example.com');
});

test('RFC 3261 §25.1: a port above 65535 or not a number is rejected', () => {
  bad('sip:a@b:65536');
  bad('sip:a@b:5x');
  bad('sip:a@b:');
  assert.equal(sipUri('sip:a@b:65535').port, 65535);
});

test('RFC 3261 §25.1: a missing host is rejected', () => {
  bad('sip:');
  bad('sip:a@');
  bad('sip:;lr');
});

test('RFC 3261 §25.1: an empty URI parameter name is rejected', () => {
  bad('sip:a@b;;lr');
  bad('sip:a@b;=x');
});

test('RFC 3261 §25.1: a URI header without "=" is rejected', () => {
  bad('sip:a@b?subject');
  bad('sip:a@b?');
});

test('RFC 3261 §25.1: a URI without a scheme is rejected', () => {
  bad('alice@atlanta.com');
  bad('');
  bad(':x');
  bad('1sip:a@b');
});

test('RFC 3966 §3: a tel URI with a global number and parameters', () => {
  const u = uri('tel:+1-201-555-0123;ext=1234;phone-context=example.com') as TelUri;
  assert.equal(u.scheme, 'tel');
  assert.equal(u.number, '+1-201-555-0123');
  assert.equal(u.params.get('ext'), '1234');
  assert.equal(u.params.get('phone-context'), 'example.com');
});

test('RFC 3966 §3: a tel URI with a local number', () => {
  const u = uri('tel:7042;phone-context=example.com') as TelUri;
  assert.equal(u.number, '7042');
});

test('RFC 3966 §3: an empty tel number is rejected', () => {
  bad('tel:');
  bad('tel:;ext=1');
});

test('RFC 3261 §19.1: other absolute URIs are kept opaque', () => {
  assert.deepEqual(uri('urn:service:sos'), { scheme: 'urn', value: 'service:sos' });
  assert.deepEqual(uri('mailto:alice@example.com'), { scheme: 'mailto', value: 'alice@example.com' });
  bad('urn:');
  bad('urn:a b');
});

test('RFC 3261 §25.1: parseUri never throws on non-string input', () => {
  assert.equal(parseUri(undefined as unknown as string).ok, false);
});

test('RFC 3261 §20.10: a name-addr with a quoted display name and header parameters', () => {
  const a = na('"Alice Liddell" <sip:alice@atlanta.com;transport=tcp>;tag=1928301774;x');
  assert.equal(a.displayName, 'Alice Liddell');
  assert.equal((a.uri as SipUri).params.get('transport'), 'tcp');
  assert.equal(a.params.get('tag'), '1928301774');
  assert.equal(a.params.get('x'), null);
});

test('RFC 3261 §20.10: a name-addr without display name', () => {
  const a = na('<sip:alice@atlanta.com>');
  assert.equal(a.displayName, undefined);
  assert.equal(a.params.size, 0);
});

test('RFC 3261 §20.10: an empty quoted display name is the empty string', () => {
  assert.equal(na('"" <sip:a@b>').displayName, '');
});

test('RFC 3261 §20.10: in an addr-spec, parameters after the URI belong to the header', () => {
  const a = na('sip:alice@atlanta.com;tag=88sja8x;lr');
  assert.equal((a.uri as SipUri).params.size, 0);
  assert.equal(a.params.get('tag'), '88sja8x');
  assert.equal(a.params.get('lr'), null);
});

test('RFC 3261 §20.10: in a name-addr, parameters inside "<>" belong to the URI', () => {
  const a = na('<sip:alice@atlanta.com;lr>;tag=1');
  assert.equal((a.uri as SipUri).params.get('lr'), null);
  assert.deepEqual([...a.params], [['tag', '1']]);
});

test('RFC 3261 §20.10: an addr-spec with "?" must be bracketed', () => {
  assert.equal(parseNameAddr('sip:a@b?subject=x').ok, false);
  assert.equal(((na('<sip:a@b?subject=x>').uri) as SipUri).headers.get('subject'), 'x');
});

test('RFC 3261 §25.1: LWS around ";" and "=" of header parameters is allowed', () => {
  const a = na('<sip:a@b> ;  tag =  xyz ; q= 0.5');
  assert.equal(a.params.get('tag'), 'xyz');
  assert.equal(a.params.get('q'), '0.5');
});

test('RFC 3261 §25.1: a quoted header parameter value keeps its quotes', () => {
  assert.equal(na('<sip:a@b>;+sip.instance="<urn:uuid:1;2>"').params.get('+sip.instance'), '"<urn:uuid:1;2>"');
});

test('RFC 3261 §25.1: an IPv6 header parameter value parses', () => {
  assert.equal(na('<sip:a@b>;maddr=[2001:db8::1]').params.get('maddr'), '[2001:db8::1]');
});

test('RFC 3261 §20.10: a display name not followed by "<" is rejected', () => {
  assert.equal(parseNameAddr('"Alice" sip:alice@a.com').ok, false);
});

test('RFC 3261 §20.10: garbage after the name-addr is rejected', () => {
  assert.equal(parseNameAddr('<sip:a@b> junk').ok, false);
  assert.equal(parseNameAddr('<sip:a@b>;').ok, false);
  assert.equal(parseNameAddr('<sip:a@b>;tag=').ok, false);
  assert.equal(parseNameAddr('<sip:a@b>, <sip:c@d>').ok, false);
});

test('RFC 3261 §7.3.1: a name-addr list splits at top-level commas', () => {
  const r = parseNameAddrList('"a, b" <sip:a@b>, sip:c@d;expires=5 , <sip:e@f>');
  assert.ok(r.ok);
  if (r.ok) {
    assert.equal(r.value.length, 3);
    assert.equal(r.value[0]!.displayName, 'a, b');
    assert.equal(r.value[1]!.params.get('expires'), '5');
  }
});

test('RFC 3261 §25.1: a tel URI in a name-addr', () => {
  const a = na('"Reception" <tel:+1-201-555-0100>;tag=4');
  assert.equal((a.uri as TelUri).number, '+1-201-555-0100');
});
