/**
 * RTP packets (RFC 3550 §5.1): parse and serialise, with CSRCs, the header extension (§5.3.1),
 * padding and the marker bit.
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * |                           timestamp                           |
 * |           synchronization source (SSRC) identifier            |
 * |            contributing source (CSRC) identifiers             | × CC
 * |   defined by profile          |           length              | if X
 * |                        header extension                       | length × 4 bytes
 * |                            payload  ...  padding | pad count  |
 * ```
 *
 * This runs for every packet of every call (about 100k packets/s for 1000 calls), so it is
 * allocation-light: the payload and extension are views into the input (never copies), packets
 * without CSRCs share one frozen empty array, `parseRtpInto` refills a caller-owned object, and
 * `writeRtpHeader` writes into a preallocated buffer.
 */
import { MediaError, ok } from './result.js';
import type { MediaParseError, MediaResult } from './result.js';

export const RTP_VERSION = 2;
/** The fixed header, without CSRCs or extension. */
export const RTP_FIXED_HEADER_SIZE = 12;

const NO_CSRCS: readonly number[] = Object.freeze([]);

/** RFC 3550 §5.3.1 header extension: 16 bits "defined by profile" and whole 32-bit words. */
export interface RtpHeaderExtension {
  profile: number;
  /** The extension words (length a multiple of 4); a view into the packet when parsed. */
  data: Uint8Array;
}

export interface RtpHeader {
  marker: boolean;
  /** 7 bits. */
  payloadType: number;
  /** 16 bits. */
  sequenceNumber: number;
  /** 32 bits, unsigned. */
  timestamp: number;
  /** 32 bits, unsigned. */
  ssrc: number;
  /** Up to 15 contributing sources. */
  csrcs: readonly number[];
  extension?: RtpHeaderExtension | undefined;
}

export interface RtpPacket extends RtpHeader {
  /** The payload without padding; a view into the input when parsed. */
  payload: Uint8Array;
  /** Octets of padding after the payload (0 = P bit clear); includes the count octet. */
  paddingLength: number;
}

/** A packet object for `parseRtpInto` to refill, so a receive loop allocates nothing per packet but views. */
export function createRtpPacket(): RtpPacket {
  return {
    marker: false,
    payloadType: 0,
    sequenceNumber: 0,
    timestamp: 0,
    ssrc: 0,
    csrcs: NO_CSRCS,
    extension: undefined,
    payload: new Uint8Array(0),
    paddingLength: 0,
  };
}

/**
 * Parse an RTP packet into `out` (reused). Returns null on success, or the reason the bytes are
 * not a valid RTP packet (RFC 3550 §5.1 and the checks of Appendix A.1). `out` is left in an
 * unspecified state on failure.
 */
export function parseRtpInto(bytes: Uint8Array, out: RtpPacket): MediaParseError | null {
  const len = bytes.length;
  if (len < RTP_FIXED_HEADER_SIZE) return err('rtp-too-short', `RTP packet of ${len} bytes is shorter than the 12-byte fixed header`, 0);
  const b0 = bytes[0]!;
  if (b0 >> 6 !== RTP_VERSION) return err('rtp-bad-version', `RTP version ${b0 >> 6}, expected 2`, 0);
  const b1 = bytes[1]!;
  const cc = b0 & 0x0f;
  let offset = RTP_FIXED_HEADER_SIZE + cc * 4;
  if (offset > len) return err('rtp-bad-csrc-count', `CSRC count ${cc} runs past the end of a ${len}-byte packet`, 0);
  out.marker = (b1 & 0x80) !== 0;
  out.payloadType = b1 & 0x7f;
  out.sequenceNumber = (bytes[2]! << 8) | bytes[3]!;
  out.timestamp = readU32(bytes, 4);
  out.ssrc = readU32(bytes, 8);
  if (cc === 0) {
    out.csrcs = NO_CSRCS;
  } else {
    const csrcs = new Array<number>(cc);
    for (let i = 0; i < cc; i++) csrcs[i] = readU32(bytes, 12 + i * 4);
    out.csrcs = csrcs;
  }
  if (b0 & 0x10) {
    if (offset + 4 > len) return err('rtp-bad-extension', 'header extension runs past the end of the packet', offset);
    const profile = (bytes[offset]! << 8) | bytes[offset + 1]!;
    const words = (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
    const start = offset + 4;
    const end = start + words * 4;
    if (end > len) return err('rtp-bad-extension', `header extension of ${words} words runs past the end of the packet`, offset + 2);
    out.extension = { profile, data: bytes.subarray(start, end) };
    offset = end;
  } else {
    out.extension = undefined;
  }
  let payloadEnd = len;
  if (b0 & 0x20) {
    // §5.1: "The last octet of the padding contains a count of how many padding octets should
    // be ignored, including itself."
    const pad = bytes[len - 1]!;
    if (pad === 0 || len - pad < offset) return err('rtp-bad-padding', `padding count ${pad} is invalid for a ${len}-byte packet`, len - 1);
    payloadEnd = len - pad;
    out.paddingLength = pad;
  } else {
    out.paddingLength = 0;
  }
  out.payload = bytes.subarray(offset, payloadEnd);
  return null;
}

/** Parse an RTP packet (RFC 3550 §5.1). Never throws; the payload is a view into `bytes`. */
export function parseRtpPacket(bytes: Uint8Array): MediaResult<RtpPacket> {
  const packet = createRtpPacket();
  const error = parseRtpInto(bytes, packet);
  return error ? { ok: false, error } : ok(packet);
}

/** Size in bytes of the header `writeRtpHeader` writes for `header`. */
export function rtpHeaderSize(header: RtpHeader): number {
  return RTP_FIXED_HEADER_SIZE + header.csrcs.length * 4 + (header.extension ? 4 + header.extension.data.length : 0);
}

/**
 * Write the RTP header for `header` into `buf` at `offset` (no allocation); returns the header
 * length, so the payload goes at `offset + returned`. Set `padded` when padding will follow the
 * payload (the caller writes it; see `serializeRtpPacket`). Throws MediaError on out-of-range
 * fields or a buffer that is too small (programmer errors).
 */
export function writeRtpHeader(buf: Uint8Array, offset: number, header: RtpHeader, padded = false): number {
  const cc = header.csrcs.length;
  const ext = header.extension;
  if (cc > 15) throw new MediaError('rtp-too-many-csrcs', `an RTP packet carries at most 15 CSRCs, got ${cc}`);
  if (ext && (ext.data.length % 4 !== 0 || ext.data.length > 0x3fffc)) {
    throw new MediaError('rtp-bad-extension', `header extension data must be whole 32-bit words, got ${ext.data.length} bytes`);
  }
  const size = RTP_FIXED_HEADER_SIZE + cc * 4 + (ext ? 4 + ext.data.length : 0);
  if (offset + size > buf.length) throw new MediaError('rtp-buffer-too-small', `need ${size} bytes at offset ${offset}, buffer has ${buf.length}`);
  buf[offset] = (RTP_VERSION << 6) | (padded ? 0x20 : 0) | (ext ? 0x10 : 0) | cc;
  buf[offset + 1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
  buf[offset + 2] = (header.sequenceNumber >>> 8) & 0xff;
  buf[offset + 3] = header.sequenceNumber & 0xff;
  writeU32(buf, offset + 4, header.timestamp);
  writeU32(buf, offset + 8, header.ssrc);
  let o = offset + RTP_FIXED_HEADER_SIZE;
  for (let i = 0; i < cc; i++, o += 4) writeU32(buf, o, header.csrcs[i]!);
  if (ext) {
    const words = ext.data.length >>> 2;
    buf[o] = (ext.profile >>> 8) & 0xff;
    buf[o + 1] = ext.profile & 0xff;
    buf[o + 2] = words >>> 8;
    buf[o + 3] = words & 0xff;
    buf.set(ext.data, o + 4);
  }
  return size;
}

/**
 * Serialise a whole packet into a new buffer. With `paddingLength` > 0 the P bit is set and
 * that many padding octets follow the payload, the last one holding the count (§5.1).
 */
export function serializeRtpPacket(packet: RtpPacket): Uint8Array {
  const pad = packet.paddingLength;
  if (pad < 0 || pad > 255) throw new MediaError('rtp-bad-padding', `padding length must be 0..255, got ${pad}`);
  const headerSize = rtpHeaderSize(packet);
  const out = new Uint8Array(headerSize + packet.payload.length + pad);
  writeRtpHeader(out, 0, packet, pad > 0);
  out.set(packet.payload, headerSize);
  if (pad > 0) out[out.length - 1] = pad;
  return out;
}

/**
 * RFC 5761 §4: with rtcp-mux, a packet whose second octet is 192..223 (RTCP types 200..204 and
 * friends, i.e. RTP payload types 64..95 with the marker bit) is RTCP, not RTP.
 */
export function isRtcpPacket(bytes: Uint8Array): boolean {
  if (bytes.length < 2) return false;
  const pt = bytes[1]!;
  return pt >= 192 && pt <= 223;
}

function readU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

function err(code: string, message: string, offset: number): MediaParseError {
  return { code, message, offset };
}
