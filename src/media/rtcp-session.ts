/**
 * The RTCP side of one RTP stream (RFC 3550 §6): when to report, what to put in a compound
 * report, and what to learn from the peer's reports.
 *
 * Timing (§6.2, §6.3, simplified and deliberately so): a softphone's audio stream is a
 * two-party session at 64 kbit/s, where 5 % of the session bandwidth (3.2 kbit/s) would allow
 * reports far more often than the §6.2 minimum of 5 seconds, so the minimum always wins and
 * the deterministic interval Td is `intervalMs` (5 s). Each interval is randomised to
 * U[0.5, 1.5] × Td "to avoid unintended synchronization" (§6.2); the first report goes after
 * half of that, as §6.2 recommends for the initial packet. Not done: the e − 3/2
 * compensation factor and timer reconsideration (§6.3.3, §6.3.6), which matter for large
 * groups, not for two parties.
 *
 * Compound packets (§6.1): SR when we sent RTP since the previous report (§6.4: SRs are for
 * active senders), else RR; at most one report block, about the source we hear; SDES with
 * our CNAME; BYE last when the stream closes (§6.6).
 *
 * Round trip (§6.4.1): from a report block about our SSRC, A − LSR − DLSR. NTP timestamps
 * come from the stream's monotonic clock plus a fixed offset to wall-clock time taken at
 * construction, so sub-millisecond round trips on loopback are not lost to Date.now()'s
 * granularity.
 */
import type { ReportBlock, RtcpPacket } from './rtcp.js';
import { ntpFromUnixMs, ntpMiddle32, parseRtcpCompound, roundTripMs, SDES_CNAME, serializeRtcpCompound } from './rtcp.js';
import type { RemoteReceptionReport } from './call-stats.js';

export const DEFAULT_RTCP_INTERVAL_MS = 5000;

/** What the stream tells the session about its sending, for an SR (§6.4.1 sender info). */
export interface SenderInfo {
  /** RTP packets sent since the previous report. */
  sentSinceLastReport: boolean;
  packetCount: number;
  octetCount: number;
  /** The RTP timestamp that corresponds to `nowMs`. */
  rtpTimestamp: number;
}

/** What the session learned from one received compound packet. */
export interface RtcpReceiveResult {
  /** NTP middle 32 bits of an SR from `senderSsrc` (for the receiver statistics' LSR). */
  senderReport?: { ssrc: number; ntpMiddle: number } | undefined;
  /** The peer's report block about us, with the round trip when it had LSR/DLSR. */
  report?: { remote: RemoteReceptionReport; rttMs: number | undefined } | undefined;
  /** SSRCs the peer said goodbye for, and the reason. */
  bye?: { ssrcs: number[]; reason: string | undefined } | undefined;
  /** The packet did not parse (§A.2 checks). */
  invalid: boolean;
}

export interface RtcpSessionOptions {
  localSsrc: number;
  cname: string;
  /** Report interval Td, ms (default 5000). */
  intervalMs?: number;
  /** [0, 1) randomness for the interval. */
  random: () => number;
  /** RTP clock rate we send with (for their jitter in ms). */
  sendClockRate: number;
}

export class RtcpSession {
  readonly intervalMs: number;
  localSsrc: number;
  private readonly cname: string;
  private readonly random: () => number;
  /** Unix ms minus stream-clock ms: NTP time = now + offset (set when the stream starts). */
  ntpOffsetMs = 0;
  private readonly sendClockRate: number;
  /** Stream-clock time of the next report. */
  nextReportMs = Infinity;

  constructor(options: RtcpSessionOptions) {
    this.intervalMs = options.intervalMs ?? DEFAULT_RTCP_INTERVAL_MS;
    this.localSsrc = options.localSsrc;
    this.cname = options.cname;
    this.random = options.random;
    this.sendClockRate = options.sendClockRate;
  }

  /** Arm the first report: half an interval, randomised (§6.2). */
  start(nowMs: number): void {
    this.nextReportMs = nowMs + this.randomised(this.intervalMs / 2);
  }

  /** Arm the next report after one was sent at `nowMs`. */
  reported(nowMs: number): void {
    this.nextReportMs = nowMs + this.randomised(this.intervalMs);
  }

  private randomised(td: number): number {
    return td * (0.5 + this.random());
  }

  /** A compound report (SR or RR, SDES CNAME, optional BYE). */
  build(nowMs: number, sender: SenderInfo, block: ReportBlock | undefined, bye?: { reason?: string | undefined }): Uint8Array {
    const reports = block ? [block] : [];
    const packets: RtcpPacket[] = [];
    if (sender.sentSinceLastReport) {
      const ntp = ntpFromUnixMs(nowMs + this.ntpOffsetMs);
      packets.push({
        type: 'sr',
        ssrc: this.localSsrc,
        ntpSeconds: ntp.seconds,
        ntpFraction: ntp.fraction,
        rtpTimestamp: sender.rtpTimestamp >>> 0,
        packetCount: sender.packetCount >>> 0,
        octetCount: sender.octetCount >>> 0,
        reports,
      });
    } else {
      packets.push({ type: 'rr', ssrc: this.localSsrc, reports });
    }
    packets.push({ type: 'sdes', chunks: [{ ssrc: this.localSsrc, items: [{ type: SDES_CNAME, text: this.cname }] }] });
    if (bye) packets.push({ type: 'bye', ssrcs: [this.localSsrc], reason: bye.reason });
    return serializeRtcpCompound(packets);
  }

  /** Read a compound packet from the peer, arriving at `nowMs`. */
  receive(bytes: Uint8Array, nowMs: number): RtcpReceiveResult {
    const parsed = parseRtcpCompound(bytes);
    if (!parsed.ok) return { invalid: true };
    const out: RtcpReceiveResult = { invalid: false };
    for (const p of parsed.value) {
      if (p.type === 'sr' || p.type === 'rr') {
        if (p.type === 'sr') out.senderReport = { ssrc: p.ssrc, ntpMiddle: ntpMiddle32(p.ntpSeconds, p.ntpFraction) };
        const mine = p.reports.find((r) => r.ssrc === this.localSsrc);
        if (mine) out.report = { remote: this.remoteReport(mine, nowMs), rttMs: this.roundTrip(mine, nowMs) };
      } else if (p.type === 'bye') {
        out.bye = { ssrcs: p.ssrcs, reason: p.reason };
      }
    }
    return out;
  }

  private remoteReport(r: ReportBlock, nowMs: number): RemoteReceptionReport {
    return {
      fractionLost: r.fractionLost / 256,
      cumulativeLost: r.cumulativeLost,
      jitterMs: (r.jitter * 1000) / this.sendClockRate,
      extendedHighestSequence: r.extendedHighestSequence,
      receivedAtMs: nowMs,
    };
  }

  private roundTrip(r: ReportBlock, nowMs: number): number | undefined {
    if (r.lastSr === 0) return undefined;
    const ntp = ntpFromUnixMs(nowMs + this.ntpOffsetMs);
    const arrival = ntpMiddle32(ntp.seconds, ntp.fraction);
    const rtt = roundTripMs(arrival, r.lastSr, r.delaySinceLastSr);
    if (rtt !== undefined) return rtt;
    // LSR is truncated and DLSR rounded to 1/65536 s: on loopback A − LSR − DLSR can come out a
    // few units below zero. Up to 5 ms below is rounding, reported as 0; more is clock trouble.
    const raw = (arrival - r.lastSr - r.delaySinceLastSr) | 0;
    return raw > -328 ? 0 : undefined;
  }
}
