import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRtpPacket, isRtcpPacket, parseRtpInto, parseRtpPacket, rtpHeaderSize, serializeRtpPacket, writeRtpHeader } from './rtp-packet.js';
import type { RtpPacket } from './rtp-packet.js';

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((h) => parseInt(h, 16)));

test('RFC 3550 §5.1: a minimal PCMU packet parses field by field', () => {
  // V=2, no P/X, CC=0 | M=1 PT=0 | seq 0x1234 | ts 0xdeadbeef | ssrc 0x01020304 | payload ff ff
  const r = parseRtpPacket(hex('80 80 1234 deadbeef 01020304 ffff'));
  assert.ok(r.ok);
  const p = r.value;
  assert.equal(p.marker, true);
  assert.equal(p.payloadType, 0);
  assert.equal(p.sequenceNumber, 0x1234);
  assert.equal(p.timestamp, 0xdeadbeef);
  assert.equal(p.ssrc, 0x01020304);
  assert.deepEqual([...p.csrcs], []);
  assert.equal(p.extension, undefined);
  assert.deepEqual([...p.payload], [0xff, 0xff]);
  assert.equal(p.paddingLength, 0);
});

test('RFC 3550 §5.1: CSRC list, §5.3.1 header extension and padding round-trip', () => {
  const packet: RtpPacket = {
    marker: false,
    payloadType: 101,
    sequenceNumber: 65535,
    timestamp: 0xffffffff,
    ssrc: 0x80000001,
    csrcs: [1, 0xfffffffe],
    extension: { profile: 0xbede, data: hex('10aa0000') },
    payload: hex('0102030405'),
    paddingLength: 3,
  };
  const bytes = serializeRtpPacket(packet);
  assert.equal(bytes.length, 12 + 8 + 4 + 4 + 5 + 3);
  assert.equal(bytes[0], 0x80 | 0x20 | 0x10 | 2);
  assert.equal(bytes[bytes.length - 1], 3);
  const r = parseRtpPacket(bytes);
  assert.ok(r.ok);
  assert.deepEqual({ ...r.value, csrcs: [...r.value.csrcs], payload: [...r.value.payload], extension: { profile: r.value.extension!.profile, data: [...r.value.extension!.data] } }, {
    ...packet, csrcs: [...packet.csrcs], payload: [...packet.payload], extension: { profile: 0xbede, data: [0x10, 0xaa, 0, 0] },
  });
});

test('RFC 3550 §5.1: parse errors are results with a code and offset, never throws', () => {
  const cases: [string, string][] = [
    ['8000', 'rtp-too-short'],
    ['40000000 00000000 00000000', 'rtp-bad-version'],
    ['83000000 00000000 00000000 00000000', 'rtp-bad-csrc-count'],
    ['90000000 00000000 00000000 bede0002 00000000', 'rtp-bad-extension'],
    ['a0000000 00000000 00000000 0102 00', 'rtp-bad-padding'],
    ['a0000000 00000000 00000000 0102 09', 'rtp-bad-padding'],
  ];
  for (const [bytes, code] of cases) {
    const r = parseRtpPacket(hex(bytes));
    assert.equal(r.ok, false, bytes);
    if (!r.ok) assert.equal(r.error.code, code, bytes);
  }
});

test('RFC 3550 §5.1: padding that consumes the whole payload leaves an empty payload', () => {
  const r = parseRtpPacket(hex('a0000001 00000000 00000000 00000004'));
  assert.ok(r.ok);
  assert.equal(r.value.payload.length, 0);
  assert.equal(r.value.paddingLength, 4);
});

test('writeRtpHeader fills a preallocated buffer and parseRtpInto reuses one packet object', () => {
  const buf = new Uint8Array(1500);
  const out = createRtpPacket();
  for (let seq = 65534; seq <= 65537; seq++) {
    const header = { marker: seq === 65534, payloadType: 8, sequenceNumber: seq & 0xffff, timestamp: (seq * 160) >>> 0, ssrc: 42, csrcs: [] };
    const n = writeRtpHeader(buf, 0, header);
    assert.equal(n, rtpHeaderSize(header));
    buf.fill(0xd5, n, n + 160);
    assert.equal(parseRtpInto(buf.subarray(0, n + 160), out), null);
    assert.equal(out.sequenceNumber, seq & 0xffff);
    assert.equal(out.timestamp, (seq * 160) >>> 0);
    assert.equal(out.marker, seq === 65534);
    assert.equal(out.payload.length, 160);
  }
  assert.throws(() => writeRtpHeader(new Uint8Array(8), 0, { marker: false, payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, csrcs: [] }), { code: 'rtp-buffer-too-small' });
});

test('RFC 5761 §4: RTCP is told from RTP by the second octet 192..223', () => {
  assert.equal(isRtcpPacket(hex('80c8')), true); // SR
  assert.equal(isRtcpPacket(hex('80c9')), true); // RR
  assert.equal(isRtcpPacket(hex('8000')), false); // PCMU
  assert.equal(isRtcpPacket(hex('80e5')), false); // PT 101 with marker
});
