/**
 * Receiver-side statistics for one RTP source, as RFC 3550 Appendix A computes them:
 *
 * - A.1 sequence number validity: a new source is on probation until MIN_SEQUENTIAL packets
 *   arrive in sequence; then `max_seq`, the count of 16-bit wraps (`cycles`) and a restart on
 *   two consecutive packets after a large jump (`bad_seq`) keep the extended highest sequence.
 * - A.3 expected and lost packets, cumulative and per report interval, and the fraction lost.
 * - A.8 the interarrival jitter estimate J += (|D| - J) / 16, in timestamp units.
 * - §6.4.1 LSR/DLSR for the report block this receiver sends back.
 *
 * Time is passed in (milliseconds on any monotonic clock); nothing here reads a clock.
 */
import type { ReportBlock } from './rtcp.js';

const RTP_SEQ_MOD = 0x10000;
/** A.1: "the source is declared valid only after MIN_SEQUENTIAL packets have been received in sequence". */
export const MAX_DROPOUT = 3000;
export const MAX_MISORDER = 100;
export const MIN_SEQUENTIAL = 2;

export interface RtpReceiverStatsOptions {
  /** RTP clock rate of the payload format (8000 for G.711), for the jitter computation. */
  clockRate: number;
  /** Packets in sequence before the source is valid (A.1 MIN_SEQUENTIAL; 0 or 1 = valid at once). */
  minSequential?: number;
}

/** What `update` decided about one packet. */
export type SequenceVerdict =
  /** In sequence, or a reordered/duplicate packet within the misorder window; counted. */
  | 'valid'
  /** Still on probation (A.1); not counted. */
  | 'probation'
  /** A large jump: discarded until a second packet confirms the new sequence (A.1 bad_seq). */
  | 'bad-sequence'
  /** The second packet after a large jump: the source was restarted (init_seq) and counted. */
  | 'restarted';

export class RtpReceiverStats {
  readonly clockRate: number;
  private readonly minSequential: number;
  // A.1 `source` fields, named as in the RFC.
  private maxSeq = 0;
  private cycles = 0;
  private baseSeq = 0;
  private badSeq = RTP_SEQ_MOD + 1;
  private probation: number;
  private receivedCount = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private started = false;
  // A.8
  private jitterEstimate = 0;
  private lastTransitTs = 0;
  private lastArrivalMs = 0;
  private haveTransit = false;
  // §6.4.1 LSR/DLSR
  private lastSrMiddle = 0;
  private lastSrArrivalMs = 0;

  constructor(options: RtpReceiverStatsOptions) {
    this.clockRate = options.clockRate;
    this.minSequential = options.minSequential ?? MIN_SEQUENTIAL;
    this.probation = this.minSequential;
  }

  /**
   * Account for one received RTP packet: its sequence number, RTP timestamp and arrival time
   * (ms). Returns the A.1 verdict; callers normally drop packets that are not valid/restarted.
   */
  update(sequenceNumber: number, rtpTimestamp: number, arrivalMs: number): SequenceVerdict {
    const seq = sequenceNumber & 0xffff;
    if (!this.started) {
      // A.1: "init_seq(s, seq); s->max_seq = seq - 1; s->probation = MIN_SEQUENTIAL;"
      this.started = true;
      this.initSeq(seq);
      this.maxSeq = (seq - 1) & 0xffff;
      this.probation = this.minSequential;
      if (this.probation <= 0) {
        // No probation asked for: the first packet is valid and is the base.
        this.probation = 0;
        this.initSeq(seq);
        this.receivedCount = 1;
        this.updateJitter(rtpTimestamp, arrivalMs, true);
        return 'valid';
      }
    }
    const verdict = this.updateSeq(seq);
    if (verdict === 'valid' || verdict === 'restarted') this.updateJitter(rtpTimestamp, arrivalMs, verdict === 'restarted');
    return verdict;
  }

  private initSeq(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1; // so seq == bad_seq is false
    this.cycles = 0;
    this.receivedCount = 0;
    this.receivedPrior = 0;
    this.expectedPrior = 0;
  }

  private updateSeq(seq: number): SequenceVerdict {
    const udelta = (seq - this.maxSeq) & 0xffff;
    if (this.probation > 0) {
      // A.1: "packet is in sequence"
      if (seq === ((this.maxSeq + 1) & 0xffff)) {
        this.probation--;
        this.maxSeq = seq;
        if (this.probation === 0) {
          this.initSeq(seq);
          this.receivedCount++;
          return 'valid';
        }
      } else {
        this.probation = this.minSequential - 1;
        this.maxSeq = seq;
      }
      return 'probation';
    } else if (udelta < MAX_DROPOUT) {
      // In order, with permissible gap.
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD; // sequence number wrapped
      this.maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // The sequence number made a very large jump.
      if (seq === this.badSeq) {
        // "Two sequential packets -- assume that the other side restarted without telling us
        // so just re-sync (i.e., pretend this was the first packet)."
        this.initSeq(seq);
        this.receivedCount++;
        return 'restarted';
      }
      this.badSeq = (seq + 1) & (RTP_SEQ_MOD - 1);
      return 'bad-sequence';
    } else {
      // Duplicate or reordered packet: counted, max_seq unchanged.
    }
    this.receivedCount++;
    return 'valid';
  }

  private updateJitter(rtpTimestamp: number, arrivalMs: number, reset: boolean): void {
    // A.8: D(i,j) = (Rj - Ri) - (Sj - Si), with arrival R converted to timestamp units. The
    // RTP timestamp difference is taken modulo 2^32 as a signed number so wraps do no harm.
    if (this.haveTransit && !reset) {
      const arrivalDelta = ((arrivalMs - this.lastArrivalMs) * this.clockRate) / 1000;
      const tsDelta = (rtpTimestamp - this.lastTransitTs) | 0;
      const d = Math.abs(arrivalDelta - tsDelta);
      this.jitterEstimate += (d - this.jitterEstimate) / 16;
    }
    this.haveTransit = true;
    this.lastTransitTs = rtpTimestamp >>> 0;
    this.lastArrivalMs = arrivalMs;
  }

  /** Whether the source has passed probation (A.1). */
  get valid(): boolean {
    return this.started && this.probation === 0;
  }
  /** Packets counted as received (A.1 `received`; duplicates count too, as in the RFC). */
  get received(): number {
    return this.receivedCount;
  }
  /** A.3 `extended_max = s->cycles + s->max_seq`. */
  get extendedHighestSequence(): number {
    return this.cycles + this.maxSeq;
  }
  /** A.3 `expected = extended_max - s->base_seq + 1`. */
  get expected(): number {
    return this.valid ? this.extendedHighestSequence - this.baseSeq + 1 : 0;
  }
  /** A.3 cumulative lost: expected - received, clamped to the signed 24-bit field. */
  get cumulativeLost(): number {
    const lost = this.expected - this.receivedCount;
    return Math.max(-0x800000, Math.min(0x7fffff, lost));
  }
  /** A.8 jitter estimate in timestamp units, as the report block carries it (truncated). */
  get jitter(): number {
    return Math.floor(this.jitterEstimate);
  }
  /** The jitter estimate in milliseconds (for statistics shown to users). */
  get jitterMs(): number {
    return (this.jitterEstimate * 1000) / this.clockRate;
  }

  /**
   * A.3 interval statistics: packets expected and lost since the previous call, and the
   * 8-bit fraction lost `(lost_interval << 8) / expected_interval` (0 when nothing was lost or
   * duplicates outnumber losses). Advances the interval, so call it once per report.
   */
  takeInterval(): { expected: number; received: number; lost: number; fractionLost: number } {
    const expected = this.expected;
    const expectedInterval = expected - this.expectedPrior;
    this.expectedPrior = expected;
    const receivedInterval = this.receivedCount - this.receivedPrior;
    this.receivedPrior = this.receivedCount;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost = expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval);
    return { expected: expectedInterval, received: receivedInterval, lost: lostInterval, fractionLost: Math.min(255, fractionLost) };
  }

  /** Record an SR from this source: the middle 32 bits of its NTP timestamp and when it arrived. */
  onSenderReport(ntpMiddle: number, arrivalMs: number): void {
    this.lastSrMiddle = ntpMiddle >>> 0;
    this.lastSrArrivalMs = arrivalMs;
  }

  /**
   * The report block about this source for our next SR/RR (§6.4.1), closing the A.3 interval.
   * DLSR is "the delay ... between receiving the last SR packet from source SSRC_n and sending
   * this reception report block", in 1/65536 s; both LSR and DLSR are 0 before any SR.
   */
  reportBlock(ssrc: number, nowMs: number): ReportBlock {
    const interval = this.takeInterval();
    const dlsr = this.lastSrMiddle === 0 ? 0 : Math.max(0, Math.round(((nowMs - this.lastSrArrivalMs) * 65536) / 1000)) >>> 0;
    return {
      ssrc: ssrc >>> 0,
      fractionLost: interval.fractionLost,
      cumulativeLost: this.cumulativeLost,
      extendedHighestSequence: this.extendedHighestSequence >>> 0,
      jitter: this.jitter >>> 0,
      lastSr: this.lastSrMiddle,
      delaySinceLastSr: dlsr,
    };
  }
}
