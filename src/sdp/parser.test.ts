import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSdp } from './parser.js';
import type { SessionDescription } from './sdp.js';
import { connectionOf, directionOf, findAttribute, fmtpOf, otherAttributes, rtpmapOf } from './sdp.js';

const crlf = (...lines: string[]): string => lines.join('\r\n') + '\r\n';

const BASIC = crlf(
  'v=0',
  'o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1',
  's=Call to John Smith',
  'i=SDP Offer #1',
  'u=http://www.jdoe.example.com/home.html',
  'e=Jane Doe <jane@jdoe.example.com>',
  'p=+1 617 555-6011',
  'c=IN IP4 198.51.100.1',
  'b=AS:128',
  't=0 0',
  'm=audio 49170 RTP/AVP 0',
  'm=audio 49180 RTP/AVP 0',
  'm=video 51372 RTP/AVP 99',
  'c=IN IP6 2001:db8::2',
  'a=rtpmap:99 h263-1998/90000',
);

function ok(text: string | Uint8Array): SessionDescription {
  const r = parseSdp(text);
  if (!r.ok) assert.fail(`parse failed: ${JSON.stringify(r.error)}`);
  return r.value;
}

function err(text: string) {
  const r = parseSdp(text);
  if (r.ok) assert.fail('expected a parse error');
  return r.error;
}

test('RFC 8866 §5: parses the session-level lines of the §5 example', () => {
  const sd = ok(BASIC);
  assert.equal(sd.version, 0);
  assert.deepEqual(sd.origin, {
    username: 'jdoe',
    sessionId: '3724394400',
    sessionVersion: '3724394405',
    netType: 'IN',
    addrType: 'IP4',
    address: '198.51.100.1',
  });
  assert.equal(sd.sessionName, 'Call to John Smith');
  assert.equal(sd.information, 'SDP Offer #1');
  assert.equal(sd.uri, 'http://www.jdoe.example.com/home.html');
  assert.deepEqual(sd.emails, ['Jane Doe <jane@jdoe.example.com>']);
  assert.deepEqual(sd.phones, ['+1 617 555-6011']);
  assert.deepEqual(sd.bandwidths, [{ type: 'AS', value: 128 }]);
  assert.deepEqual(sd.timing, [{ start: '0', stop: '0', repeats: [] }]);
});

test('RFC 8866 §5.14: m= lines carry media, port, proto and formats', () => {
  const sd = ok(BASIC);
  assert.equal(sd.media.length, 3);
  assert.deepEqual(
    sd.media.map((m) => [m.media, m.port, m.proto, m.formats]),
    [
      ['audio', 49170, 'RTP/AVP', ['0']],
      ['audio', 49180, 'RTP/AVP', ['0']],
      ['video', 51372, 'RTP/AVP', ['99']],
    ],
  );
});

test('RFC 8866 §5.7: a media-level c= overrides the session-level one', () => {
  const sd = ok(BASIC);
  assert.equal(connectionOf(sd.media[0]!, sd)?.address, '198.51.100.1');
  assert.deepEqual(connectionOf(sd.media[2]!, sd), { netType: 'IN', addrType: 'IP6', address: '2001:db8::2' });
});

test('RFC 8866 §5.7: multicast c= with TTL and number of addresses', () => {
  const sd = ok(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 'c=IN IP4 233.252.0.1/127/3', 't=0 0', 'm=audio 5000 RTP/AVP 0', 'c=IN IP6 ff15::101/3'));
  assert.deepEqual(sd.connection, { netType: 'IN', addrType: 'IP4', address: '233.252.0.1', ttl: 127, numberOfAddresses: 3 });
  assert.deepEqual(sd.media[0]?.connections[0], { netType: 'IN', addrType: 'IP6', address: 'ff15::101', numberOfAddresses: 3 });
});

test('RFC 8866 §5.14: m= with a port count (port/number)', () => {
  const sd = ok(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0', 'm=video 49170/2 RTP/AVP 31'));
  assert.equal(sd.media[0]?.port, 49170);
  assert.equal(sd.media[0]?.portCount, 2);
});

test('RFC 8866 §5.9, §5.10, §5.11: t=, r= and z= lines', () => {
  const sd = ok(
    crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 't=3034423619 3042462419', 'r=7d 1h 0 25h', 'r=604800 3600 0 90000', 't=0 0', 'z=2882844526 -1h 2898848070 0'),
  );
  assert.deepEqual(sd.timing, [
    { start: '3034423619', stop: '3042462419', repeats: ['7d 1h 0 25h', '604800 3600 0 90000'] },
    { start: '0', stop: '0', repeats: [] },
  ]);
  assert.equal(sd.timeZones, '2882844526 -1h 2898848070 0');
});

test('RFC 8866 §6.6: rtpmap with and without channels', () => {
  const sd = ok(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 't=0 0', 'm=audio 5000 RTP/AVP 96 0', 'a=rtpmap:96 opus/48000/2', 'a=rtpmap:0 PCMU/8000'));
  const m = sd.media[0]!;
  assert.deepEqual(rtpmapOf(m, 96), { kind: 'rtpmap', payloadType: 96, encodingName: 'opus', clockRate: 48000, channels: 2 });
  assert.deepEqual(rtpmapOf(m, 0), { kind: 'rtpmap', payloadType: 0, encodingName: 'PCMU', clockRate: 8000 });
});

test('RFC 8866 §6.15: fmtp parameters are kept verbatim', () => {
  const sd = ok(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 't=0 0', 'm=audio 5000 RTP/AVP 101', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15,66,70'));
  assert.equal(fmtpOf(sd.media[0]!, '101'), '0-15,66,70');
});

test('RFC 8866 §6.4, §6.5: ptime and maxptime, including fractional values', () => {
  const sd = ok(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 't=0 0', 'm=audio 5000 RTP/AVP 0', 'a=ptime:22.5', 'a=maxptime:150'));
  const m = sd.media[0]!;
  assert.equal(findAttribute(m.attributes, 'ptime')?.value, 22.5);
  assert.equal(findAttribute(m.attributes, 'maxptime')?.value, 150);
});

test('RFC 8866 §6.7: direction attributes at media level override the session level; sendrecv by default', () => {
  const sd = ok(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 't=0 0', 'a=recvonly', 'm=audio 5000 RTP/AVP 0', 'm=audio 5002 RTP/AVP 0', 'a=inactive'));
  assert.equal(directionOf(sd.media[0]!, sd), 'recvonly');
  assert.equal(directionOf(sd.media[1]!, sd), 'inactive');
  const plain = ok(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 't=0 0', 'm=audio 5000 RTP/AVP 0'));
  assert.equal(directionOf(plain.media[0]!, plain), 'sendrecv');
});

test('RFC 3605 §2.1: a=rtcp with a port only, and with a port and address', () => {
  const sd = ok(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 't=0 0', 'm=audio 5000 RTP/AVP 0', 'a=rtcp:53020', 'm=audio 5002 RTP/AVP 0', 'a=rtcp:53020 IN IP6 2001:2345:6789:ABCD:EF01:2345:6789:ABCD'));
  assert.deepEqual(findAttribute(sd.media[0]!.attributes, 'rtcp'), { kind: 'rtcp', port: 53020 });
  assert.deepEqual(findAttribute(sd.media[1]!.attributes, 'rtcp'), {
    kind: 'rtcp',
    port: 53020,
    netType: 'IN',
    addrType: 'IP6',
    address: '2001:2345:6789:ABCD:EF01:2345:6789:ABCD',
  });
});

test('RFC 5761 §5.1.1 and RFC 5888 §4: rtcp-mux and mid', () => {
  const sd = ok(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 't=0 0', 'm=audio 5000 RTP/AVP 0', 'a=mid:audio0', 'a=rtcp-mux'));
  assert.deepEqual(sd.media[0]!.attributes, [{ kind: 'mid', value: 'audio0' }, { kind: 'rtcp-mux' }]);
});

test('RFC 8866 §5.13: unknown attributes, crypto and ICE are kept verbatim and in order', () => {
  const sd = ok(
    crlf(
      'v=0',
      'o=- 1 1 IN IP4 a',
      's=-',
      't=0 0',
      'a=ice-lite',
      'm=audio 5000 RTP/SAVP 0',
      'a=x-weird:value with: colons',
      'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32',
      'a=ice-ufrag:8hhY',
      'a=candidate:1 1 UDP 2130706431 10.0.1.1 8998 typ host',
      'a=rtpmap:0 PCMU/8000',
    ),
  );
  assert.deepEqual(sd.attributes, [{ kind: 'other', name: 'ice-lite' }]);
  assert.deepEqual(
    sd.media[0]!.attributes.map((a) => (a.kind === 'other' ? `${a.name}=${a.value}` : a.kind)),
    [
      'x-weird=value with: colons',
      'crypto=1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32',
      'ice-ufrag=8hhY',
      'candidate=1 1 UDP 2130706431 10.0.1.1 8998 typ host',
      'rtpmap',
    ],
  );
  assert.equal(otherAttributes(sd.media[0]!.attributes, 'CRYPTO').length, 1);
});

test('RFC 8866 §5: LF-only and mixed line endings are tolerated, as are blank lines', () => {
  const lf = ok('v=0\no=- 1 1 IN IP4 a\ns=-\nt=0 0\nm=audio 5000 RTP/AVP 0\n');
  const mixed = ok('v=0\r\no=- 1 1 IN IP4 a\ns=-\r\n\r\nt=0 0\nm=audio 5000 RTP/AVP 0\r\n\r\n');
  assert.deepEqual(lf, mixed);
});

test('RFC 8866 §5: bytes are decoded as UTF-8', () => {
  const sd = ok(new TextEncoder().encode(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=Café ☎', 't=0 0')));
  assert.equal(sd.sessionName, 'Café ☎');
});

test('RFC 8866 §5.2: session id and version larger than 2^53 are kept exactly', () => {
  const sd = ok(crlf('v=0', 'o=- 4611686018427387903 9223372036854775807 IN IP4 a', 's=-', 't=0 0'));
  assert.equal(sd.origin.sessionId, '4611686018427387903');
  assert.equal(sd.origin.sessionVersion, '9223372036854775807');
});

test('RFC 3264 §6: a rejected m= line without formats is tolerated', () => {
  const sd = ok(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 't=0 0', 'm=video 0 RTP/AVP'));
  assert.deepEqual(sd.media[0]?.formats, []);
});

test('RFC 8866 §5: an empty body is an error, not an exception', () => {
  assert.equal(err('').code, 'empty');
  assert.equal(err('\r\n\r\n').code, 'empty');
});

test('RFC 8866 §5.1: the description must start with v=0', () => {
  const e = err(crlf('o=- 1 1 IN IP4 a', 'v=0'));
  assert.equal(e.code, 'missing-line');
  assert.equal(e.line, 1);
  assert.equal(err(crlf('v=1', 'o=- 1 1 IN IP4 a', 's=-', 't=0 0')).code, 'bad-version');
});

test('RFC 8866 §5: a type letter we do not understand rejects the description, naming the line', () => {
  const e = err(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 't=0 0', 'x=what'));
  assert.deepEqual(e, { code: 'unknown-type', message: 'unknown SDP line type "x"', line: 5, text: 'x=what' });
});

test('RFC 8866 §5: a line that is not <type>=<value> is an error naming the line', () => {
  const e = err('v=0\no=- 1 1 IN IP4 a\ns=-\nt=0 0\nm audio 5000 RTP/AVP 0\n');
  assert.equal(e.code, 'bad-line');
  assert.equal(e.line, 5);
  assert.equal(e.text, 'm audio 5000 RTP/AVP 0');
});

test('RFC 8866 §5.2: a malformed o= line is an error', () => {
  assert.equal(err(crlf('v=0', 'o=- 1 IN IP4 a', 's=-', 't=0 0')).code, 'bad-origin');
  assert.equal(err(crlf('v=0', 'o=- abc 1 IN IP4 a', 's=-', 't=0 0')).line, 2);
});

test('RFC 8866 §5.2, §5.3, §5.9: o=, s= and t= are required', () => {
  assert.match(err(crlf('v=0', 's=-', 't=0 0')).message, /o=/);
  assert.match(err(crlf('v=0', 'o=- 1 1 IN IP4 a', 't=0 0')).message, /s=/);
  assert.match(err(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-')).message, /t=/);
});

test('RFC 8866 §5.14: session-only lines are not allowed inside a media description', () => {
  const e = err(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 't=0 0', 'm=audio 5000 RTP/AVP 0', 't=0 0'));
  assert.equal(e.code, 'misplaced-line');
  assert.equal(e.line, 6);
});

test('RFC 8866 §5.10: r= before any t= is misplaced', () => {
  assert.equal(err(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 'r=7d 1h 0 25h', 't=0 0')).code, 'misplaced-line');
});

test('RFC 8866 §5.14: bad ports and empty format lists are errors', () => {
  assert.equal(err(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 't=0 0', 'm=audio 70000 RTP/AVP 0')).code, 'bad-media');
  assert.equal(err(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 't=0 0', 'm=audio x RTP/AVP 0')).code, 'bad-media');
  assert.equal(err(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 't=0 0', 'm=audio 5000 RTP/AVP')).code, 'bad-media');
  assert.equal(err(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 't=0 0', 'm=audio')).code, 'bad-media');
});

test('RFC 8866 §5.7, §5.8: malformed c= and b= lines are errors', () => {
  assert.equal(err(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 'c=IN IP4', 't=0 0')).code, 'bad-connection');
  assert.equal(err(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 'c=IN IP4 224.2.1.1/x', 't=0 0')).code, 'bad-connection');
  assert.equal(err(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 'b=AS', 't=0 0')).code, 'bad-bandwidth');
});

test('RFC 8866 §6.6: a malformed rtpmap, ptime or rtcp attribute is an error naming its line', () => {
  const base = ['v=0', 'o=- 1 1 IN IP4 a', 's=-', 't=0 0', 'm=audio 5000 RTP/AVP 96'];
  for (const bad of ['a=rtpmap:96 opus', 'a=rtpmap:300 x/8000', 'a=rtpmap:96 PCMU/0', 'a=ptime:abc', 'a=ptime:0', 'a=rtcp:x', 'a=rtcp:5000 IN IP4']) {
    const e = err(crlf(...base, bad));
    assert.equal(e.code, 'bad-attribute', bad);
    assert.equal(e.line, 6, bad);
    assert.equal(e.text, bad);
  }
});

test('RFC 8866 §5: duplicate single-instance lines are errors', () => {
  assert.equal(err(crlf('v=0', 'o=- 1 1 IN IP4 a', 'o=- 1 1 IN IP4 a', 's=-', 't=0 0')).code, 'duplicate-line');
  assert.equal(err(crlf('v=0', 'o=- 1 1 IN IP4 a', 's=-', 'c=IN IP4 a', 'c=IN IP4 b', 't=0 0')).code, 'duplicate-line');
});

test('RFC 8866 §5: parsing arbitrary garbage never throws', () => {
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const alphabet = 'vosmcatbrzkiue=:/ \r\n0123456789IPN4RTP/AVP-rtpmap';
  for (let i = 0; i < 2000; i++) {
    let s = 'v=0\r\n';
    const len = rand() % 120;
    for (let j = 0; j < len; j++) s += alphabet[rand() % alphabet.length];
    const r = parseSdp(s);
    assert.equal(typeof r.ok, 'boolean');
  }
});
