import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audioFormat } from './audio-frame.js';
import type { AudioSink } from './audio-frame.js';
import { ToneSource } from './audio-source.js';
import { WavRecorder } from './audio-sink.js';
import { PCMA_CODEC, PCMU_CODEC } from './codec-registry.js';
import { parseRtcpCompound } from './rtcp.js';
import type { RtcpPacket } from './rtcp.js';
import { parseRtpPacket } from './rtp-packet.js';
import type { RtpPacket } from './rtp-packet.js';
import { RtpStream } from './rtp-stream.js';
import type { RtpStreamIo, RtpStreamOptions } from './rtp-stream.js';
import type { MediaDirection, RtpStreamConfig } from './stream-config.js';
import { decodeTelephoneEvent } from './telephone-event.js';
import { activeCoverage, dominantFrequency } from './tone-analysis.js';

const FORMAT = audioFormat(8000, 20);

interface Sent {
  bytes: Uint8Array;
  address: string;
  port: number;
}

class RecordingIo implements RtpStreamIo {
  rtp: Sent[] = [];
  rtcp: Sent[] = [];
  sendRtp(bytes: Uint8Array, address: string, port: number): void {
    this.rtp.push({ bytes: bytes.slice(), address, port });
  }
  sendRtcp(bytes: Uint8Array, address: string, port: number): void {
    this.rtcp.push({ bytes: bytes.slice(), address, port });
  }
  packets(): RtpPacket[] {
    return this.rtp.filter((s) => !(s.bytes[1]! >= 192 && s.bytes[1]! <= 223)).map((s) => {
      const r = parseRtpPacket(s.bytes);
      assert.ok(r.ok);
      return r.value;
    });
  }
  reports(): RtcpPacket[][] {
    return this.rtcp.map((s) => {
      const r = parseRtcpCompound(s.bytes);
      assert.ok(r.ok);
      return r.value;
    });
  }
}

/** A deterministic [0,1) sequence so SSRC, sequence and timestamp starts are known. */
function seeded(seed = 1): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

function config(over: Partial<RtpStreamConfig> = {}): RtpStreamConfig {
  return {
    sendCodec: PCMU_CODEC,
    sendPayloadType: 0,
    receiveCodecs: [{ payloadType: 0, codec: PCMU_CODEC }],
    telephoneEvent: { payloadType: 101, receivePayloadType: 101, clockRate: 8000 },
    ptime: 20,
    direction: 'sendrecv',
    remoteRtp: { address: '192.0.2.1', port: 4000 },
    remoteRtcp: { address: '192.0.2.1', port: 4001 },
    rtcpMux: false,
    ...over,
  };
}

function stream(over: Partial<RtpStreamOptions> & { cfg?: Partial<RtpStreamConfig> } = {}): { s: RtpStream; io: RecordingIo } {
  const io = new RecordingIo();
  const cfg = config(over.cfg);
  const fmt = audioFormat(cfg.sendCodec.sampleRate, cfg.ptime);
  const s = new RtpStream({ config: cfg, io, source: new ToneSource(fmt, { frequency: 440 }), random: seeded(), wallClockMs: () => 1_700_000_000_000, ...over });
  return { s, io };
}

/** Step a virtual clock from `from` to `to` in `step` ms ticks. */
function run(streams: RtpStream[], from: number, to: number, step = 10): void {
  for (let t = from; t <= to; t += step) for (const s of streams) s.tick(t);
}

test('RFC 3550 §5.1: one packet per 20 ms; sequence +1 and timestamp +160 per packet from random starts; one SSRC', () => {
  const { s, io } = stream();
  s.start(0);
  run([s], 0, 990);
  const p = io.packets();
  assert.equal(p.length, 50);
  const { s: s2 } = stream({ random: seeded(99) });
  assert.notEqual(s2.ssrc, s.ssrc, 'the SSRC comes from the random source');
  for (let i = 1; i < p.length; i++) {
    assert.equal(p[i]!.sequenceNumber, (p[0]!.sequenceNumber + i) & 0xffff);
    assert.equal(p[i]!.timestamp, (p[0]!.timestamp + 160 * i) >>> 0);
    assert.equal(p[i]!.ssrc, s.ssrc);
    assert.equal(p[i]!.payloadType, 0);
    assert.equal(p[i]!.payload.length, 160);
  }
  assert.equal(io.rtp[0]!.address, '192.0.2.1');
  assert.equal(io.rtp[0]!.port, 4000);
});

test('RFC 3551 §4.1: the marker bit is set on the first packet of the talk spurt only', () => {
  const { s, io } = stream();
  s.start(0);
  run([s], 0, 200);
  const markers = io.packets().map((p) => p.marker);
  assert.equal(markers[0], true);
  assert.ok(markers.slice(1).every((m) => !m));
});

test('ptime 30: 240 samples per packet, timestamps +240, evenly spaced on a 10 ms clock', () => {
  const { s, io } = stream({ cfg: { ptime: 30 } });
  s.start(5);
  const times: number[] = [];
  for (let t = 5; t <= 305; t += 10) {
    const before = io.rtp.length;
    s.tick(t);
    if (io.rtp.length > before) times.push(t);
  }
  const p = io.packets();
  assert.equal(p[0]!.payload.length, 240);
  assert.equal(p[1]!.timestamp - p[0]!.timestamp, 240);
  assert.deepEqual(times.slice(0, 4), [5, 35, 65, 95]);
});

test('mute sends silence (PCMU 0xFF) and keeps the timeline: packets and timestamps go on', () => {
  const { s, io } = stream();
  s.start(0);
  run([s], 0, 90);
  s.setMuted(true);
  run([s], 100, 190);
  const p = io.packets();
  assert.equal(p.length, 10);
  assert.ok(p.slice(0, 5).every((x) => x.payload.some((b) => b !== 0xff)), 'tone before mute');
  assert.ok(p.slice(5).every((x) => x.payload.every((b) => b === 0xff)), 'silence while muted');
  for (let i = 1; i < p.length; i++) assert.equal(p[i]!.timestamp - p[i - 1]!.timestamp, 160);
  assert.equal(s.stats().muted, true);
});

test('PCMA encodes with payload type 8 and A-law silence when muted', () => {
  const { s, io } = stream({ cfg: { sendCodec: PCMA_CODEC, sendPayloadType: 8, receiveCodecs: [{ payloadType: 8, codec: PCMA_CODEC }] } });
  s.setMuted(true);
  s.start(0);
  run([s], 0, 50);
  const p = io.packets();
  assert.ok(p.every((x) => x.payloadType === 8 && x.payload.every((b) => b === 0xd5)));
});

/** Two cores joined by an in-memory network on a virtual clock, with a delay and a filter. */
function pair(dirA: MediaDirection, dirB: MediaDirection, opts: { drop?: (n: number) => boolean; sinkA?: AudioSink; sinkB?: AudioSink } = {}) {
  const fmt = FORMAT;
  const queue: { at: number; to: 'a' | 'b'; rtcp: boolean; bytes: Uint8Array; port: number }[] = [];
  let n = 0;
  const ioFor = (from: 'a' | 'b'): RtpStreamIo => ({
    sendRtp(bytes) {
      if (opts.drop?.(n++)) return;
      queue.push({ at: now + 5, to: from === 'a' ? 'b' : 'a', rtcp: false, bytes: bytes.slice(), port: from === 'a' ? 6000 : 7000 });
    },
    sendRtcp(bytes) {
      queue.push({ at: now + 5, to: from === 'a' ? 'b' : 'a', rtcp: true, bytes: bytes.slice(), port: from === 'a' ? 6001 : 7001 });
    },
  });
  let now = 0;
  const a = new RtpStream({
    config: config({ direction: dirA, remoteRtp: { address: '10.0.0.2', port: 7000 }, remoteRtcp: { address: '10.0.0.2', port: 7001 } }),
    io: ioFor('a'),
    source: new ToneSource(fmt, { frequency: 440 }),
    sink: opts.sinkA,
    random: seeded(3),
    wallClockMs: () => 1_700_000_000_000,
    rtcpIntervalMs: 1000,
  });
  const b = new RtpStream({
    config: config({ direction: dirB, remoteRtp: { address: '10.0.0.1', port: 6000 }, remoteRtcp: { address: '10.0.0.1', port: 6001 } }),
    io: ioFor('b'),
    source: new ToneSource(fmt, { frequency: 1000 }),
    sink: opts.sinkB,
    random: seeded(4),
    wallClockMs: () => 1_700_000_000_000,
    rtcpIntervalMs: 1000,
  });
  const advance = (to: number) => {
    for (; now <= to; now += 1) {
      for (let i = 0; i < queue.length; ) {
        const m = queue[i]!;
        if (m.at > now) {
          i++;
          continue;
        }
        queue.splice(i, 1);
        const target = m.to === 'a' ? a : b;
        const addr = m.to === 'a' ? '10.0.0.2' : '10.0.0.1';
        if (m.rtcp) target.receiveRtcp(m.bytes, addr, m.port, now);
        else target.receiveRtp(m.bytes, addr, m.port, now);
      }
      if (now % 10 === 0) {
        a.tick(now);
        b.tick(now);
      }
    }
  };
  a.start(0);
  b.start(0);
  return { a, b, advance };
}

test('two cores on a virtual network hear each other: frequency, coverage, no loss', () => {
  const recA = new WavRecorder(FORMAT);
  const recB = new WavRecorder(FORMAT);
  const { a, b, advance } = pair('sendrecv', 'sendrecv', { sinkA: recA, sinkB: recB });
  advance(2000);
  const fa = dominantFrequency(recA.samples(), 8000)!;
  const fb = dominantFrequency(recB.samples(), 8000)!;
  assert.ok(Math.abs(fa - 1000) < 20, `A hears ${fa}`);
  assert.ok(Math.abs(fb - 440) < 9, `B hears ${fb}`);
  const cov = activeCoverage(recB.samples().subarray(800), 8000, 300);
  assert.ok(cov.coverage > 0.99, JSON.stringify(cov));
  assert.equal(a.stats().packetsLost, 0);
  assert.equal(b.stats().concealedFrames, 0);
  assert.ok(b.stats().packetsReceived >= 99);
});

test('RFC 3264 §5.1 directions: sendonly sends and does not play, recvonly plays and does not send, inactive neither', () => {
  const recA = new WavRecorder(FORMAT);
  const recB = new WavRecorder(FORMAT);
  const { a, b, advance } = pair('sendonly', 'recvonly', { sinkA: recA, sinkB: recB });
  advance(1000);
  assert.ok(a.stats().packetsSent >= 49);
  assert.equal(b.stats().packetsSent, 0);
  assert.equal(recA.sampleCount, 0, 'sendonly does not play');
  assert.ok(recB.sampleCount > 7000, 'recvonly plays');
  const q = pair('inactive', 'inactive', { sinkA: new WavRecorder(FORMAT) });
  q.advance(1500);
  assert.equal(q.a.stats().packetsSent + q.b.stats().packetsSent, 0);
  assert.ok(q.a.stats().rtcpSent >= 1, 'RTCP still flows on an inactive stream');
});

test('RFC 3264 §8.4: no RTP and no RTCP to a c=0.0.0.0 peer', () => {
  const { s, io } = stream({ cfg: { remoteRtp: { address: '0.0.0.0', port: 4000 }, remoteRtcp: { address: '0.0.0.0', port: 4001 } } });
  s.start(0);
  run([s], 0, 5000);
  assert.equal(io.rtp.length + io.rtcp.length, 0);
});

test('RFC 4733 §2.5.1: sendDtmf sends events with one timestamp, marker on the first, the end three times, and suppresses audio', () => {
  const { s, io } = stream();
  s.start(0);
  run([s], 0, 90);
  assert.deepEqual(s.sendDtmf('5', 100), { ok: true });
  run([s], 100, 400);
  const p = io.packets();
  const te = p.filter((x) => x.payloadType === 101);
  const events = te.map((x) => {
    const r = decodeTelephoneEvent(x.payload);
    assert.ok(r.ok);
    return r.value;
  });
  assert.equal(te.length, 7, '5 packets of duration + 2 more end packets');
  assert.ok(te.every((x) => x.timestamp === te[0]!.timestamp));
  assert.deepEqual(te.map((x) => x.marker), [true, false, false, false, false, false, false]);
  assert.deepEqual(events.map((e) => e.end), [false, false, false, false, true, true, true]);
  assert.ok(events.every((e) => e.event === 5));
  assert.equal(events[6]!.duration, 800);
  // audio stops during the event, and comes back as a new talk spurt
  const firstTe = p.indexOf(te[0]!);
  const lastTe = p.indexOf(te[6]!);
  assert.ok(p.slice(firstTe, lastTe + 1).every((x) => x.payloadType === 101));
  const after = p.slice(lastTe + 1).filter((x) => x.payloadType === 0);
  assert.equal(after[0]!.marker, true);
  assert.ok(after.slice(1).every((x) => !x.marker));
  // sequence numbers stay continuous across audio and events
  for (let i = 1; i < p.length; i++) assert.equal(p[i]!.sequenceNumber, (p[i - 1]!.sequenceNumber + 1) & 0xffff);
  assert.equal(s.stats().dtmfSent, 1);
});

test('RFC 4733: without a negotiated telephone-event, sendDtmf says so (the caller uses SIP INFO)', () => {
  const { s } = stream({ cfg: { telephoneEvent: undefined } });
  s.start(0);
  assert.equal(s.canSendDtmf, false);
  assert.deepEqual(s.sendDtmf('1'), { ok: false, reason: 'no-telephone-event' });
  const r = stream({ cfg: { direction: 'recvonly' } });
  assert.deepEqual(r.s.sendDtmf('1'), { ok: false, reason: 'not-sending' });
  assert.throws(() => stream().s.sendDtmf('x'), /not a DTMF digit/);
});

test('RFC 4733 §2.5.2: digits sent by one core are reported once each, in order, by the other', () => {
  const { a, b, advance } = pair('sendrecv', 'sendrecv');
  const got: string[] = [];
  b.on('dtmf', (d) => got.push(d.digit));
  advance(200);
  a.sendDtmf('1234#*', 80);
  advance(3000);
  assert.deepEqual(got, ['1', '2', '3', '4', '#', '*']);
  assert.equal(b.stats().dtmfReceived, 6);
});

test('received packets of a payload type not negotiated are ignored; wrong-version junk is counted', () => {
  const { a, b, advance } = pair('sendrecv', 'sendrecv');
  advance(200);
  const before = b.stats().packetsReceived;
  const junk = new Uint8Array(172);
  junk[0] = 0x80;
  junk[1] = 18; // G.729, not negotiated
  b.receiveRtp(junk, '10.0.0.1', 6000, 201);
  b.receiveRtp(new Uint8Array([1, 2, 3]), '10.0.0.1', 6000, 201);
  assert.equal(b.stats().packetsReceived, before);
  assert.equal(b.stats().packetsDiscarded, 2);
  void a;
});

test('RFC 4961 symmetric RTP: the first packet latches the send address; a stray packet does not move it, three in a row do', () => {
  const { s, io } = stream({ cfg: { remoteRtp: { address: '192.0.2.1', port: 4000 } } });
  const moves: string[] = [];
  s.on('remoteAddressChanged', (e) => moves.push(`${e.kind} ${e.to.address}:${e.to.port}`));
  s.start(0);
  const peer = stream({ random: seeded(7) });
  peer.s.start(0);
  run([peer.s], 0, 200);
  const pk = peer.io.rtp.map((x) => x.bytes);
  s.receiveRtp(pk[0]!, '198.51.100.7', 5004, 10);
  s.tick(20);
  assert.deepEqual(io.rtp.at(-1)!.port, 5004);
  assert.equal(io.rtp.at(-1)!.address, '198.51.100.7');
  s.receiveRtp(pk[1]!, '203.0.113.9', 9999, 30);
  s.receiveRtp(pk[2]!, '198.51.100.7', 5004, 40);
  s.tick(40);
  assert.equal(io.rtp.at(-1)!.port, 5004, 'one stray packet does not move the stream');
  s.receiveRtp(pk[3]!, '203.0.113.9', 9999, 50);
  s.receiveRtp(pk[4]!, '203.0.113.9', 9999, 60);
  s.receiveRtp(pk[5]!, '203.0.113.9', 9999, 70);
  s.tick(80);
  assert.equal(io.rtp.at(-1)!.port, 9999);
  assert.deepEqual(moves, ['rtp 198.51.100.7:5004', 'rtp 203.0.113.9:9999']);
  assert.deepEqual(s.stats().remoteRtp, { address: '203.0.113.9', port: 9999 });
});

test('RFC 3550 §6.4: an SR with SDES CNAME after sending, an RR when not; report blocks; RTT from LSR/DLSR', () => {
  const { a, b, advance } = pair('sendrecv', 'recvonly');
  const reports: (number | undefined)[] = [];
  a.on('report', (r) => reports.push(r.rttMs));
  advance(4000);
  const sa = a.stats();
  const sb = b.stats();
  assert.ok(sa.rtcpSent >= 2 && sb.rtcpSent >= 2, `${sa.rtcpSent} ${sb.rtcpSent}`);
  assert.ok(sa.rtcpReceived >= 1 && sb.rtcpReceived >= 1);
  // the virtual network delays 5 ms each way and streams tick every 10 ms
  assert.ok(sa.rttMs !== undefined && sa.rttMs >= 9 && sa.rttMs <= 11, `rtt ${sa.rttMs}`);
  assert.ok(sa.remote && sa.remote.cumulativeLost === 0 && sa.remote.fractionLost === 0);
  assert.equal(sb.rttMs, undefined, 'B never received an SR-bearing report block about itself with LSR (A sends no RR block for a silent B)');
  assert.ok(reports.some((r) => r !== undefined));
});

test('RFC 3550 §6.4.1: compound packet layout; RFC 3550 §6.6: BYE on stop', () => {
  const { s, io } = stream({ rtcpIntervalMs: 1000, cname: 'me@test' });
  s.start(0);
  run([s], 0, 3000);
  const rs = io.reports();
  assert.ok(rs.length >= 2 && rs.length <= 5, `${rs.length} reports in 3 s at Td=1 s`);
  for (const r of rs) {
    assert.equal(r[0]!.type, 'sr');
    assert.equal(r[1]!.type, 'sdes');
    assert.deepEqual(r[1]!.type === 'sdes' && r[1]!.chunks[0], { ssrc: s.ssrc, items: [{ type: 1, text: 'me@test' }] });
  }
  const sr = rs[0]![0]!;
  assert.ok(sr.type === 'sr' && sr.packetCount > 0 && sr.octetCount === sr.packetCount * 160);
  assert.equal(io.rtcp[0]!.port, 4001);
  s.stop(3001, 'done');
  const last = io.reports().at(-1)!;
  assert.deepEqual(last.map((p) => p.type), ['sr', 'sdes', 'bye']);
  s.stop(3002);
  assert.equal(io.reports().length, rs.length + 1, 'stop is idempotent');
});

test('RFC 3550 §6.2: report times are randomised within [0.5, 1.5] x the interval, the first at half', () => {
  const { s, io } = stream({ rtcpIntervalMs: 1000, random: Math.random });
  const at: number[] = [];
  s.start(0);
  for (let t = 0; t <= 20000; t += 10) {
    const n = io.rtcp.length;
    s.tick(t);
    if (io.rtcp.length > n) at.push(t);
  }
  assert.ok(at[0]! >= 250 && at[0]! <= 760, `first at ${at[0]}`);
  for (let i = 1; i < at.length; i++) assert.ok(at[i]! - at[i - 1]! >= 500 && at[i]! - at[i - 1]! <= 1510, `gap ${at[i]! - at[i - 1]!}`);
});

test('rtcp-mux: RTCP goes to the RTP port and arriving RTCP on the RTP port is recognised', () => {
  const { s, io } = stream({ rtcpIntervalMs: 1000, cfg: { rtcpMux: true, remoteRtcp: { address: '192.0.2.1', port: 4000 } } });
  s.start(0);
  run([s], 0, 2000);
  assert.equal(io.rtcp.length, 0);
  const rtcp = io.rtp.filter((x) => x.bytes[1] === 200);
  assert.ok(rtcp.length >= 1);
  assert.equal(rtcp[0]!.port, 4000);
  const other = stream({ random: seeded(11), cfg: { rtcpMux: true } });
  other.s.start(0);
  other.s.receiveRtp(rtcp[0]!.bytes, '192.0.2.1', 4000, 100);
  assert.equal(other.s.stats().rtcpReceived, 1);
});

test('a stalled clock is caught up by at most 5 frames, then the stream skips ahead with a marker', () => {
  const { s, io } = stream();
  s.start(0);
  s.tick(0);
  s.tick(1000); // 50 frames due
  const p = io.packets();
  assert.equal(p.length, 6);
  s.tick(1010);
  assert.equal(io.packets().length, 6, 'frames 6..50 were skipped; the next is due at 1020');
  s.tick(1020);
  const q = io.packets();
  assert.equal(q.length, 7);
  assert.equal(q[6]!.marker, true);
  assert.equal(q[6]!.timestamp - q[0]!.timestamp, 160 * 51, 'timestamps follow time, not packets');
});

test('a source or sink whose frame format does not match the stream is a programmer error', () => {
  const io = new RecordingIo();
  assert.throws(() => new RtpStream({ config: config(), io, source: new ToneSource(audioFormat(16000, 20), { frequency: 440 }) }), /stream-format|needs 20 ms at 8000 Hz/);
  assert.throws(() => new RtpStream({ config: config(), io, sink: new WavRecorder(audioFormat(8000, 30)) }), /needs 20 ms/);
});

test('update(): hold to sendonly stops playing, resuming sendrecv restarts with a marker; format changes are refused', () => {
  const { s, io } = stream();
  s.start(0);
  run([s], 0, 100);
  s.update(config({ direction: 'recvonly' }));
  run([s], 110, 300);
  const n = io.packets().length;
  s.update(config({ direction: 'sendrecv' }));
  run([s], 310, 400);
  const p = io.packets();
  assert.ok(p.length > n);
  assert.equal(p[n]!.marker, true);
  assert.equal(p[n]!.timestamp - p[n - 1]!.timestamp, 160 * 11, 'the timestamp moved on during the hold (100 ms → 320 ms)');
  assert.throws(() => s.update(config({ ptime: 30 })), /ptime/);
});
