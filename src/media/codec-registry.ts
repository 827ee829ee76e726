/**
 * Audio codecs by name and clock rate, registered with named fields (STYLE.md §4, like
 * baresip's `aucodec`): the stream asks the registry for the codec the SDP negotiation chose
 * and gets an encoder and a decoder for it. PCMU and PCMA are built in; G.722 and Opus register
 * the same way (G.722 shows why `sampleRate` and `clockRate` are separate fields: it samples at
 * 16 kHz but its RTP clock is 8000, RFC 3551 §4.5.2).
 *
 * Encoders and decoders are created per stream because real codecs (G.722, Opus) keep state
 * between frames; the G.711 ones are stateless and shared.
 */
import { decodePcma, decodePcmu, encodePcma, encodePcmu } from './g711.js';
import { MediaError } from './result.js';

/** Encodes one frame of 16-bit PCM into `out`; returns the payload octets written. */
export interface AudioEncoder {
  encode(pcm: Int16Array, out: Uint8Array): number;
}

/**
 * Decodes one RTP payload into `out` (one frame); returns the samples written. A payload
 * shorter than a frame leaves the rest of `out` untouched; the caller zero-fills it.
 */
export interface AudioDecoder {
  decode(payload: Uint8Array, out: Int16Array): number;
}

export interface AudioCodec {
  /** Encoding name as in a=rtpmap (matched case-insensitively). */
  readonly name: string;
  /** RTP timestamp clock rate (RFC 3551); G.722 is 8000. */
  readonly clockRate: number;
  /** Sample rate of the PCM frames the codec takes and gives. */
  readonly sampleRate: number;
  readonly channels: number;
  /** RFC 3551 §6 static payload type, if it has one. */
  readonly staticPayloadType?: number;
  /** An upper bound of the payload size for a frame of `samples` samples. */
  maxPayloadBytes(samples: number): number;
  createEncoder(): AudioEncoder;
  createDecoder(): AudioDecoder;
}

function g711(name: 'PCMU' | 'PCMA', staticPayloadType: 0 | 8): AudioCodec {
  const enc = name === 'PCMU' ? encodePcmu : encodePcma;
  const dec = name === 'PCMU' ? decodePcmu : decodePcma;
  const encoder: AudioEncoder = {
    encode(pcm, out) {
      enc(pcm, out);
      return pcm.length;
    },
  };
  const decoder: AudioDecoder = {
    decode(payload, out) {
      // One octet per sample; never write past the frame (a peer using a longer ptime).
      const n = Math.min(payload.length, out.length);
      dec(n === payload.length ? payload : payload.subarray(0, n), out);
      return n;
    },
  };
  return Object.freeze({
    name,
    clockRate: 8000,
    sampleRate: 8000,
    channels: 1,
    staticPayloadType,
    maxPayloadBytes: (samples: number) => samples,
    createEncoder: () => encoder,
    createDecoder: () => decoder,
  });
}

/** G.711 μ-law (RFC 3551 §4.5.14), static payload type 0. */
export const PCMU_CODEC: AudioCodec = g711('PCMU', 0);
/** G.711 A-law (RFC 3551 §4.5.14), static payload type 8. */
export const PCMA_CODEC: AudioCodec = g711('PCMA', 8);

export class CodecRegistry {
  private readonly codecs = new Map<string, AudioCodec>();

  constructor(codecs: readonly AudioCodec[] = []) {
    for (const c of codecs) this.register(c);
  }

  /** Add a codec; a codec with the same name, clock rate and channels is replaced. */
  register(codec: AudioCodec): this {
    if (!codec.name || !(codec.clockRate > 0) || !(codec.sampleRate > 0) || !(codec.channels >= 1)) {
      throw new MediaError('codec-bad-descriptor', `codec descriptor needs a name, a clock rate, a sample rate and channels: ${codec.name}`);
    }
    this.codecs.set(key(codec.name, codec.clockRate, codec.channels), codec);
    return this;
  }

  /** The codec for an rtpmap entry (name case-insensitive), or undefined. */
  find(name: string, clockRate: number, channels = 1): AudioCodec | undefined {
    return this.codecs.get(key(name, clockRate, channels));
  }

  list(): AudioCodec[] {
    return [...this.codecs.values()];
  }
}

/** A registry with the built-in codecs (PCMU, PCMA). Each call returns a new registry. */
export function defaultCodecRegistry(): CodecRegistry {
  return new CodecRegistry([PCMU_CODEC, PCMA_CODEC]);
}

function key(name: string, clockRate: number, channels: number): string {
  return `${name.toLowerCase()}/${clockRate}/${channels}`;
}
