import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ntpFromUnixMs, ntpMiddle32, parseRtcpCompound, roundTripMs, sdesCnames, serializeRtcpCompound, serializeRtcpPacket } from './rtcp.js';
import type { RtcpPacket, SenderReport } from './rtcp.js';

const block = { ssrc: 0x11223344, fractionLost: 64, cumulativeLost: -3, extendedHighestSequence: 0x1fffe, jitter: 37, lastSr: 0xabcd1234, delaySinceLastSr: 65536 };

test('RFC 3550 §6.4.1: SR with a report block serialises to 52 bytes, length field 12, and parses back', () => {
  const sr: SenderReport = { type: 'sr', ssrc: 7, ntpSeconds: 0xe0000001, ntpFraction: 0x80000000, rtpTimestamp: 160000, packetCount: 1000, octetCount: 160000, reports: [block] };
  const bytes = serializeRtcpPacket(sr);
  assert.equal(bytes.length, 52);
  assert.deepEqual([...bytes.subarray(0, 4)], [0x81, 200, 0, 12]);
  // cumulative lost -3 as signed 24-bit: 0xfffffd, after the fraction octet 64.
  assert.deepEqual([...bytes.subarray(32, 36)], [64, 0xff, 0xff, 0xfd]);
  const r = parseRtcpCompound(bytes);
  assert.ok(r.ok);
  assert.deepEqual(r.value, [{ ...sr, profileExtension: undefined }]);
});

test('RFC 3550 §6.1: a compound RR + SDES CNAME + BYE round-trips, chunks padded to 32 bits', () => {
  const packets: RtcpPacket[] = [
    { type: 'rr', ssrc: 1, reports: [block, { ...block, ssrc: 9, cumulativeLost: 0x7fffff }] },
    { type: 'sdes', chunks: [{ ssrc: 1, items: [{ type: 1, text: 'alice@127.0.0.1' }] }, { ssrc: 2, items: [{ type: 1, text: 'bob' }, { type: 2, text: 'Bob B' }] }] },
    { type: 'bye', ssrcs: [1], reason: 'hangup' },
  ];
  const bytes = serializeRtcpCompound(packets);
  assert.equal(bytes.length % 4, 0);
  const r = parseRtcpCompound(bytes);
  assert.ok(r.ok);
  assert.deepEqual(r.value, [{ ...packets[0], profileExtension: undefined }, packets[1], packets[2]]);
  const sdes = r.value[1];
  assert.ok(sdes?.type === 'sdes');
  assert.equal(sdesCnames(sdes).get(1), 'alice@127.0.0.1');
});

test('RFC 3550 §6.5: an SDES item ending on a 32-bit boundary is followed by a whole null word', () => {
  // 4 (ssrc) + 2 + 6 = 12 octets of chunk: 4 null octets follow.
  const bytes = serializeRtcpPacket({ type: 'sdes', chunks: [{ ssrc: 5, items: [{ type: 1, text: 'abcdef' }] }] });
  assert.equal(bytes.length, 4 + 16);
  assert.deepEqual([...bytes.subarray(16)], [0, 0, 0, 0]);
  assert.ok(parseRtcpCompound(bytes).ok);
});

test('RFC 3550 §6.6: BYE without a reason, and unknown packet types (APP, XR) kept opaque', () => {
  const bytes = serializeRtcpCompound([
    { type: 'rr', ssrc: 3, reports: [] },
    { type: 'bye', ssrcs: [3, 4] },
    { type: 'unknown', packetType: 207, count: 0, body: new Uint8Array([0, 0, 0, 3, 4, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8]) },
  ]);
  const r = parseRtcpCompound(bytes);
  assert.ok(r.ok);
  assert.deepEqual(r.value[1], { type: 'bye', ssrcs: [3, 4], reason: undefined });
  const xr = r.value[2];
  assert.ok(xr?.type === 'unknown');
  assert.equal(xr.packetType, 207);
  assert.equal(xr.body.length, 16);
});

test('RFC 3550 Appendix A.2: bad version, overlong length and padding on a non-final packet are rejected', () => {
  const good = serializeRtcpCompound([{ type: 'rr', ssrc: 3, reports: [] }, { type: 'bye', ssrcs: [3] }]);
  const badVersion = good.slice();
  badVersion[8] = 0x41;
  const r1 = parseRtcpCompound(badVersion);
  assert.ok(!r1.ok && r1.error.code === 'rtcp-bad-version' && r1.error.offset === 8);
  const badLength = good.slice();
  badLength[3] = 9;
  const r2 = parseRtcpCompound(badLength);
  assert.ok(!r2.ok && r2.error.code === 'rtcp-bad-length');
  const badPad = good.slice();
  badPad[0] = badPad[0]! | 0x20;
  const r3 = parseRtcpCompound(badPad);
  assert.ok(!r3.ok && r3.error.code === 'rtcp-bad-padding');
  assert.equal(parseRtcpCompound(new Uint8Array(2)).ok, false);
  // A truncated report block list is an error, not a read past the end.
  const shortRr = serializeRtcpPacket({ type: 'rr', ssrc: 1, reports: [] });
  shortRr[0] = 0x81;
  assert.equal(parseRtcpCompound(shortRr).ok, false);
});

test('RFC 3550 §6.4.1: padding on the last packet of a compound is stripped', () => {
  const bye = serializeRtcpPacket({ type: 'bye', ssrcs: [3] });
  const padded = new Uint8Array(bye.length + 4);
  padded.set(bye);
  padded[0] = padded[0]! | 0x20;
  padded[3] = 2; // 3 words
  padded[padded.length - 1] = 4;
  const r = parseRtcpCompound(padded);
  assert.ok(r.ok);
  assert.deepEqual(r.value, [{ type: 'bye', ssrcs: [3], reason: undefined }]);
});

test('RFC 3550 §6.4.1: round trip A - LSR - DLSR, the worked example of the RFC', () => {
  // §6.4.1 example: A = 0xb710:8000 (46864.500 s), LSR = 0xb705:2000 (46853.125 s),
  // DLSR = 0x0005:4000 (5.250 s) → delay 0x0006:2000 = 6.125 s.
  assert.equal(roundTripMs(0xb7108000, 0xb7052000, 0x00054000), 6125);
  assert.equal(roundTripMs(0xb7108000, 0, 0), undefined);
  // Wraps modulo 2^32.
  assert.equal(roundTripMs(0x00001000, 0xffffff00, 0x100), (0x1000 * 1000) / 65536);
});

test('RFC 3550 §4: NTP timestamps from Unix time and their middle 32 bits', () => {
  const t = ntpFromUnixMs(1500);
  assert.equal(t.seconds, 2208988801);
  assert.equal(t.fraction, 0x80000000);
  assert.equal(ntpMiddle32(0x1234abcd, 0x80000000), 0xabcd8000);
});
