/**
 * G.711 (ITU-T Rec. G.711, 1988): PCMU (μ-law, RTP payload type 0) and PCMA (A-law, payload
 * type 8) for 16-bit linear PCM.
 *
 * Table-driven: each law has a 256-entry decode table and a 65536-entry encode table indexed by
 * the 16-bit sample, both built once at load time from the segment rules of the
 * recommendation, so encoding or decoding a sample is one array read.
 *
 * μ-law works on 14-bit magnitudes, A-law on 13-bit; a 16-bit sample is scaled down (μ-law:
 * the bias form of the rule, with clipping at 32635; A-law: >> 3), so decode(encode(x)) is x
 * within half a quantisation step of its segment.
 */

/** μ-law bias (33 in 14-bit units, shifted into 16-bit). */
const ULAW_BIAS = 0x84;
const ULAW_CLIP = 32635;

function ulawEncodeSample(sample: number): number {
  let sign = 0;
  let s = sample;
  if (s < 0) {
    sign = 0x80;
    s = -s;
  }
  if (s > ULAW_CLIP) s = ULAW_CLIP;
  s += ULAW_BIAS;
  // Segment (exponent) = position of the highest set bit above bit 7.
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  // G.711 transmits μ-law code words with all bits inverted.
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function ulawDecodeSample(code: number): number {
  const u = ~code & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

function alawEncodeSample(sample: number): number {
  // A-law takes 13-bit samples; even bits are inverted on the line (XOR 0x55), and the sign
  // bit is 1 for positive values.
  let s = sample >> 3;
  let mask: number;
  if (s >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    s = -s - 1;
  }
  let segment = 0;
  while (segment < 8 && s > (0x20 << segment) - 1) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  const mantissa = segment < 2 ? (s >> 1) & 0x0f : (s >> segment) & 0x0f;
  return ((segment << 4) | mantissa) ^ mask;
}

function alawDecodeSample(code: number): number {
  const a = code ^ 0x55;
  const segment = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  if (segment === 0) t += 8;
  else t = (t + 0x108) << (segment - 1);
  return a & 0x80 ? t : -t;
}

function buildDecode(fn: (code: number) => number): Int16Array {
  const table = new Int16Array(256);
  for (let i = 0; i < 256; i++) table[i] = fn(i);
  return table;
}

/** Indexed by the sample as an unsigned 16-bit value (sample & 0xffff). */
function buildEncode(fn: (sample: number) => number): Uint8Array {
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = fn(i >= 32768 ? i - 65536 : i);
  return table;
}

const ULAW_DECODE = buildDecode(ulawDecodeSample);
const ALAW_DECODE = buildDecode(alawDecodeSample);
// The 64 kB encode tables are built on first use, not at load: ~8 ms of start-up and 128 kB
// that an engine without calls does not need (docs/bench-footprint.md).
let ulawEncode: Uint8Array | undefined;
let alawEncode: Uint8Array | undefined;
const ulawEncodeTable = (): Uint8Array => (ulawEncode ??= buildEncode(ulawEncodeSample));
const alawEncodeTable = (): Uint8Array => (alawEncode ??= buildEncode(alawEncodeSample));

/** Encode one 16-bit sample to a μ-law octet. */
export function linearToUlaw(sample: number): number {
  return ulawEncodeTable()[sample & 0xffff]!;
}
/** Decode one μ-law octet to a 16-bit sample. */
export function ulawToLinear(code: number): number {
  return ULAW_DECODE[code & 0xff]!;
}
/** Encode one 16-bit sample to an A-law octet. */
export function linearToAlaw(sample: number): number {
  return alawEncodeTable()[sample & 0xffff]!;
}
/** Decode one A-law octet to a 16-bit sample. */
export function alawToLinear(code: number): number {
  return ALAW_DECODE[code & 0xff]!;
}

/**
 * Encode `pcm` into `out` (μ-law). `out` must hold pcm.length octets; returns the octets
 * written. Pass a preallocated `out` (or a view into an RTP buffer) to avoid allocation.
 */
export function encodePcmu(pcm: Int16Array, out: Uint8Array = new Uint8Array(pcm.length)): Uint8Array {
  const n = pcm.length;
  const table = ulawEncodeTable();
  for (let i = 0; i < n; i++) out[i] = table[pcm[i]! & 0xffff]!;
  return out;
}

export function decodePcmu(payload: Uint8Array, out: Int16Array = new Int16Array(payload.length)): Int16Array {
  const n = payload.length;
  for (let i = 0; i < n; i++) out[i] = ULAW_DECODE[payload[i]!]!;
  return out;
}

export function encodePcma(pcm: Int16Array, out: Uint8Array = new Uint8Array(pcm.length)): Uint8Array {
  const n = pcm.length;
  const table = alawEncodeTable();
  for (let i = 0; i < n; i++) out[i] = table[pcm[i]! & 0xffff]!;
  return out;
}

export function decodePcma(payload: Uint8Array, out: Int16Array = new Int16Array(payload.length)): Int16Array {
  const n = payload.length;
  for (let i = 0; i < n; i++) out[i] = ALAW_DECODE[payload[i]!]!;
  return out;
}

/** A codec descriptor for the codec registry: named fields, RTP static payload types (RFC 3551 §6). */
export interface G711Codec {
  readonly name: 'PCMU' | 'PCMA';
  readonly payloadType: 0 | 8;
  readonly clockRate: 8000;
  /** The octet a silent sample encodes to. */
  readonly silence: number;
  encode(pcm: Int16Array, out?: Uint8Array): Uint8Array;
  decode(payload: Uint8Array, out?: Int16Array): Int16Array;
}

export const PCMU: G711Codec = Object.freeze({ name: 'PCMU', payloadType: 0, clockRate: 8000, silence: 0xff, encode: encodePcmu, decode: decodePcmu });
export const PCMA: G711Codec = Object.freeze({ name: 'PCMA', payloadType: 8, clockRate: 8000, silence: 0xd5, encode: encodePcma, decode: decodePcma });
