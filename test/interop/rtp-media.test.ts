// Media over real UDP on 127.0.0.1: two MediaStreams (our RTP/RTCP engine, its Node sockets and
// the shared media clock) negotiated through the real SDP offer/answer, judged by what they
// record (tone-analysis.ts), not by packet counts alone. A small UDP relay in the test drops and
// reorders packets for the loss test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { OfferAnswer } from '../../src/sdp/index.js';
import type { LocalMedia, NegotiatedMedia } from '../../src/sdp/index.js';
import { ToneSource } from '../../src/media/audio-source.js';
import { WavRecorder } from '../../src/media/audio-sink.js';
import { MediaStream } from '../../src/media/media-stream.js';
import { streamAudioFormat, streamConfigFromNegotiated } from '../../src/media/stream-config.js';
import { activeCoverage, dominantFrequency } from '../../src/media/tone-analysis.js';
import { NodeMediaClock } from '../../src/platform/node/media-clock.js';
import { PortRange } from '../../src/platform/node/port-range.js';
import { RtpSocket } from '../../src/platform/node/rtp-socket.js';

const range = new PortRange({ min: 24000, max: 24999 });
const clock = new NodeMediaClock();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Side {
  socket: RtpSocket;
  stream: MediaStream;
  recorder: WavRecorder;
}

/**
 * Open two sockets, negotiate with the real offer/answer (A offers `codecs`), and build a
 * stream on each side sending its tone and recording what it hears. `rewrite` may alter
 * what each side believes about the other (wrong ports, a relay in between).
 */
async function call(opts: {
  codecs: string[];
  toneA?: number;
  toneB?: number;
  rtcpIntervalMs?: number;
  rewrite?: (side: 'a' | 'b', nm: NegotiatedMedia) => NegotiatedMedia;
}): Promise<{ a: Side; b: Side }> {
  const sa = await RtpSocket.open({ portRange: range });
  const sb = await RtpSocket.open({ portRange: range });
  const local = (s: RtpSocket, codecs: string[]): LocalMedia => ({ address: '127.0.0.1', port: s.rtpPort, codecs: codecs.map((name) => ({ name, clockRate: 8000 })) });
  const oa = new OfferAnswer({ local: { audio: local(sa, opts.codecs) }, sessionIdSource: () => 1 });
  const ob = new OfferAnswer({ local: { audio: local(sb, ['PCMU', 'PCMA']) }, sessionIdSource: () => 2 });
  assert.ok(ob.receiveOffer(oa.createOffer()).ok);
  const answer = ob.createAnswer();
  const done = oa.receiveAnswer(answer.description);
  assert.ok(done.ok);
  const nmA = opts.rewrite ? opts.rewrite('a', done.value[0]!) : done.value[0]!;
  const nmB = opts.rewrite ? opts.rewrite('b', answer.media[0]!) : answer.media[0]!;
  const side = (socket: RtpSocket, nm: NegotiatedMedia, tone: number): Side => {
    const format = streamAudioFormat(streamConfigFromNegotiated(nm));
    const recorder = new WavRecorder(format);
    const stream = MediaStream.fromNegotiated(nm, {
      transport: socket,
      clock,
      source: new ToneSource(format, { frequency: tone }),
      sink: recorder,
      ...(opts.rtcpIntervalMs ? { rtcpIntervalMs: opts.rtcpIntervalMs } : {}),
    });
    return { socket, stream, recorder };
  };
  return { a: side(sa, nmA, opts.toneA ?? 440), b: side(sb, nmB, opts.toneB ?? 1000) };
}

async function hangUp(...sides: Side[]): Promise<void> {
  await Promise.all(sides.map((s) => s.stream.close()));
}

/**
 * The recording has `expectedHz` as its dominant frequency (±2 %), and from the moment audio
 * first arrives (the setup latency — first packet plus the 60 ms playout delay — is checked
 * apart) at least 90 % of it carries signal with no gap over 100 ms.
 */
function judge(rec: WavRecorder, expectedHz: number, label: string): void {
  const samples = rec.samples();
  const f = dominantFrequency(samples, 8000);
  assert.ok(f !== undefined && Math.abs(f - expectedHz) <= expectedHz * 0.02, `${label} hears ${f} Hz, expected ${expectedHz} Hz ±2 %`);
  const lead = leadingSilenceMs(samples);
  assert.ok(lead <= 250, `${label}: the first audio came after ${lead} ms`);
  const heard = samples.subarray((lead * 8000) / 1000);
  const cov = activeCoverage(heard, 8000, 300);
  const total = activeCoverage(samples, 8000, 300);
  const info = `${label}: lead ${lead} ms, after it ${JSON.stringify(cov)}, overall ${JSON.stringify(total)}`;
  assert.ok(cov.coverage >= 0.9 && total.coverage >= 0.9, info);
  assert.ok(cov.longestGapMs <= 100, info);
}

function leadingSilenceMs(samples: Int16Array): number {
  for (let w = 0; (w + 1) * 160 <= samples.length; w++) {
    if (activeCoverage(samples.subarray(w * 160, (w + 1) * 160), 8000, 300).coverage > 0) return w * 20;
  }
  return samples.length / 8;
}

for (const codec of ['PCMU', 'PCMA']) {
  test(`${codec}: two streams on loopback hear each other's tone for 2 s (frequency ±2 %, coverage ≥ 90 %, no gap over 100 ms)`, async () => {
    const { a, b } = await call({ codecs: [codec] });
    assert.equal(a.stream.stats().codec, codec);
    assert.equal(b.stream.stats().codec, codec);
    a.stream.start();
    b.stream.start();
    await sleep(2000);
    await hangUp(a, b);
    judge(a.recorder, 1000, 'A');
    judge(b.recorder, 440, 'B');
    for (const s of [a, b]) {
      const st = s.stream.stats();
      assert.ok(st.packetsSent >= 95 && st.packetsReceived >= 95, JSON.stringify(st));
      assert.equal(st.packetsLost, 0);
    }
  });
}

test('RFC 4733 end to end: digits "1234#*" sent by one stream are reported exactly once each, in order, by the other', async () => {
  const { a, b } = await call({ codecs: ['PCMU'] });
  const got: { digit: string; durationMs: number }[] = [];
  b.stream.on('dtmf', (d) => got.push({ digit: d.digit, durationMs: d.durationMs }));
  a.stream.start();
  b.stream.start();
  assert.equal(a.stream.canSendDtmf, true);
  await sleep(200);
  assert.deepEqual(a.stream.sendDtmf('1234#*', 100), { ok: true });
  const deadline = Date.now() + 5000;
  while (got.length < 6 && Date.now() < deadline) await sleep(50);
  await sleep(300); // anything reported twice would show up now
  await hangUp(a, b);
  assert.deepEqual(got.map((g) => g.digit), ['1', '2', '3', '4', '#', '*']);
  assert.ok(got.every((g) => g.durationMs === 100), JSON.stringify(got));
  assert.equal(a.stream.stats().dtmfSent, 6);
});

test('RFC 4961 symmetric RTP: the peer advertised a wrong port; after its first packet we send where it comes from', async () => {
  let wrongPort = 0;
  const { a, b } = await call({
    codecs: ['PCMU'],
    rewrite: (side, nm) => {
      if (side !== 'b') return nm;
      // B was told A is at a port nobody listens on (a NAT rewrote A's address, say).
      wrongPort = nm.remote.rtpPort + 500;
      return { ...nm, remote: { ...nm.remote, rtpPort: wrongPort, rtcpPort: wrongPort + 1 } };
    },
  });
  const moves: string[] = [];
  b.stream.on('remoteAddressChanged', (e) => moves.push(`${e.kind}:${e.from.port}->${e.to.port}`));
  b.stream.start(); // B starts first: its packets go nowhere until A's arrive
  await sleep(300);
  assert.equal(b.stream.stats().remoteRtp.port, wrongPort);
  a.stream.start();
  await sleep(1500);
  await hangUp(a, b);
  assert.deepEqual(b.stream.stats().remoteRtp, { address: '127.0.0.1', port: a.socket.rtpPort });
  assert.ok(moves.includes(`rtp:${wrongPort}->${a.socket.rtpPort}`), moves.join(' '));
  const heard = a.recorder.samples();
  assert.ok(Math.abs(dominantFrequency(heard, 8000)! - 1000) < 20, 'A hears B once B latched');
});

/** A UDP relay between A and B that drops about 5 % of A→B packets and swaps ~10 % of neighbours. */
class LossyRelay {
  readonly towardA: Socket = createSocket('udp4');
  readonly towardB: Socket = createSocket('udp4');
  dropped = 0;
  swapped = 0;
  forwarded = 0;
  private held: Buffer | undefined;
  private n = 0;
  private seed = 12345;
  aPort = 0;
  bPort = 0;

  async start(): Promise<void> {
    await Promise.all([this.towardA, this.towardB].map((s) => new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))));
    // A → relay(towardA) → relay(towardB) → B, lossy and reordering
    this.towardA.on('message', (msg) => this.forwardAtoB(msg));
    // B → relay(towardB) → relay(towardA) → A, clean
    this.towardB.on('message', (msg) => this.towardA.send(msg, this.aPort, '127.0.0.1'));
  }

  private random(): number {
    this.seed = (this.seed * 1103515245 + 12345) % 2147483648;
    return this.seed / 2147483648;
  }

  private forwardAtoB(msg: Buffer): void {
    this.n++;
    if (this.n > 5 && this.random() < 0.05) {
      this.dropped++;
      return;
    }
    if (this.held) {
      // send the newer first, then the one held back: neighbours swapped
      this.towardB.send(msg, this.bPort, '127.0.0.1');
      this.towardB.send(this.held, this.bPort, '127.0.0.1');
      this.held = undefined;
      this.forwarded += 2;
      this.swapped++;
      return;
    }
    if (this.n > 5 && this.random() < 0.1) {
      this.held = msg;
      return;
    }
    this.towardB.send(msg, this.bPort, '127.0.0.1');
    this.forwarded++;
  }

  close(): void {
    this.towardA.close();
    this.towardB.close();
  }
}

test('a lossy, reordering relay: the receiver counts the losses, the jitter buffer reorders, the audio keeps its frequency; RTCP reports the loss back', async () => {
  const relay = new LossyRelay();
  await relay.start();
  const { a, b } = await call({
    codecs: ['PCMU'],
    rtcpIntervalMs: 1000,
    rewrite: (side, nm) => {
      const port = side === 'a' ? (relay.towardA.address().port) : relay.towardB.address().port;
      // RTP goes through the relay; RTCP goes direct.
      return { ...nm, remote: { ...nm.remote, rtpPort: port } };
    },
  });
  relay.aPort = a.socket.rtpPort;
  relay.bPort = b.socket.rtpPort;
  a.stream.start();
  b.stream.start();
  await sleep(4000);
  // stop A first so every packet it sent is accounted for before B reports
  await a.stream.close();
  await sleep(200);
  const st = b.stream.stats();
  await b.stream.close();
  relay.close();
  assert.ok(relay.dropped >= 5, `the relay dropped ${relay.dropped}`);
  assert.ok(relay.swapped >= 5, `the relay swapped ${relay.swapped}`);
  // The A.1 probation packet is not counted, nor a loss after the last packet B saw.
  const info = `relay dropped ${relay.dropped}, swapped ${relay.swapped}; B: ${JSON.stringify(st)}`;
  assert.ok(Math.abs(st.packetsLost - relay.dropped) <= 2, info);
  // Swapped neighbours arrive 20 ms apart, well within the 60 ms playout delay: reordered,
  // not late (a couple of late ones are tolerated for an event loop stalled by other tests).
  assert.ok(st.packetsLate <= 2, info);
  assert.ok(st.concealedFrames >= relay.dropped - 2, info);
  assert.ok(Math.abs(dominantFrequency(b.recorder.samples(), 8000)! - 440) < 9);
  const back = a.stream.stats().remote;
  assert.ok(back, 'A got a receiver report from B');
  assert.ok(back.cumulativeLost > 0 && back.cumulativeLost <= relay.dropped, `B reported ${back.cumulativeLost} lost of ${relay.dropped}`);
});

test('RFC 3550 §6.4: with a 1 s report interval, each side gets the other’s SR and has an RTT and the remote-reported loss', async () => {
  const { a, b } = await call({ codecs: ['PCMA'], rtcpIntervalMs: 1000 });
  a.stream.start();
  b.stream.start();
  await sleep(3500);
  const sa = a.stream.stats();
  const sb = b.stream.stats();
  await hangUp(a, b);
  for (const [name, s] of [['A', sa], ['B', sb]] as const) {
    assert.ok(s.rtcpSent >= 2 && s.rtcpReceived >= 2, `${name}: ${s.rtcpSent} sent, ${s.rtcpReceived} received`);
    assert.ok(s.rttMs !== undefined && s.rttMs >= 0 && s.rttMs < 50, `${name} rtt ${s.rttMs}`);
    assert.ok(s.remote !== undefined, `${name} has the peer's report about it`);
    assert.equal(s.remote.cumulativeLost, 0);
    assert.equal(s.remote.fractionLost, 0);
    assert.ok(s.remote.jitterMs < 20);
  }
});

test('RFC 3550 §6.6: closing a stream sends BYE, which the peer reports', async () => {
  const { a, b } = await call({ codecs: ['PCMU'] });
  a.stream.start();
  b.stream.start();
  await sleep(200);
  const bye = b.stream.rtp.waitFor('bye');
  await a.stream.close('hang-up');
  const r = await Promise.race([bye, sleep(2000).then(() => undefined)]);
  await b.stream.close();
  assert.deepEqual(r, { reason: 'hang-up' });
});
