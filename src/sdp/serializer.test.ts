import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseSdp } from './parser.js';
import { serializeSdp } from './serializer.js';
import type { SessionDescription } from './sdp.js';

const VECTORS = new URL('../../test/vectors/rfc4317/', import.meta.url);

function parse(text: string): SessionDescription {
  const r = parseSdp(text);
  if (!r.ok) assert.fail(JSON.stringify(r.error));
  return r.value;
}

function roundTrip(text: string): void {
  const first = parse(text);
  const out = serializeSdp(first);
  assert.deepEqual(parse(out), first);
  assert.equal(serializeSdp(parse(out)), out, 'serialising is stable');
}

const FULL = [
  'v=0',
  'o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1',
  's=Call to John Smith',
  'i=SDP Offer #1',
  'u=http://www.jdoe.example.com/home.html',
  'e=Jane Doe <jane@jdoe.example.com>',
  'p=+1 617 555-6011',
  'c=IN IP4 233.252.0.1/127/3',
  'b=AS:128',
  't=3034423619 3042462419',
  'r=7d 1h 0 25h',
  'z=2882844526 -1h 2898848070 0',
  'k=prompt',
  'a=recvonly',
  'a=tool:x',
  'm=audio 49170/2 RTP/AVP 0 96 101',
  'i=voice',
  'c=IN IP6 2001:db8::2',
  'b=TIAS:64000',
  'k=clear:secret',
  'a=mid:a1',
  'a=rtpmap:96 opus/48000/2',
  'a=fmtp:96 useinbandfec=1; stereo=0',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=maxptime:40',
  'a=rtcp:53020 IN IP4 198.51.100.7',
  'a=rtcp-mux',
  'a=sendonly',
  'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR',
  'a=candidate:1 1 UDP 2130706431 10.0.1.1 8998 typ host',
  'm=video 0 RTP/AVP 31',
].join('\r\n') + '\r\n';

test('RFC 8866 §5: every line type survives parse → serialize → parse, in the grammar order', () => {
  roundTrip(FULL);
  assert.equal(serializeSdp(parse(FULL)), FULL);
});

test('RFC 8866 §5: serialisation ends every line with CRLF, even from LF-only input', () => {
  const out = serializeSdp(parse('v=0\no=- 1 1 IN IP4 a\ns=-\nt=0 0\nm=audio 5000 RTP/AVP 0\n'));
  assert.equal(out, 'v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n');
  assert.ok(!/[^\r]\n/.test(out));
});

test('RFC 8866 §5.13: unknown attributes come back verbatim and in order', () => {
  const text = 'v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\na=zzz\r\na=x:1 2  3\r\na=rtpmap:0 PCMU/8000\r\na=yyy:\r\n';
  assert.equal(serializeSdp(parse(text)), text);
});

test('RFC 8866 §5.14: a rejected m= line without formats round-trips', () => {
  roundTrip('v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=video 0 RTP/AVP\r\n');
});

test('RFC 4317 vectors: each file round-trips', () => {
  const files = readdirSync(VECTORS).filter((f) => f.endsWith('.sdp'));
  assert.ok(files.length >= 5);
  for (const f of files) roundTrip(readFileSync(join(VECTORS.pathname, f), 'utf8'));
});
