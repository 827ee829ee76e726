import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RtpReceiverStats } from './rtp-stats.js';

/** Feed sequence numbers 20 ms apart with matching timestamps; returns the verdicts. */
function feed(stats: RtpReceiverStats, seqs: number[], start = 0): string[] {
  return seqs.map((s, i) => stats.update(s & 0xffff, (s * 160) >>> 0, start + i * 20));
}

test('RFC 3550 A.1: a new source is on probation until MIN_SEQUENTIAL (2) packets arrive in sequence', () => {
  const s = new RtpReceiverStats({ clockRate: 8000 });
  assert.deepEqual(feed(s, [1000, 1001, 1002]), ['probation', 'valid', 'valid']);
  assert.equal(s.valid, true);
  // init_seq at the packet that ends probation: base_seq = 1001.
  assert.equal(s.expected, 2);
  assert.equal(s.received, 2);
  const t = new RtpReceiverStats({ clockRate: 8000 });
  assert.deepEqual(feed(t, [5, 7, 8]), ['probation', 'probation', 'valid'], 'an out-of-sequence packet restarts probation');
});

test('RFC 3550 A.3: expected, cumulative lost and interval fraction lost for a hand-made loss pattern', () => {
  const s = new RtpReceiverStats({ clockRate: 8000 });
  // 0 starts probation, 1 validates (base_seq = 1); 4, 7 and 8 are lost.
  feed(s, [0, 1, 2, 3, 5, 6, 9, 10]);
  assert.equal(s.extendedHighestSequence, 10);
  assert.equal(s.expected, 10);
  assert.equal(s.received, 7);
  assert.equal(s.cumulativeLost, 3);
  // fraction = (3 << 8) / 10 = 76.8 → 76
  assert.deepEqual(s.takeInterval(), { expected: 10, received: 7, lost: 3, fractionLost: 76 });
  feed(s, [11, 12, 13, 14], 200);
  assert.deepEqual(s.takeInterval(), { expected: 4, received: 4, lost: 0, fractionLost: 0 });
  assert.equal(s.cumulativeLost, 3);
});

test('RFC 3550 A.3: duplicates count as received, so they can make the interval loss negative (fraction 0)', () => {
  const s = new RtpReceiverStats({ clockRate: 8000, minSequential: 0 });
  feed(s, [10, 11, 12, 12, 12, 14]);
  assert.equal(s.expected, 5);
  assert.equal(s.received, 6);
  assert.equal(s.cumulativeLost, -1);
  assert.equal(s.takeInterval().fractionLost, 0);
});

test('RFC 3550 A.1: reordered packets are counted and do not move max_seq back', () => {
  const s = new RtpReceiverStats({ clockRate: 8000, minSequential: 0 });
  assert.deepEqual(feed(s, [20, 21, 23, 22, 24]), ['valid', 'valid', 'valid', 'valid', 'valid']);
  assert.equal(s.extendedHighestSequence, 24);
  assert.equal(s.cumulativeLost, 0);
});

test('RFC 3550 A.1: the sequence number wraps at 65535 and cycles counts the wraps', () => {
  const s = new RtpReceiverStats({ clockRate: 8000 });
  feed(s, [65532, 65533, 65534, 65535, 0, 1]);
  assert.equal(s.extendedHighestSequence, 65536 + 1);
  assert.equal(s.expected, 5); // base 65533 .. 65537
  assert.equal(s.cumulativeLost, 0);
  // A late packet from before the wrap is a reorder, not a new cycle.
  assert.equal(s.update(65535, 0, 200), 'valid');
  assert.equal(s.extendedHighestSequence, 65537);
  // Losing the packets across the wrap still counts them.
  const t = new RtpReceiverStats({ clockRate: 8000, minSequential: 0 });
  feed(t, [65534, 1]);
  assert.equal(t.extendedHighestSequence, 65537);
  assert.equal(t.cumulativeLost, 2);
});

test('RFC 3550 A.1: a jump beyond MAX_DROPOUT is dropped until the next packet in sequence confirms a restart', () => {
  const s = new RtpReceiverStats({ clockRate: 8000, minSequential: 0 });
  feed(s, [100, 101]);
  assert.equal(s.update(20000, 0, 100), 'bad-sequence');
  assert.equal(s.extendedHighestSequence, 101);
  assert.equal(s.update(30000, 0, 120), 'bad-sequence', 'a second unrelated jump is not a confirmation');
  assert.equal(s.update(30001, 160, 140), 'restarted');
  assert.equal(s.extendedHighestSequence, 30001);
  assert.equal(s.expected, 1);
  assert.equal(s.received, 1);
});

test('RFC 3550 A.8: interarrival jitter for a known arrival pattern (J += (|D| - J)/16)', () => {
  const s = new RtpReceiverStats({ clockRate: 8000, minSequential: 0 });
  // Packets every 160 timestamp units; arrivals 0, 20, 50, 60, 80 ms.
  // D: -, 0, +80, -80, 0 (ts units) → J: 0, 0, 5, 9.6875, 9.08203125 → reported 9.
  const arrivals = [0, 20, 50, 60, 80];
  arrivals.forEach((a, i) => s.update(i, i * 160, a));
  assert.equal(s.jitter, 9);
  assert.ok(Math.abs(s.jitterMs - (9.08203125 * 1000) / 8000) < 1e-9);
  // A perfectly paced stream has zero jitter, also across an RTP timestamp wrap.
  const t = new RtpReceiverStats({ clockRate: 8000, minSequential: 0 });
  for (let i = 0; i < 50; i++) t.update(i, (0xffffff00 + i * 160) >>> 0, i * 20);
  assert.equal(t.jitter, 0);
});

test('RFC 3550 §6.4.1: the report block carries LSR and DLSR in 1/65536 s, 0 before any SR', () => {
  const s = new RtpReceiverStats({ clockRate: 8000, minSequential: 0 });
  feed(s, [0, 1, 2, 4]);
  const first = s.reportBlock(0x1234, 100);
  assert.equal(first.lastSr, 0);
  assert.equal(first.delaySinceLastSr, 0);
  assert.equal(first.fractionLost, Math.floor((1 * 256) / 5));
  assert.equal(first.cumulativeLost, 1);
  assert.equal(first.extendedHighestSequence, 4);
  s.onSenderReport(0xb7052000, 1000);
  const rb = s.reportBlock(0x1234, 6250);
  assert.equal(rb.lastSr, 0xb7052000);
  assert.equal(rb.delaySinceLastSr, 0x00054000); // 5.25 s
  assert.equal(rb.fractionLost, 0);
});
