import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTelephoneEvent, digitToEvent, encodeTelephoneEvent, eventToDigit, TelephoneEventReceiver, TelephoneEventSender } from './telephone-event.js';
import type { TelephoneEventNotice, TelephoneEventPacket } from './telephone-event.js';

test('RFC 4733 §2.3: payload layout event | E R volume | duration', () => {
  const bytes = encodeTelephoneEvent({ event: 11, end: true, volume: 10, duration: 800 });
  assert.deepEqual([...bytes], [11, 0x8a, 0x03, 0x20]);
  const r = decodeTelephoneEvent(new Uint8Array([5, 0x40 | 0x3f, 0xff, 0xff]));
  assert.ok(r.ok);
  assert.deepEqual(r.value, { event: 5, end: false, volume: 63, duration: 65535 }, 'R bit ignored on receipt');
  assert.equal(decodeTelephoneEvent(new Uint8Array(3)).ok, false);
  assert.throws(() => encodeTelephoneEvent({ event: 1, end: false, volume: 64, duration: 0 }), { code: 'telephone-event-range' });
});

test('RFC 4733 §3.2: DTMF digits map to events 0-15', () => {
  assert.equal(digitToEvent('0'), 0);
  assert.equal(digitToEvent('9'), 9);
  assert.equal(digitToEvent('*'), 10);
  assert.equal(digitToEvent('#'), 11);
  assert.equal(digitToEvent('a'), 12);
  assert.equal(digitToEvent('D'), 15);
  assert.equal(digitToEvent('x'), undefined);
  assert.equal(eventToDigit(11), '#');
  assert.equal(eventToDigit(16), undefined);
});

function run(sender: TelephoneEventSender, ticks: number, startTs = 1000): (TelephoneEventPacket | undefined)[] {
  const out: (TelephoneEventPacket | undefined)[] = [];
  for (let i = 0; i < ticks; i++) out.push(sender.tick(startTs + i * 160));
  return out;
}

test('RFC 4733 §2.5.1: sender marks the first packet, keeps the timestamp, grows the duration and sends the end 3 times', () => {
  const s = new TelephoneEventSender();
  s.enqueue('5', 100);
  assert.equal(s.busy, true);
  const packets = run(s, 8);
  const sent = packets.filter((p): p is TelephoneEventPacket => p !== undefined);
  assert.equal(sent.length, 7);
  assert.deepEqual(sent.map((p) => p.marker), [true, false, false, false, false, false, false]);
  assert.deepEqual(sent.map((p) => p.timestamp), Array(7).fill(1000));
  assert.deepEqual(sent.map((p) => p.duration), [160, 320, 480, 640, 800, 800, 800]);
  assert.deepEqual(sent.map((p) => p.end), [false, false, false, false, true, true, true]);
  assert.deepEqual([...sent[6]!.payload], [5, 0x8a, 0x03, 0x20]);
  assert.equal(packets[7], undefined);
  assert.equal(s.busy, false);
});

test('RFC 4733 §2.5.1.2: consecutive digits get distinct timestamps with silent ticks between them', () => {
  const s = new TelephoneEventSender({ gapTicks: 2 });
  s.enqueue('12', 40);
  const packets = run(s, 12);
  // 1: 160(M), 320(E)x3 → ticks 0-3; gap ticks 4-5; 2 starts at tick 6.
  assert.deepEqual(packets.map((p) => (p ? `${p.event}${p.marker ? 'M' : ''}${p.end ? 'E' : ''}@${p.timestamp}` : '-')), [
    '1M@1000', '1E@1000', '1E@1000', '1E@1000', '-', '-', '2M@1960', '2E@1960', '2E@1960', '2E@1960', '-', '-',
  ]);
  assert.throws(() => s.enqueue('5x'), { code: 'telephone-event-bad-digit' });
});

function packetsFor(event: number, ts: number, durations: number[], endFrom: number): { payload: Uint8Array; ts: number }[] {
  return durations.map((d, i) => ({ payload: encodeTelephoneEvent({ event, end: i >= endFrom, volume: 10, duration: d }), ts }));
}

function feed(r: TelephoneEventReceiver, packets: { payload: Uint8Array; ts: number }[], t0 = 0): TelephoneEventNotice[] {
  return packets.flatMap((p, i) => r.receive(p.payload, p.ts, t0 + i * 20));
}

test('RFC 4733 §2.5.2: the receiver reports each digit once, ignoring updates and end retransmissions', () => {
  const r = new TelephoneEventReceiver();
  const notices = feed(r, [...packetsFor(5, 1000, [160, 320, 480, 640, 800, 800, 800], 4), ...packetsFor(11, 2000, [160, 320, 320, 320], 1)]);
  assert.deepEqual(notices.map((n) => `${n.type}:${n.digit}`), ['start:5', 'end:5', 'start:#', 'end:#']);
  const end5 = notices[1]!;
  assert.ok(end5.type === 'end' && end5.durationMs === 100 && end5.endSeen);
});

test('RFC 4733 §2.5.2: lost start packets still report the digit; a late retransmission of an old event is ignored', () => {
  const r = new TelephoneEventReceiver();
  const pkts = packetsFor(3, 5000, [160, 320, 480, 480, 480, 480], 3);
  const notices = feed(r, pkts.slice(2)); // marker packet and the next one lost
  assert.deepEqual(notices.map((n) => `${n.type}:${n.digit}`), ['start:3', 'end:3']);
  // Only end packets arriving (start and updates all lost) is still one digit.
  const onlyEnd = feed(r, packetsFor(4, 7000, [480, 480], 0), 500);
  assert.deepEqual(onlyEnd.map((n) => `${n.type}:${n.digit}`), ['start:4', 'end:4']);
  // An old packet of digit 3 arriving after digit 4 started is not a new digit.
  assert.deepEqual(r.receive(pkts[0]!.payload, 5000, 600), []);
});

test('RFC 4733 §2.5.2.2: lost end packets: the next event or a quiet period ends the digit once', () => {
  const r = new TelephoneEventReceiver({ endTimeoutMs: 200 });
  const first = feed(r, packetsFor(1, 100, [160, 320, 480], 99));
  assert.deepEqual(first.map((n) => n.type), ['start']);
  const second = feed(r, packetsFor(2, 2000, [160, 320], 99), 100);
  assert.deepEqual(second.map((n) => `${n.type}:${n.digit}`), ['end:1', 'start:2']);
  const end1 = second[0]!;
  assert.ok(end1.type === 'end' && !end1.endSeen && end1.durationMs === 60);
  assert.deepEqual(r.poll(200), []);
  const ended = r.poll(400);
  assert.deepEqual(ended.map((n) => `${n.type}:${n.digit}`), ['end:2']);
  assert.deepEqual(r.poll(1000), []);
  // Its end packets arriving after all do not report it again.
  assert.deepEqual(feed(r, packetsFor(2, 2000, [480, 480], 0), 1000), []);
});

test('RFC 4733 §2.5.2: a digit repeated (same event, new timestamp) is two digits; timestamps compare modulo 2^32', () => {
  const r = new TelephoneEventReceiver();
  const n = feed(r, [...packetsFor(7, 0xffffff00, [160, 160], 1), ...packetsFor(7, 0x60, [160, 160], 1)]);
  assert.deepEqual(n.map((x) => `${x.type}:${x.digit}`), ['start:7', 'end:7', 'start:7', 'end:7']);
});

test('RFC 4733 §2.5: a sender and a receiver agree on a digit string', () => {
  const s = new TelephoneEventSender();
  const r = new TelephoneEventReceiver();
  s.enqueue('123*#ABCD0', 80);
  const digits: string[] = [];
  for (let i = 0; i < 200; i++) {
    const p = s.tick(i * 160);
    if (p) for (const n of r.receive(p.payload, p.timestamp, i * 20)) if (n.type === 'start') digits.push(n.digit!);
  }
  assert.equal(digits.join(''), '123*#ABCD0');
});
