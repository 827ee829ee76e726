/**
 * WAV (RIFF/WAVE) files: parse any PCM file we are likely to be handed (8-bit unsigned,
 * 16/24/32-bit signed, 32/64-bit float, G.711 A-law/μ-law, WAVE_FORMAT_EXTENSIBLE), mono or
 * multichannel, into interleaved 16-bit samples; write 16-bit PCM.
 *
 * Parsing returns a result for bad files. It is lenient where recorders are known to be
 * sloppy: a data chunk whose size runs past the end of the file (or is 0 / 0xFFFFFFFF, as a
 * recorder that never finalised its header leaves it) is read up to the end of the file.
 */
import { alawToLinear, ulawToLinear } from './g711.js';
import { fail, MediaError, ok } from './result.js';
import type { MediaResult } from './result.js';

export interface WavAudio {
  sampleRate: number;
  channels: number;
  /** Bits per sample in the file (before conversion to 16 bits). */
  bitsPerSample: number;
  /** The encoding in the file. */
  encoding: 'pcm' | 'float' | 'alaw' | 'ulaw';
  /** Interleaved samples converted to 16-bit; length = frames × channels. */
  samples: Int16Array;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_ALAW = 6;
const WAVE_FORMAT_MULAW = 7;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

function fourcc(b: Uint8Array, o: number): string {
  return String.fromCharCode(b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!);
}

export function parseWav(bytes: Uint8Array): MediaResult<WavAudio> {
  if (bytes.length < 12) return fail('wav-too-short', `a WAV file is at least 12 bytes, got ${bytes.length}`, 0);
  if (fourcc(bytes, 0) !== 'RIFF') return fail('wav-not-riff', 'missing RIFF signature', 0);
  if (fourcc(bytes, 8) !== 'WAVE') return fail('wav-not-wave', 'RIFF form type is not WAVE', 8);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: { format: number; channels: number; sampleRate: number; blockAlign: number; bits: number } | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = fourcc(bytes, offset);
    let size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) return fail('wav-bad-fmt', `fmt chunk of ${size} bytes is too short`, offset);
      let format = view.getUint16(body, true);
      if (format === WAVE_FORMAT_EXTENSIBLE) {
        // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the SubFormat GUID.
        if (size < 40 || body + 40 > bytes.length) return fail('wav-bad-fmt', 'extensible fmt chunk is too short', offset);
        format = view.getUint16(body + 24, true);
      }
      fmt = { format, channels: view.getUint16(body + 2, true), sampleRate: view.getUint32(body + 4, true), blockAlign: view.getUint16(body + 12, true), bits: view.getUint16(body + 14, true) };
    } else if (id === 'data') {
      if (!fmt) return fail('wav-data-before-fmt', 'data chunk before fmt chunk', offset);
      if (size === 0 || body + size > bytes.length) size = bytes.length - body; // unfinalised header
      return decodeSamples(bytes.subarray(body, body + size), view, body, fmt, offset);
    }
    offset = body + size + (size & 1); // chunks are padded to an even size
  }
  return fail(fmt ? 'wav-no-data-chunk' : 'wav-no-fmt-chunk', fmt ? 'no data chunk' : 'no fmt chunk', offset);
}

function decodeSamples(
  data: Uint8Array,
  view: DataView,
  base: number,
  fmt: { format: number; channels: number; sampleRate: number; blockAlign: number; bits: number },
  chunkOffset: number,
): MediaResult<WavAudio> {
  const { format, channels, sampleRate, bits } = fmt;
  if (channels < 1) return fail('wav-bad-fmt', 'zero channels', chunkOffset);
  if (sampleRate < 1) return fail('wav-bad-fmt', 'zero sample rate', chunkOffset);
  const bytesPerSample = Math.ceil(bits / 8);
  let encoding: WavAudio['encoding'];
  if (format === WAVE_FORMAT_PCM && [8, 16, 24, 32].includes(bytesPerSample * 8)) encoding = 'pcm';
  else if (format === WAVE_FORMAT_IEEE_FLOAT && (bits === 32 || bits === 64)) encoding = 'float';
  else if (format === WAVE_FORMAT_ALAW && bits === 8) encoding = 'alaw';
  else if (format === WAVE_FORMAT_MULAW && bits === 8) encoding = 'ulaw';
  else return fail('wav-unsupported-format', `unsupported WAV format ${format} with ${bits} bits per sample`, chunkOffset);
  const frameBytes = bytesPerSample * channels;
  const frames = Math.floor(data.length / frameBytes);
  const n = frames * channels;
  const out = new Int16Array(n);
  for (let i = 0, o = base; i < n; i++, o += bytesPerSample) {
    let v: number;
    switch (encoding) {
      case 'alaw':
        v = alawToLinear(data[i]!);
        break;
      case 'ulaw':
        v = ulawToLinear(data[i]!);
        break;
      case 'float': {
        const f = bits === 32 ? view.getFloat32(o, true) : view.getFloat64(o, true);
        v = Math.round(Math.max(-1, Math.min(1, f)) * 32767);
        break;
      }
      default:
        if (bytesPerSample === 1) v = (data[i]! - 128) << 8; // 8-bit WAV is unsigned
        else if (bytesPerSample === 2) v = view.getInt16(o, true);
        else if (bytesPerSample === 3) v = (view.getUint8(o + 2) << 24) >> 16 | view.getUint8(o + 1); // top 16 of 24 bits, sign kept
        else v = view.getInt32(o, true) >> 16;
    }
    out[i] = v;
  }
  return ok({ sampleRate, channels, bitsPerSample: bits, encoding, samples: out });
}

/** A 16-bit PCM WAV file (44-byte canonical header) holding `samples` (interleaved if channels > 1). */
export function writeWav(samples: Int16Array, sampleRate: number, channels = 1): Uint8Array {
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || !Number.isInteger(channels) || channels < 1) {
    throw new MediaError('wav-bad-format', `bad WAV format: ${sampleRate} Hz, ${channels} channels`);
  }
  const dataBytes = samples.length * 2;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const ascii = (o: number, s: string) => {
    for (let i = 0; i < 4; i++) out[o + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, WAVE_FORMAT_PCM, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels * 2, true);
  view.setUint16(32, channels * 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0, o = 44; i < samples.length; i++, o += 2) view.setInt16(o, samples[i]!, true);
  return out;
}

/** Average interleaved channels into one. */
export function downmixToMono(samples: Int16Array, channels: number): Int16Array {
  if (channels === 1) return samples;
  const frames = Math.floor(samples.length / channels);
  const out = new Int16Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += samples[f * channels + c]!;
    out[f] = Math.round(sum / channels);
  }
  return out;
}
