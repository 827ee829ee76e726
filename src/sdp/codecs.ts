/**
 * RTP payload formats: the static payload type table of RFC 3551 §6 and matching of formats
 * between two descriptions (by number for static types, by encoding name, clock rate and
 * channels for dynamic ones, RFC 3264 §6.1).
 */
import type { MediaDescription } from './sdp.js';
import { filterAttributes, fmtpOf } from './sdp.js';

/** A payload format as an m= line defines it. */
export interface RtpCodec {
  payloadType: number;
  /** Encoding name as written (matching ignores case). */
  name: string;
  /** The RTP timestamp clock rate, not the sampling rate (G.722 is 8000). */
  clockRate: number;
  /** Audio channels; 1 when the rtpmap gives none. */
  channels: number;
  /** a=fmtp parameters, verbatim. */
  fmtp?: string;
}

interface StaticEntry {
  name: string;
  clockRate: number;
  channels: number;
  media: 'audio' | 'video' | 'audio/video';
}

/**
 * RFC 3551 §6, tables 4 and 5. G722 is listed with clock rate 8000: "Even though the actual
 * sampling rate for G.722 audio is 16,000 Hz, the RTP clock rate for the G722 payload format
 * is 8,000 Hz because that value was erroneously assigned in RFC 1890" (§4.5.2).
 */
export const STATIC_PAYLOAD_TYPES: ReadonlyMap<number, StaticEntry> = new Map<number, StaticEntry>([
  [0, { name: 'PCMU', clockRate: 8000, channels: 1, media: 'audio' }],
  [3, { name: 'GSM', clockRate: 8000, channels: 1, media: 'audio' }],
  [4, { name: 'G723', clockRate: 8000, channels: 1, media: 'audio' }],
  [5, { name: 'DVI4', clockRate: 8000, channels: 1, media: 'audio' }],
  [6, { name: 'DVI4', clockRate: 16000, channels: 1, media: 'audio' }],
  [7, { name: 'LPC', clockRate: 8000, channels: 1, media: 'audio' }],
  [8, { name: 'PCMA', clockRate: 8000, channels: 1, media: 'audio' }],
  [9, { name: 'G722', clockRate: 8000, channels: 1, media: 'audio' }],
  [10, { name: 'L16', clockRate: 44100, channels: 2, media: 'audio' }],
  [11, { name: 'L16', clockRate: 44100, channels: 1, media: 'audio' }],
  [12, { name: 'QCELP', clockRate: 8000, channels: 1, media: 'audio' }],
  [13, { name: 'CN', clockRate: 8000, channels: 1, media: 'audio' }],
  [14, { name: 'MPA', clockRate: 90000, channels: 1, media: 'audio' }],
  [15, { name: 'G728', clockRate: 8000, channels: 1, media: 'audio' }],
  [16, { name: 'DVI4', clockRate: 11025, channels: 1, media: 'audio' }],
  [17, { name: 'DVI4', clockRate: 22050, channels: 1, media: 'audio' }],
  [18, { name: 'G729', clockRate: 8000, channels: 1, media: 'audio' }],
  [25, { name: 'CelB', clockRate: 90000, channels: 1, media: 'video' }],
  [26, { name: 'JPEG', clockRate: 90000, channels: 1, media: 'video' }],
  [28, { name: 'nv', clockRate: 90000, channels: 1, media: 'video' }],
  [31, { name: 'H261', clockRate: 90000, channels: 1, media: 'video' }],
  [32, { name: 'MPV', clockRate: 90000, channels: 1, media: 'video' }],
  [33, { name: 'MP2T', clockRate: 90000, channels: 1, media: 'audio/video' }],
  [34, { name: 'H263', clockRate: 90000, channels: 1, media: 'video' }],
]);

/** RFC 3551 §6: 96-127 are dynamic. (35-71 and 77-95 are unassigned, 72-76 are RTCP.) */
export const DYNAMIC_PAYLOAD_TYPE_MIN = 96;
export const DYNAMIC_PAYLOAD_TYPE_MAX = 127;

/** The static payload type for this encoding, if RFC 3551 assigns one. */
export function staticPayloadTypeFor(name: string, clockRate: number, channels = 1): number | undefined {
  for (const [pt, e] of STATIC_PAYLOAD_TYPES) {
    if (e.name.toLowerCase() === name.toLowerCase() && e.clockRate === clockRate && e.channels === channels) return pt;
  }
  return undefined;
}

/** Same codec: encoding names compare case-insensitively (RFC 4855 §3), then clock and channels. */
export function sameCodec(
  a: { name: string; clockRate: number; channels?: number },
  b: { name: string; clockRate: number; channels?: number },
): boolean {
  return (
    a.name.toLowerCase() === b.name.toLowerCase() && a.clockRate === b.clockRate && (a.channels ?? 1) === (b.channels ?? 1)
  );
}

/**
 * The codec behind one format of an m= line: its a=rtpmap if there is one (an rtpmap may
 * also describe a static number), otherwise the static table. Undefined for a non-numeric
 * format or a dynamic number without an rtpmap.
 */
export function resolveFormat(media: MediaDescription, format: string): RtpCodec | undefined {
  if (!/^\d{1,3}$/.test(format)) return undefined;
  const payloadType = Number(format);
  if (payloadType > 127) return undefined;
  const fmtp = fmtpOf(media, format);
  const map = filterAttributes(media.attributes, 'rtpmap').find((a) => a.payloadType === payloadType);
  if (map) {
    const codec: RtpCodec = { payloadType, name: map.encodingName, clockRate: map.clockRate, channels: map.channels ?? 1 };
    if (fmtp !== undefined) codec.fmtp = fmtp;
    return codec;
  }
  const entry = STATIC_PAYLOAD_TYPES.get(payloadType);
  if (!entry) return undefined;
  const codec: RtpCodec = { payloadType, name: entry.name, clockRate: entry.clockRate, channels: entry.channels };
  if (fmtp !== undefined) codec.fmtp = fmtp;
  return codec;
}

/** Every format of an m= line that resolves to a codec, in m= line order. */
export function codecsOf(media: MediaDescription): RtpCodec[] {
  const out: RtpCodec[] = [];
  for (const f of media.formats) {
    const c = resolveFormat(media, f);
    if (c) out.push(c);
  }
  return out;
}

/** RFC 4733 named telephone events. */
export function isTelephoneEvent(codec: { name: string }): boolean {
  return codec.name.toLowerCase() === 'telephone-event';
}

/** RFC 3389 comfort noise. */
export function isComfortNoise(codec: { name: string }): boolean {
  return codec.name.toLowerCase() === 'cn';
}

/**
 * Formats that carry no primary media by themselves (DTMF events, comfort noise, redundancy,
 * FEC): never chosen as the codec to send audio with.
 */
export function isAuxiliary(codec: { name: string }): boolean {
  const n = codec.name.toLowerCase();
  return n === 'telephone-event' || n === 'cn' || n === 'red' || n === 'ulpfec' || n === 'flexfec';
}

/**
 * RFC 4733 §2.4.1 event lists (`0-15,66,70`) as a set of event codes; undefined when the text
 * is malformed. An absent fmtp means "0-15" (§2.4.1: "If no "events" parameter is given, ...
 * the receiver supports events 0 through 15").
 */
export function parseEventList(text: string | undefined): Set<number> | undefined {
  if (text === undefined || text.trim() === '') return new Set(Array.from({ length: 16 }, (_, i) => i));
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d{1,3})(?:\s*-\s*(\d{1,3}))?\s*$/.exec(part);
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : from;
    if (from > 255 || to > 255 || to < from) return undefined;
    for (let e = from; e <= to; e++) out.add(e);
  }
  return out;
}

/** The compact text of an event set: {0..16} is `0-16`, {0..15, 66} is `0-15,66`. */
export function formatEventList(events: ReadonlySet<number>): string {
  const sorted = [...events].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i] as number;
    let end = start;
    while (i + 1 < sorted.length && sorted[i + 1] === end + 1) {
      end += 1;
      i += 1;
    }
    parts.push(start === end ? `${start}` : `${start}-${end}`);
    i += 1;
  }
  return parts.join(',');
}
