import { test } from 'node:test';
import assert from 'node:assert/strict';
import { downmixToMono, parseWav, writeWav } from './wav.js';

/** Build a WAV file by hand: fmt fields, then raw data bytes, with optional extra chunks. */
function wavBytes(opts: { format: number; channels: number; rate: number; bits: number; data: number[]; extraBefore?: number[]; dataSize?: number; extensible?: boolean }): Uint8Array {
  const fmtSize = opts.extensible ? 40 : 16;
  const extra = opts.extraBefore ?? [];
  const total = 12 + 8 + fmtSize + extra.length + 8 + opts.data.length;
  const b = new Uint8Array(total);
  const v = new DataView(b.buffer);
  const ascii = (o: number, s: string) => [...s].forEach((c, i) => (b[o + i] = c.charCodeAt(0)));
  ascii(0, 'RIFF');
  v.setUint32(4, total - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, fmtSize, true);
  v.setUint16(20, opts.extensible ? 0xfffe : opts.format, true);
  v.setUint16(22, opts.channels, true);
  v.setUint32(24, opts.rate, true);
  const bytesPer = Math.ceil(opts.bits / 8);
  v.setUint32(28, opts.rate * opts.channels * bytesPer, true);
  v.setUint16(32, opts.channels * bytesPer, true);
  v.setUint16(34, opts.bits, true);
  if (opts.extensible) {
    v.setUint16(36, 22, true);
    v.setUint16(44, opts.format, true); // SubFormat GUID's first two bytes
  }
  let o = 20 + fmtSize;
  b.set(extra, o);
  o += extra.length;
  ascii(o, 'data');
  v.setUint32(o + 4, opts.dataSize ?? opts.data.length, true);
  b.set(opts.data, o + 8);
  return b;
}

test('WAV: 16-bit PCM mono written by writeWav parses back identically', () => {
  const samples = Int16Array.from([0, 1, -1, 32767, -32768, 1234]);
  const bytes = writeWav(samples, 8000);
  assert.equal(bytes.length, 44 + 12);
  const r = parseWav(bytes);
  assert.ok(r.ok);
  assert.equal(r.value.sampleRate, 8000);
  assert.equal(r.value.channels, 1);
  assert.equal(r.value.bitsPerSample, 16);
  assert.deepEqual([...r.value.samples], [...samples]);
});

test('WAV: 8-bit unsigned, 24-bit, 32-bit float and A-law/μ-law are converted to 16-bit', () => {
  const u8 = parseWav(wavBytes({ format: 1, channels: 1, rate: 8000, bits: 8, data: [128, 255, 0] }));
  assert.ok(u8.ok);
  assert.deepEqual([...u8.value.samples], [0, 127 << 8, -32768]);
  const s24 = parseWav(wavBytes({ format: 1, channels: 1, rate: 48000, bits: 24, data: [0x00, 0x34, 0x12, 0xff, 0xff, 0xff] }));
  assert.ok(s24.ok);
  assert.deepEqual([...s24.value.samples], [0x1234, -1]);
  const f = new Uint8Array(8);
  new DataView(f.buffer).setFloat32(0, 0.5, true);
  new DataView(f.buffer).setFloat32(4, -2, true);
  const f32 = parseWav(wavBytes({ format: 3, channels: 1, rate: 44100, bits: 32, data: [...f] }));
  assert.ok(f32.ok);
  assert.deepEqual([...f32.value.samples], [16384, -32767]);
  const alaw = parseWav(wavBytes({ format: 6, channels: 1, rate: 8000, bits: 8, data: [0xd5, 0xaa] }));
  assert.ok(alaw.ok);
  assert.deepEqual([...alaw.value.samples], [8, 32256]);
  const ulaw = parseWav(wavBytes({ format: 7, channels: 1, rate: 8000, bits: 8, data: [0xff, 0x80] }));
  assert.ok(ulaw.ok);
  assert.deepEqual([...ulaw.value.samples], [0, 32124]);
});

test('WAV: WAVE_FORMAT_EXTENSIBLE stereo, unknown chunks skipped (odd sizes padded), downmix to mono', () => {
  const list = [0x4c, 0x49, 0x53, 0x54, 3, 0, 0, 0, 1, 2, 3, 0]; // "LIST", size 3 + pad byte
  const r = parseWav(wavBytes({ format: 1, channels: 2, rate: 16000, bits: 16, data: [0x10, 0, 0x30, 0, 0xff, 0xff, 0x01, 0], extraBefore: list, extensible: true }));
  assert.ok(r.ok);
  assert.equal(r.value.channels, 2);
  assert.deepEqual([...r.value.samples], [16, 48, -1, 1]);
  assert.deepEqual([...downmixToMono(r.value.samples, 2)], [32, 0]);
});

test('WAV: an unfinalised data size (0 or past the end) reads to the end of the file', () => {
  for (const dataSize of [0, 0xffffffff, 1000]) {
    const r = parseWav(wavBytes({ format: 1, channels: 1, rate: 8000, bits: 16, data: [1, 0, 2, 0], dataSize }));
    assert.ok(r.ok);
    assert.deepEqual([...r.value.samples], [1, 2]);
  }
});

test('WAV: bad files are results with a code', () => {
  const codes = (b: Uint8Array) => {
    const r = parseWav(b);
    return r.ok ? 'ok' : r.error.code;
  };
  assert.equal(codes(new Uint8Array(4)), 'wav-too-short');
  assert.equal(codes(new TextEncoder().encode('RIFX0000WAVEfmt ')), 'wav-not-riff');
  assert.equal(codes(new TextEncoder().encode('RIFF0000AVI fmt ')), 'wav-not-wave');
  assert.equal(codes(new TextEncoder().encode('RIFF\x04\x00\x00\x00WAVE')), 'wav-no-fmt-chunk');
  assert.equal(codes(wavBytes({ format: 2, channels: 1, rate: 8000, bits: 4, data: [0, 0] })), 'wav-unsupported-format');
  const noData = writeWav(new Int16Array(0), 8000).subarray(0, 36);
  assert.equal(codes(noData), 'wav-no-data-chunk');
  assert.throws(() => writeWav(new Int16Array(1), 0), { code: 'wav-bad-format' });
});
