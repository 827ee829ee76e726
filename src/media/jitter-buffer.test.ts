import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FixedJitterBuffer } from './jitter-buffer.js';
import type { JitterOutput, JitterPacket } from './jitter-buffer.js';

type P = JitterPacket<number>;
const pkt = (seq: number, ts = seq * 160, marker = false): P => ({ sequenceNumber: seq & 0xffff, timestamp: ts >>> 0, marker, payload: seq });
const show = (o: JitterOutput<number>) => (o.kind === 'frame' ? o.packet.payload : o.kind);

/**
 * Drive a buffer: `arrivals` are [packet, arrivalMs]; get() is called every 20 ms from
 * `firstGet` for `gets` periods. Returns what each get played.
 */
function drive(jb: FixedJitterBuffer<number>, arrivals: [P, number][], firstGet: number, gets: number): (number | string)[] {
  const events = [...arrivals].sort((a, b) => a[1] - b[1]);
  const out: (number | string)[] = [];
  let e = 0;
  for (let g = 0; g < gets; g++) {
    const now = firstGet + g * 20;
    while (e < events.length && events[e]![1] <= now) {
      jb.put(events[e]![0], events[e]![1]);
      e++;
    }
    out.push(show(jb.get(now)));
  }
  return out;
}

test('jitter buffer: in-order packets play at the fixed delay, one per period', () => {
  const jb = new FixedJitterBuffer<number>({ delayMs: 60 });
  const arrivals: [P, number][] = Array.from({ length: 6 }, (_, i) => [pkt(i), i * 20 + 3]);
  assert.deepEqual(drive(jb, arrivals, 0, 10), ['empty', 'empty', 'empty', 'empty', 0, 1, 2, 3, 4, 5]);
  assert.deepEqual({ ...jb.stats }, { received: 6, played: 6, late: 0, duplicate: 0, lost: 0, resyncs: 0, depth: 0, depthMs: 0 });
});

test('RFC 3550 §5.1 (sequence number "to detect packet loss and to restore packet sequence"): reordered packets come out in order', () => {
  const jb = new FixedJitterBuffer<number>({ delayMs: 60 });
  const arrivals: [P, number][] = [[pkt(0), 0], [pkt(2), 20], [pkt(1), 45], [pkt(4), 60], [pkt(3), 65], [pkt(5), 100]];
  assert.deepEqual(drive(jb, arrivals, 60, 6), [0, 1, 2, 3, 4, 5]);
  assert.equal(jb.stats.lost, 0);
});

test('jitter buffer: duplicates (held or already played) are dropped and counted', () => {
  const jb = new FixedJitterBuffer<number>({ delayMs: 40 });
  const arrivals: [P, number][] = [[pkt(0), 0], [pkt(1), 20], [pkt(1), 21], [pkt(2), 40], [pkt(0), 50], [pkt(3), 60]];
  assert.deepEqual(drive(jb, arrivals, 40, 4), [0, 1, 2, 3]);
  assert.equal(jb.stats.duplicate, 2);
  assert.equal(jb.stats.played, 4);
});

test('jitter buffer: a lost packet gives one loss marker in its slot; a late one is dropped and counted late', () => {
  const jb = new FixedJitterBuffer<number>({ delayMs: 60 });
  // 3 never arrives; 5 arrives at 200 ms, after its turn at 160 ms.
  const arrivals: [P, number][] = [0, 1, 2, 4, 6, 7].map((s) => [pkt(s), s * 20] as [P, number]);
  arrivals.push([pkt(5), 200]);
  assert.deepEqual(drive(jb, arrivals, 60, 8), [0, 1, 2, 'loss', 4, 'loss', 6, 7]);
  assert.equal(jb.stats.lost, 2);
  assert.equal(jb.stats.late, 1);
  assert.equal(jb.stats.played, 6);
});

test('jitter buffer: a burst of losses while empty is concealed as empty, then skipped without delaying playout', () => {
  const jb = new FixedJitterBuffer<number>({ delayMs: 40 });
  // 2..5 lost; nothing queued during the gap, so gets say `empty`; when 6 arrives (120 ms)
  // the missing slots 2 and 3, whose periods are over, are counted lost and skipped, 4 and 5
  // are losses in their own periods, and 6 plays in its own slot (160 ms).
  const arrivals: [P, number][] = [0, 1, 6, 7].map((s) => [pkt(s), s * 20] as [P, number]);
  assert.deepEqual(drive(jb, arrivals, 40, 8), [0, 1, 'empty', 'empty', 'loss', 'loss', 6, 7]);
  assert.equal(jb.stats.lost, 4);
});

test('RFC 3550 A.1: sequence numbers wrap at 65535 inside the buffer', () => {
  const jb = new FixedJitterBuffer<number>({ delayMs: 40 });
  const seqs = [65533, 65534, 65535, 65536, 65537, 65538];
  const arrivals: [P, number][] = seqs.map((s, i) => [{ ...pkt(s, (4000000000 + i * 160) >>> 0), payload: s }, i * 20]);
  // swap two across the wrap
  [arrivals[2], arrivals[3]] = [[arrivals[3]![0], 40], [arrivals[2]![0], 60]];
  assert.deepEqual(drive(jb, arrivals, 40, 6), seqs);
  assert.equal(jb.stats.lost, 0);
});

test('RFC 3551 §4.1: a new talk spurt (marker bit, timestamp jump) re-anchors playout; the silence is not loss', () => {
  const jb = new FixedJitterBuffer<number>({ delayMs: 40 });
  // Spurt 1: seq 0-2 (ts 0..320). 500 ms of silence (no packets; seq continues), then spurt
  // 2 from seq 3 with a timestamp 30 s ahead (sender clock jumped) and the marker.
  const arrivals: [P, number][] = [[pkt(0), 0], [pkt(1), 20], [pkt(2), 40], [pkt(3, 240000, true), 560], [pkt(4, 240160), 580], [pkt(5, 240320), 600]];
  const out = drive(jb, arrivals, 40, 31);
  assert.deepEqual(out.slice(0, 3), [0, 1, 2]);
  assert.deepEqual(out.slice(3, 28), Array(25).fill('empty'));
  assert.deepEqual(out.slice(28), [3, 4, 5]); // 560 + 40 = 600 ms = get #28 (40 + 28·20)
  assert.equal(jb.stats.lost, 0);
  assert.equal(jb.stats.late, 0);
});

test('jitter buffer: a sequence jump it cannot bridge restarts it (resync), and depth is reported', () => {
  const jb = new FixedJitterBuffer<number>({ delayMs: 60, capacity: 16 });
  jb.put(pkt(10), 0);
  jb.put(pkt(11), 20);
  jb.put(pkt(12), 40);
  assert.equal(jb.stats.depth, 3);
  assert.equal(jb.stats.depthMs, 60);
  jb.put(pkt(5000, 999 * 160), 50);
  assert.equal(jb.stats.resyncs, 1);
  assert.equal(jb.stats.depth, 1);
  assert.equal(show(jb.get(110)), 5000);
  jb.reset();
  assert.equal(show(jb.get(200)), 'empty');
});
