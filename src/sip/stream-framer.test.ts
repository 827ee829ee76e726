import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamFramer, contentLengthOf, type StreamItem } from './stream-framer.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

function msg(body = '', extra = ''): string {
  return (
    'OPTIONS sip:bob@example.com SIP/2.0\r\n' +
    'Via: SIP/2.0/TCP client.example.com;branch=z9hG4bK776\r\n' +
    'Call-ID: a84b4c76e66710\r\n' +
    'CSeq: 1 OPTIONS\r\n' +
    extra +
    `Content-Length: ${enc.encode(body).length}\r\n` +
    '\r\n' +
    body
  );
}

function describe(items: StreamItem[]): string[] {
  return items.map((it) => (it.type === 'message' ? dec.decode(it.bytes) : it.type));
}

function feedBytewise(framer: StreamFramer, text: string): StreamItem[] {
  const out: StreamItem[] = [];
  for (const b of enc.encode(text)) {
    const r = framer.push(Uint8Array.of(b));
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    out.push(...r.items);
  }
  return out;
}

test('RFC 3261 §18.3: a message fed one byte at a time is framed by Content-Length', () => {
  const m1 = msg('v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n');
  const m2 = msg();
  const framer = new StreamFramer();
  assert.deepEqual(describe(feedBytewise(framer, m1 + m2)), [m1, m2]);
  assert.equal(framer.buffered, 0);
});

test('RFC 3261 §18.3: every split point of two messages yields the same two messages', () => {
  const m1 = msg('hello');
  const m2 = msg('', 'Subject: second\r\n');
  const all = enc.encode(m1 + m2);
  for (let cut = 0; cut <= all.length; cut++) {
    const framer = new StreamFramer();
    const a = framer.push(all.subarray(0, cut));
    const b = framer.push(all.subarray(cut));
    assert.ok(a.ok && b.ok);
    assert.deepEqual(describe([...a.items, ...b.items]), [m1, m2], `cut at ${cut}`);
  }
});

test('RFC 3261 §18.3: several messages in one read are all returned, in order', () => {
  const ms = [msg('a'), msg('bb'), msg('ccc'), msg()];
  const r = new StreamFramer().push(enc.encode(ms.join('')));
  assert.ok(r.ok);
  assert.deepEqual(describe(r.items), ms);
});

test('RFC 3261 §18.3: the body is exactly Content-Length bytes even when it holds CRLFCRLF', () => {
  const body = 'x\r\n\r\nINVITE sip:not-a-message SIP/2.0\r\n\r\n';
  const m = msg(body);
  const r = new StreamFramer().push(enc.encode(m + msg()));
  assert.ok(r.ok);
  assert.deepEqual(describe(r.items), [m, msg()]);
});

test('RFC 3261 §18.3: body length counts bytes, not characters (UTF-8 body)', () => {
  const m = msg('héllo wörld ☎');
  const r = new StreamFramer().push(enc.encode(m));
  assert.ok(r.ok);
  assert.deepEqual(describe(r.items), [m]);
});

test('RFC 3261 §7.3.3: Content-Length in any case, compact form l, space before the colon, folded', () => {
  assert.deepEqual(contentLengthOf('SIP/2.0 200 OK\r\ncontent-LENGTH: 12'), { ok: true, value: 12 });
  assert.deepEqual(contentLengthOf('SIP/2.0 200 OK\r\nl:3'), { ok: true, value: 3 });
  assert.deepEqual(contentLengthOf('SIP/2.0 200 OK\r\nL : 4'), { ok: true, value: 4 });
  assert.deepEqual(contentLengthOf('SIP/2.0 200 OK\r\nContent-Length:\r\n  7'), { ok: true, value: 7 });
  const m = 'SIP/2.0 200 OK\r\nCall-ID: x\r\nl: 2\r\n\r\nokSIP/2.0 100 Trying\r\nCONTENT-length: 0\r\n\r\n';
  const r = new StreamFramer().push(enc.encode(m));
  assert.ok(r.ok);
  assert.deepEqual(describe(r.items), ['SIP/2.0 200 OK\r\nCall-ID: x\r\nl: 2\r\n\r\nok', 'SIP/2.0 100 Trying\r\nCONTENT-length: 0\r\n\r\n']);
});

test('RFC 3261 §18.3: a message with no Content-Length on a stream is an error', () => {
  const good = msg();
  const bad = 'OPTIONS sip:bob@example.com SIP/2.0\r\nCall-ID: x\r\n\r\n';
  const framer = new StreamFramer();
  const r = framer.push(enc.encode(good + bad));
  assert.equal(r.ok, false);
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'missing-content-length');
  assert.equal(r.error.offset, enc.encode(good).length);
  assert.deepEqual(describe(r.items), [good], 'messages before the error are still delivered');
  // The stream cannot be resynchronised: later pushes keep failing.
  const again = framer.push(enc.encode(msg()));
  assert.equal(again.ok, false);
});

test('RFC 3261 §18.3: a non-numeric, negative or conflicting Content-Length is an error', () => {
  for (const value of ['abc', '-1', '1.5', '12 13', '99999999999']) {
    const r = new StreamFramer().push(enc.encode(`SIP/2.0 200 OK\r\nContent-Length: ${value}\r\n\r\n`));
    assert.ok(!r.ok, value);
    assert.equal(r.error.code, 'bad-content-length', value);
  }
  const r = new StreamFramer().push(enc.encode('SIP/2.0 200 OK\r\nContent-Length: 1\r\nl: 2\r\n\r\nxx'));
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'bad-content-length');
  const same = new StreamFramer().push(enc.encode('SIP/2.0 200 OK\r\nContent-Length: 2\r\nl: 2\r\n\r\nxx'));
  assert.ok(same.ok);
  assert.equal(same.items.length, 1);
});

test('RFC 5626 §4.4.1: a double CRLF between messages is a ping', () => {
  const m = msg();
  const r = new StreamFramer().push(enc.encode('\r\n\r\n' + m + '\r\n\r\n'));
  assert.ok(r.ok);
  assert.deepEqual(describe(r.items), ['ping', m, 'ping']);
});

test('RFC 5626 §4.4.1: a ping fed byte at a time is one ping when pongs are not eager', () => {
  const framer = new StreamFramer();
  assert.deepEqual(describe(feedBytewise(framer, '\r\n\r\n')), ['ping']);
  assert.deepEqual(describe(feedBytewise(framer, '\r\n\r\n\r\n\r\n')), ['ping', 'ping']);
});

test('RFC 5626 §4.4.1: a single CRLF is a pong, reported at once on flows that expect pongs', () => {
  const framer = new StreamFramer({ eagerPong: true });
  const r = framer.push(enc.encode('\r\n'));
  assert.ok(r.ok);
  assert.deepEqual(describe(r.items), ['pong']);
  // A message after the pong does not report it twice.
  const m = msg();
  const r2 = framer.push(enc.encode(m));
  assert.ok(r2.ok);
  assert.deepEqual(describe(r2.items), [m]);
});

test('RFC 5626 §4.4.1: a lone CRLF before a message is a pong even when not eager', () => {
  const m = msg();
  const framer = new StreamFramer();
  const held = framer.push(enc.encode('\r\n'));
  assert.ok(held.ok);
  assert.deepEqual(held.items, [], 'a lone CRLF is held until the next byte tells ping from pong');
  const r = framer.push(enc.encode(m + '\r\n' + m));
  assert.ok(r.ok);
  assert.deepEqual(describe(r.items), ['pong', m, 'pong', m]);
});

test('RFC 5626 §4.4.1: with eager pongs a ping split between its CRLFs is a pong then a ping', () => {
  const framer = new StreamFramer({ eagerPong: true });
  assert.deepEqual(describe(feedBytewise(framer, '\r\n\r\n')), ['pong', 'ping']);
});

test('RFC 3261 §7.5: a CR not followed by LF between messages is a framing error', () => {
  const r = new StreamFramer().push(enc.encode('\rX'));
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'bad-keep-alive');
});

test('RFC 3261 §18.3: a header section over the size limit is an error, complete or not', () => {
  const framer = new StreamFramer({ maxHeaderBytes: 200 });
  let r = framer.push(enc.encode('OPTIONS sip:x SIP/2.0\r\nX-Pad: ' + 'a'.repeat(100)));
  assert.ok(r.ok, 'under the limit so far');
  r = framer.push(enc.encode('a'.repeat(100)));
  assert.ok(!r.ok, 'over the limit before any CRLFCRLF arrived');
  assert.equal(r.error.code, 'header-too-large');

  const whole = new StreamFramer({ maxHeaderBytes: 100 }).push(enc.encode(msg()));
  assert.ok(!whole.ok);
  assert.equal(whole.error.code, 'header-too-large');
});

test('RFC 3261 §18.3: a Content-Length over the body limit is an error before the body arrives', () => {
  const framer = new StreamFramer({ maxBodyBytes: 10 });
  const ok = framer.push(enc.encode(msg('0123456789')));
  assert.ok(ok.ok);
  assert.equal(ok.items.length, 1);
  const r = framer.push(enc.encode('SIP/2.0 200 OK\r\nContent-Length: 11\r\n\r\n'));
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'body-too-large');
});

test('framer keeps memory bounded across many messages', () => {
  const framer = new StreamFramer();
  const m = enc.encode(msg('body'));
  for (let i = 0; i < 10_000; i++) {
    const r = framer.push(m);
    assert.ok(r.ok);
    assert.equal(r.items.length, 1);
  }
  assert.equal(framer.buffered, 0);
});
