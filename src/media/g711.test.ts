import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alawToLinear, decodePcma, decodePcmu, encodePcma, encodePcmu, linearToAlaw, linearToUlaw, PCMA, PCMU, ulawToLinear } from './g711.js';

test('ITU-T G.711 μ-law: zero encodes to 0xFF and 0xFF/0x7F decode to zero', () => {
  assert.equal(linearToUlaw(0), 0xff);
  assert.equal(ulawToLinear(0xff), 0);
  assert.equal(ulawToLinear(0x7f), 0);
  assert.equal(PCMU.silence, 0xff);
});

test('ITU-T G.711 μ-law: full scale encodes to 0x80/0x00 and decodes to ±32124', () => {
  assert.equal(linearToUlaw(32767), 0x80);
  assert.equal(linearToUlaw(-32768), 0x00);
  assert.equal(ulawToLinear(0x80), 32124);
  assert.equal(ulawToLinear(0x00), -32124);
  // The bias form rounds: 0..3 → 0xFF (0), 4..11 → 0xFE (8).
  assert.equal(linearToUlaw(3), 0xff);
  assert.equal(linearToUlaw(4), 0xfe);
  assert.equal(linearToUlaw(-1), 0x7f);
});

test('ITU-T G.711 A-law: zero encodes to 0xD5 (even bits inverted) and decodes to the half step 8', () => {
  assert.equal(linearToAlaw(0), 0xd5);
  assert.equal(alawToLinear(0xd5), 8);
  assert.equal(alawToLinear(0x55), -8);
  assert.equal(linearToAlaw(-1), 0x55);
  assert.equal(PCMA.silence, 0xd5);
});

test('ITU-T G.711 A-law: full scale encodes to 0xAA/0x2A and decodes to ±32256', () => {
  assert.equal(linearToAlaw(32767), 0xaa);
  assert.equal(linearToAlaw(-32768), 0x2a);
  assert.equal(alawToLinear(0xaa), 32256);
  assert.equal(alawToLinear(0x2a), -32256);
});

test('ITU-T G.711: every code word decodes to a value that re-encodes to itself', () => {
  for (let c = 0; c < 256; c++) {
    const u = ulawToLinear(c);
    // 0x7F (negative zero) re-encodes as 0xFF, the only μ-law code pair with one value.
    assert.equal(linearToUlaw(u), c === 0x7f ? 0xff : c, `μ-law ${c}`);
    assert.equal(linearToAlaw(alawToLinear(c)), c, `A-law ${c}`);
  }
});

test('ITU-T G.711: round-trip error stays within half a quantisation step (about 3% of the value)', () => {
  let worstU = 0;
  let worstA = 0;
  for (let x = -32768; x <= 32767; x++) {
    const mag = Math.abs(x);
    const eu = Math.abs(ulawToLinear(linearToUlaw(x)) - x);
    const ea = Math.abs(alawToLinear(linearToAlaw(x)) - x);
    // μ-law: half step = 4 << segment ≤ (|x| + 132) / 32; clipping above 32635.
    assert.ok(eu <= Math.max((mag + 132) / 32 + 1, mag - 32124), `μ-law x=${x} err=${eu}`);
    // A-law: half step = 8 in the linear segments, ≤ |x|/32 + 8 above; clipping above 32256.
    assert.ok(ea <= Math.max(mag / 32 + 16, mag - 32256), `A-law x=${x} err=${ea}`);
    if (mag < 32000) {
      worstU = Math.max(worstU, eu);
      worstA = Math.max(worstA, ea);
    }
  }
  assert.ok(worstU <= 1024 && worstA <= 1024);
});

test('ITU-T G.711: frame encode/decode into preallocated buffers is monotonic and symmetric', () => {
  const pcm = new Int16Array(160);
  for (let i = 0; i < 160; i++) pcm[i] = Math.round(Math.sin((2 * Math.PI * 440 * i) / 8000) * 16000);
  const payload = new Uint8Array(160);
  const back = new Int16Array(160);
  assert.equal(encodePcmu(pcm, payload), payload);
  assert.equal(decodePcmu(payload, back), back);
  for (let i = 0; i < 160; i++) assert.ok(Math.abs(back[i]! - pcm[i]!) <= 16000 / 32 + 8);
  const a = decodePcma(encodePcma(pcm));
  for (let i = 0; i < 160; i++) assert.ok(Math.abs(a[i]! - pcm[i]!) <= 16000 / 32 + 16);
  for (let x = -32768; x + 7 <= 32767; x += 7) {
    assert.ok(ulawToLinear(linearToUlaw(x + 7)) >= ulawToLinear(linearToUlaw(x)));
    assert.equal(alawToLinear(linearToAlaw(x)), -alawToLinear(linearToAlaw(-x - 1)));
  }
});
