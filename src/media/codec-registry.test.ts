import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecRegistry, defaultCodecRegistry, PCMA_CODEC, PCMU_CODEC } from './codec-registry.js';
import type { AudioCodec } from './codec-registry.js';
import { decodePcmu } from './g711.js';

test('codec registry: PCMU and PCMA by rtpmap name and clock rate, case-insensitive (RFC 3551 §6)', () => {
  const r = defaultCodecRegistry();
  assert.equal(r.find('pcmu', 8000), PCMU_CODEC);
  assert.equal(r.find('PCMA', 8000, 1), PCMA_CODEC);
  assert.equal(r.find('PCMU', 16000), undefined);
  assert.equal(r.find('opus', 48000, 2), undefined);
  assert.equal(PCMU_CODEC.staticPayloadType, 0);
  assert.equal(PCMA_CODEC.staticPayloadType, 8);
});

test('codec registry: G.711 encoders write one octet per sample into a preallocated buffer and say how many', () => {
  const pcm = Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin(i / 3)));
  const out = new Uint8Array(200);
  assert.equal(PCMU_CODEC.createEncoder().encode(pcm, out), 160);
  const back = new Int16Array(160);
  assert.equal(PCMU_CODEC.createDecoder().decode(out.subarray(0, 160), back), 160);
  assert.deepEqual(back, decodePcmu(out.subarray(0, 160)));
  // a payload longer than the frame (a peer with a longer ptime) is cut, never written past
  const small = new Int16Array(80);
  assert.equal(PCMA_CODEC.createDecoder().decode(out.subarray(0, 160), small), 80);
});

test('codec registry: a codec registers with named fields; G.722-style sample rate ≠ clock rate is representable', () => {
  const fake: AudioCodec = {
    name: 'G722',
    clockRate: 8000,
    sampleRate: 16000,
    channels: 1,
    staticPayloadType: 9,
    maxPayloadBytes: (n) => n / 2,
    createEncoder: () => ({ encode: (_pcm, _out) => 0 }),
    createDecoder: () => ({ decode: (_p, _out) => 0 }),
  };
  const r = new CodecRegistry().register(fake);
  assert.equal(r.find('g722', 8000), fake);
  assert.deepEqual(r.list().map((c) => c.name), ['G722']);
  assert.throws(() => r.register({ ...fake, clockRate: 0 }), /codec descriptor/);
});
