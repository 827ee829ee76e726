/**
 * RTCP packets (RFC 3550 §6.4–§6.6): sender report (SR), receiver report (RR), source
 * description (SDES, with CNAME), goodbye (BYE), in compound packets (§6.1). Other packet
 * types (APP, XR, feedback) are kept as opaque `unknown` packets so a compound that carries
 * them still parses.
 *
 * Every RTCP packet starts with the same 32-bit word:
 * ```
 * |V=2|P|  count  |      PT       |             length            |
 * ```
 * where length is "the length of this RTCP packet in 32-bit words minus one, including the
 * header and any padding" (§6.4.1).
 */
import { fail, MediaError, ok } from './result.js';
import type { MediaResult } from './result.js';

export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;
export const RTCP_APP = 204;

/** SDES item types (§6.5). */
export const SDES_CNAME = 1;

/** RFC 3550 §6.4.1 report block, one per source heard from. */
export interface ReportBlock {
  ssrc: number;
  /** Fraction lost since the last report, as a fixed-point number with the binary point at the left (0..255). */
  fractionLost: number;
  /** Cumulative number of packets lost, signed 24 bits (duplicates can make it negative). */
  cumulativeLost: number;
  /** Extended highest sequence number received (cycles << 16 | max_seq). */
  extendedHighestSequence: number;
  /** Interarrival jitter in timestamp units. */
  jitter: number;
  /** Last SR timestamp: the middle 32 bits of the NTP timestamp of the last SR (0 if none). */
  lastSr: number;
  /** Delay since last SR, in units of 1/65536 seconds. */
  delaySinceLastSr: number;
}

export interface SenderReport {
  type: 'sr';
  ssrc: number;
  /** NTP timestamp, integer seconds since 1900 (most significant word). */
  ntpSeconds: number;
  /** NTP timestamp fraction (least significant word). */
  ntpFraction: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports: ReportBlock[];
  /** Profile-specific extension after the report blocks, if any. */
  profileExtension?: Uint8Array | undefined;
}

export interface ReceiverReport {
  type: 'rr';
  ssrc: number;
  reports: ReportBlock[];
  profileExtension?: Uint8Array | undefined;
}

export interface SdesItem {
  /** Item type: 1 CNAME, 2 NAME, 3 EMAIL, ... 8 PRIV (kept as raw text). */
  type: number;
  text: string;
}

export interface SdesChunk {
  ssrc: number;
  items: SdesItem[];
}

export interface SourceDescription {
  type: 'sdes';
  chunks: SdesChunk[];
}

export interface Goodbye {
  type: 'bye';
  ssrcs: number[];
  reason?: string | undefined;
}

export interface UnknownRtcp {
  type: 'unknown';
  packetType: number;
  /** The 5-bit count/subtype field. */
  count: number;
  /** Everything after the 4-byte header, padding removed; a view into the input. */
  body: Uint8Array;
}

export type RtcpPacket = SenderReport | ReceiverReport | SourceDescription | Goodbye | UnknownRtcp;

const REPORT_BLOCK_SIZE = 24;
const utf8 = new TextEncoder();
const utf8Decode = new TextDecoder();

/**
 * Parse a compound RTCP packet (§6.1). Checks the validity rules of Appendix A.2 that do not
 * depend on the session: version 2 on every packet, lengths that add up to the datagram, and
 * padding only on the last packet. (A.2 also asks that the first packet be SR or RR; RFC 5506
 * reduced-size RTCP relaxes that, so it is not enforced here.)
 */
export function parseRtcpCompound(bytes: Uint8Array): MediaResult<RtcpPacket[]> {
  const packets: RtcpPacket[] = [];
  let offset = 0;
  if (bytes.length < 4) return fail('rtcp-too-short', `RTCP datagram of ${bytes.length} bytes`, 0);
  while (offset < bytes.length) {
    if (bytes.length - offset < 4) return fail('rtcp-truncated', 'trailing bytes shorter than an RTCP header', offset);
    const b0 = bytes[offset]!;
    if (b0 >> 6 !== 2) return fail('rtcp-bad-version', `RTCP version ${b0 >> 6}, expected 2`, offset);
    const count = b0 & 0x1f;
    const pt = bytes[offset + 1]!;
    const size = (((bytes[offset + 2]! << 8) | bytes[offset + 3]!) + 1) * 4;
    const end = offset + size;
    if (end > bytes.length) return fail('rtcp-bad-length', `RTCP packet length ${size} runs past the end of the datagram`, offset + 2);
    let bodyEnd = end;
    if (b0 & 0x20) {
      if (end !== bytes.length) return fail('rtcp-bad-padding', 'only the last packet of a compound may be padded', offset);
      const pad = bytes[end - 1]!;
      if (pad === 0 || pad > size - 4) return fail('rtcp-bad-padding', `padding count ${pad} is invalid`, end - 1);
      bodyEnd = end - pad;
    }
    const r = parseOne(bytes, pt, count, offset + 4, bodyEnd);
    if (!r.ok) return r;
    packets.push(r.value);
    offset = end;
  }
  return ok(packets);
}

function parseOne(b: Uint8Array, pt: number, count: number, start: number, end: number): MediaResult<RtcpPacket> {
  switch (pt) {
    case RTCP_SR: {
      if (end - start < 24 + count * REPORT_BLOCK_SIZE) return fail('rtcp-bad-length', `SR with ${count} report blocks is too short`, start - 4);
      const reports = parseReportBlocks(b, start + 24, count);
      const extStart = start + 24 + count * REPORT_BLOCK_SIZE;
      return ok({
        type: 'sr',
        ssrc: u32(b, start),
        ntpSeconds: u32(b, start + 4),
        ntpFraction: u32(b, start + 8),
        rtpTimestamp: u32(b, start + 12),
        packetCount: u32(b, start + 16),
        octetCount: u32(b, start + 20),
        reports,
        profileExtension: extStart < end ? b.subarray(extStart, end) : undefined,
      });
    }
    case RTCP_RR: {
      if (end - start < 4 + count * REPORT_BLOCK_SIZE) return fail('rtcp-bad-length', `RR with ${count} report blocks is too short`, start - 4);
      const extStart = start + 4 + count * REPORT_BLOCK_SIZE;
      return ok({
        type: 'rr',
        ssrc: u32(b, start),
        reports: parseReportBlocks(b, start + 4, count),
        profileExtension: extStart < end ? b.subarray(extStart, end) : undefined,
      });
    }
    case RTCP_SDES:
      return parseSdes(b, count, start, end);
    case RTCP_BYE: {
      if (end - start < count * 4) return fail('rtcp-bad-length', `BYE with ${count} sources is too short`, start - 4);
      const ssrcs: number[] = [];
      for (let i = 0; i < count; i++) ssrcs.push(u32(b, start + i * 4));
      let reason: string | undefined;
      const r = start + count * 4;
      if (r < end) {
        const len = b[r]!;
        if (r + 1 + len > end) return fail('rtcp-bad-length', 'BYE reason runs past the packet', r);
        reason = utf8Decode.decode(b.subarray(r + 1, r + 1 + len));
      }
      return ok({ type: 'bye', ssrcs, reason });
    }
    default:
      return ok({ type: 'unknown', packetType: pt, count, body: b.subarray(start, end) });
  }
}

function parseReportBlocks(b: Uint8Array, start: number, count: number): ReportBlock[] {
  const reports: ReportBlock[] = [];
  for (let i = 0, o = start; i < count; i++, o += REPORT_BLOCK_SIZE) {
    const lost24 = (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!;
    reports.push({
      ssrc: u32(b, o),
      fractionLost: b[o + 4]!,
      cumulativeLost: lost24 & 0x800000 ? lost24 - 0x1000000 : lost24,
      extendedHighestSequence: u32(b, o + 8),
      jitter: u32(b, o + 12),
      lastSr: u32(b, o + 16),
      delaySinceLastSr: u32(b, o + 20),
    });
  }
  return reports;
}

function parseSdes(b: Uint8Array, count: number, start: number, end: number): MediaResult<RtcpPacket> {
  const chunks: SdesChunk[] = [];
  let o = start;
  for (let c = 0; c < count; c++) {
    if (o + 4 > end) return fail('rtcp-bad-sdes', `SDES chunk ${c} runs past the packet`, o);
    const chunk: SdesChunk = { ssrc: u32(b, o), items: [] };
    o += 4;
    // §6.5: "The list of items in each chunk MUST be terminated by one or more null octets ...
    // followed by null octets until the next 32-bit boundary."
    for (;;) {
      if (o >= end) return fail('rtcp-bad-sdes', 'SDES item list is not terminated', o);
      const type = b[o]!;
      if (type === 0) {
        o = (o - start + 4) & ~3;
        o += start;
        break;
      }
      if (o + 2 > end) return fail('rtcp-bad-sdes', 'SDES item header runs past the packet', o);
      const len = b[o + 1]!;
      if (o + 2 + len > end) return fail('rtcp-bad-sdes', 'SDES item runs past the packet', o + 1);
      chunk.items.push({ type, text: utf8Decode.decode(b.subarray(o + 2, o + 2 + len)) });
      o += 2 + len;
    }
    chunks.push(chunk);
  }
  return ok({ type: 'sdes', chunks });
}

/** Serialise packets into one compound datagram (no padding; SRTCP and encryption come later). */
export function serializeRtcpCompound(packets: readonly RtcpPacket[]): Uint8Array {
  const parts = packets.map(serializeRtcpPacket);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Serialise a single RTCP packet. Throws MediaError on field values RTCP cannot carry. */
export function serializeRtcpPacket(packet: RtcpPacket): Uint8Array {
  switch (packet.type) {
    case 'sr': {
      checkCount(packet.reports.length);
      const ext = packet.profileExtension ?? new Uint8Array(0);
      const out = header(RTCP_SR, packet.reports.length, 28 + packet.reports.length * REPORT_BLOCK_SIZE + ext.length);
      put32(out, 4, packet.ssrc);
      put32(out, 8, packet.ntpSeconds);
      put32(out, 12, packet.ntpFraction);
      put32(out, 16, packet.rtpTimestamp);
      put32(out, 20, packet.packetCount);
      put32(out, 24, packet.octetCount);
      writeReportBlocks(out, 28, packet.reports);
      out.set(ext, 28 + packet.reports.length * REPORT_BLOCK_SIZE);
      return out;
    }
    case 'rr': {
      checkCount(packet.reports.length);
      const ext = packet.profileExtension ?? new Uint8Array(0);
      const out = header(RTCP_RR, packet.reports.length, 8 + packet.reports.length * REPORT_BLOCK_SIZE + ext.length);
      put32(out, 4, packet.ssrc);
      writeReportBlocks(out, 8, packet.reports);
      out.set(ext, 8 + packet.reports.length * REPORT_BLOCK_SIZE);
      return out;
    }
    case 'sdes': {
      checkCount(packet.chunks.length);
      const encoded = packet.chunks.map((c) => ({ ssrc: c.ssrc, items: c.items.map((i) => ({ type: i.type, text: utf8.encode(i.text) })) }));
      let size = 4;
      for (const c of encoded) {
        let n = 4;
        for (const i of c.items) {
          if (i.text.length > 255) throw new MediaError('rtcp-sdes-too-long', `SDES item of ${i.text.length} octets exceeds 255`);
          n += 2 + i.text.length;
        }
        size += (n + 4) & ~3; // at least one null octet, then to the 32-bit boundary
      }
      const out = header(RTCP_SDES, encoded.length, size);
      let o = 4;
      for (const c of encoded) {
        const chunkStart = o;
        put32(out, o, c.ssrc);
        o += 4;
        for (const i of c.items) {
          out[o] = i.type;
          out[o + 1] = i.text.length;
          out.set(i.text, o + 2);
          o += 2 + i.text.length;
        }
        o = chunkStart + ((o - chunkStart + 4) & ~3);
      }
      return out;
    }
    case 'bye': {
      checkCount(packet.ssrcs.length);
      const reason = packet.reason === undefined ? undefined : utf8.encode(packet.reason);
      if (reason && reason.length > 255) throw new MediaError('rtcp-bye-reason-too-long', 'BYE reason exceeds 255 octets');
      const base = 4 + packet.ssrcs.length * 4;
      const size = reason ? (base + 1 + reason.length + 3) & ~3 : base;
      const out = header(RTCP_BYE, packet.ssrcs.length, size);
      packet.ssrcs.forEach((s, i) => put32(out, 4 + i * 4, s));
      if (reason) {
        out[base] = reason.length;
        out.set(reason, base + 1);
      }
      return out;
    }
    case 'unknown': {
      if (packet.body.length % 4 !== 0) throw new MediaError('rtcp-bad-length', 'RTCP packet bodies are whole 32-bit words');
      const out = header(packet.packetType, packet.count, 4 + packet.body.length);
      out.set(packet.body, 4);
      return out;
    }
  }
}

/** Convenience: the CNAME of each chunk of an SDES packet, by SSRC. */
export function sdesCnames(packet: SourceDescription): Map<number, string> {
  const out = new Map<number, string>();
  for (const c of packet.chunks) {
    const item = c.items.find((i) => i.type === SDES_CNAME);
    if (item) out.set(c.ssrc, item.text);
  }
  return out;
}

// --- NTP time (§4) ---------------------------------------------------------------------------

/** Seconds from 1900-01-01 (NTP era 0) to 1970-01-01 (Unix epoch). */
const NTP_UNIX_OFFSET = 2208988800;

/** An NTP timestamp from a wall-clock time in Unix milliseconds. */
export function ntpFromUnixMs(unixMs: number): { seconds: number; fraction: number } {
  const secs = Math.floor(unixMs / 1000);
  const ms = unixMs - secs * 1000;
  return { seconds: (secs + NTP_UNIX_OFFSET) >>> 0, fraction: Math.floor((ms / 1000) * 0x100000000) >>> 0 };
}

/** The middle 32 bits of an NTP timestamp (16.16 fixed point), the unit of LSR in report blocks. */
export function ntpMiddle32(seconds: number, fraction: number): number {
  return (((seconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;
}

/**
 * Round-trip time from a report block (§6.4.1): "the source may compute the total round-trip
 * propagation delay to that receiver ... A - LSR - DLSR", all in 1/65536 s. `arrival` is the
 * middle 32 bits of the NTP time the report arrived. Returns milliseconds, or undefined when
 * the receiver had no SR yet (LSR 0) or the result is negative (clock trouble).
 */
export function roundTripMs(arrival: number, lastSr: number, delaySinceLastSr: number): number | undefined {
  if (lastSr === 0) return undefined;
  const rtt = (arrival - lastSr - delaySinceLastSr) | 0; // modulo 2^32, as signed
  if (rtt < 0) return undefined;
  return (rtt * 1000) / 65536;
}

// --- helpers -----------------------------------------------------------------------------------

function checkCount(n: number): void {
  if (n > 31) throw new MediaError('rtcp-too-many-items', `an RTCP count field holds at most 31, got ${n}`);
}

function header(pt: number, count: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out[0] = 0x80 | (count & 0x1f);
  out[1] = pt;
  const words = size / 4 - 1;
  out[2] = words >>> 8;
  out[3] = words & 0xff;
  return out;
}

function writeReportBlocks(out: Uint8Array, start: number, reports: readonly ReportBlock[]): void {
  reports.forEach((r, i) => {
    const o = start + i * REPORT_BLOCK_SIZE;
    put32(out, o, r.ssrc);
    // §6.4.1: cumulative lost is a signed 24-bit field; clamp rather than wrap (A.3).
    const lost = Math.max(-0x800000, Math.min(0x7fffff, r.cumulativeLost)) & 0xffffff;
    put32(out, o + 4, ((r.fractionLost & 0xff) << 24) | lost);
    put32(out, o + 8, r.extendedHighestSequence);
    put32(out, o + 12, r.jitter);
    put32(out, o + 16, r.lastSr);
    put32(out, o + 20, r.delaySinceLastSr);
  });
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}
