// Media primitives: nanoseconds per operation for the per-packet work of a call.
// Run: node --import tsx bench/media/primitives.bench.ts
// Budget context: 1000 calls × 50 packets/s each way ≈ 100k packets/s, so per-packet work
// must stay well under 10 µs. No assertions here: figures only.
import { decodePcma, decodePcmu, encodePcma, encodePcmu } from '../../src/media/g711.js';
import { FixedJitterBuffer } from '../../src/media/jitter-buffer.js';
import { createRtpPacket, parseRtpInto, parseRtpPacket, serializeRtpPacket, writeRtpHeader } from '../../src/media/rtp-packet.js';
import type { RtpHeader } from '../../src/media/rtp-packet.js';
import { RtpReceiverStats } from '../../src/media/rtp-stats.js';
import { resample } from '../../src/media/resampler.js';

function bench(name: string, iterations: number, fn: (i: number) => void): void {
  for (let i = 0; i < Math.min(iterations, 20000); i++) fn(i); // warm up the JIT
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn(i);
    const ns = Number(process.hrtime.bigint() - t0) / iterations;
    best = Math.min(best, ns);
  }
  console.log(`${name.padEnd(58)} ${best.toFixed(1).padStart(9)} ns/op`);
}

const pcm = new Int16Array(160);
for (let i = 0; i < 160; i++) pcm[i] = Math.round(12000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
const payload = new Uint8Array(160);
const decoded = new Int16Array(160);

const buf = new Uint8Array(1500);
const header: RtpHeader = { marker: false, payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0x12345678, csrcs: [] };
const n = writeRtpHeader(buf, 0, header);
encodePcmu(pcm, buf.subarray(n, n + 160));
const wire = buf.slice(0, n + 160);
const reused = createRtpPacket();
let sink = 0;

console.log(`node ${process.version}, ${process.arch}`);
bench('RTP parseRtpInto + writeRtpHeader (reused objects)', 2_000_000, (i) => {
  if (parseRtpInto(wire, reused) !== null) throw new Error('parse failed');
  header.sequenceNumber = i & 0xffff;
  header.timestamp = (i * 160) >>> 0;
  sink += writeRtpHeader(buf, 0, header);
});
bench('RTP parseRtpPacket + serializeRtpPacket (allocating)', 1_000_000, () => {
  const r = parseRtpPacket(wire);
  if (!r.ok) throw new Error('parse failed');
  sink += serializeRtpPacket(r.value).length;
});
bench('G.711 PCMU encode, 160 samples', 1_000_000, () => {
  encodePcmu(pcm, payload);
});
bench('G.711 PCMU decode, 160 samples', 1_000_000, () => {
  decodePcmu(payload, decoded);
});
bench('G.711 PCMA encode, 160 samples', 1_000_000, () => {
  encodePcma(pcm, payload);
});
bench('G.711 PCMA decode, 160 samples', 1_000_000, () => {
  decodePcma(payload, decoded);
});

const jb = new FixedJitterBuffer<number>({ delayMs: 60 });
const packets = Array.from({ length: 65536 }, (_, s) => ({ sequenceNumber: s, timestamp: (s * 160) >>> 0, marker: false, payload: s }));
bench('jitter buffer put + get (in order, 60 ms delay)', 2_000_000, (i) => {
  jb.put(packets[i & 0xffff]!, i * 20);
  const o = jb.get(i * 20 + 60);
  if (o.kind === 'frame') sink += o.packet.payload;
});
const jb2 = new FixedJitterBuffer<number>({ delayMs: 60 });
bench('jitter buffer put + get (pairs swapped, 1% lost)', 2_000_000, (i) => {
  const seq = i % 100 === 37 ? -1 : i ^ 1; // reorder neighbours, drop one in a hundred
  if (seq >= 0) jb2.put(packets[seq & 0xffff]!, i * 20);
  const o = jb2.get(i * 20 + 60);
  if (o.kind === 'frame') sink += o.packet.payload;
});
const stats = new RtpReceiverStats({ clockRate: 8000 });
bench('RTCP receiver statistics update (A.1 + A.8)', 5_000_000, (i) => {
  stats.update(i & 0xffff, (i * 160) >>> 0, i * 20 + (i & 3));
});
const second44k = new Int16Array(44100);
for (let i = 0; i < second44k.length; i++) second44k[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 44100));
bench('resample 1 s of audio 44.1 kHz → 8 kHz (file load)', 20, () => {
  sink += resample(second44k, 44100, 8000).length;
});
const second8k = resample(second44k, 44100, 8000);
bench('resample 1 s of audio 8 kHz → 48 kHz', 20, () => {
  sink += resample(second8k, 8000, 48000).length;
});
// Keep the results observable so the JIT cannot drop the work.
if (sink === -1) console.log(sink);
