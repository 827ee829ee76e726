/**
 * Jitter buffers: hold arriving RTP packets long enough to put them back in order and to play
 * them at the sender's pace.
 *
 * The seam is `JitterBuffer`: `put` each packet as it arrives, `get` once per frame period,
 * and play what it returns. A `loss` or `empty` answer is the caller's cue to conceal
 * (concealment.ts). This milestone has the fixed-delay buffer; the adaptive buffer (delay that
 * follows the measured jitter, time-stretching) comes later behind the same interface.
 *
 * `FixedJitterBuffer` plays the packet with RTP timestamp ts at
 *   anchorMs + (ts − anchorTs) / clockRate
 * where the anchor is set by the first packet (its arrival + delayMs) and again at each new
 * talk spurt (a marker bit, or a timestamp that does not follow on, arriving when nothing is
 * queued). Packets arriving after their turn are late and dropped; packets already held or
 * played are duplicates; a missing packet is declared lost once a later one is queued and its
 * turn has come. Sequence numbers are extended over the 16-bit wrap.
 */

export interface JitterPacket<T = Uint8Array> {
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
  payload: T;
}

export type JitterOutput<T = Uint8Array> =
  /** Play this packet now. */
  | { readonly kind: 'frame'; readonly packet: JitterPacket<T> }
  /** The packet due now is known to be lost: conceal. */
  | { readonly kind: 'loss' }
  /** Nothing to play (not started, a silence between talk spurts, or nothing arrived yet). */
  | { readonly kind: 'empty' };

export interface JitterBufferStats {
  /** Packets handed to `put`, whatever became of them. */
  received: number;
  /** Played out by `get`. */
  played: number;
  /** Arrived after their turn to play; dropped. */
  late: number;
  /** Already held or already played; dropped. */
  duplicate: number;
  /** Never arrived by their turn. */
  lost: number;
  /** Times the buffer restarted on a sequence-number jump it could not bridge. */
  resyncs: number;
  /** Packets held now. */
  depth: number;
  /** Audio held now, in ms (depth × frame duration). */
  depthMs: number;
}

export interface JitterBuffer<T = Uint8Array> {
  /** Offer a packet that arrived at `arrivalMs`. */
  put(packet: JitterPacket<T>, arrivalMs: number): void;
  /**
   * What to play for the frame period starting at `nowMs`. Call once per period. A returned
   * `frame` object may be reused by the next call: use it before calling again.
   */
  get(nowMs: number): JitterOutput<T>;
  readonly stats: Readonly<JitterBufferStats>;
  /** Forget all packets and timing (e.g. on an SSRC change); statistics are kept. */
  reset(): void;
}

export interface FixedJitterBufferOptions {
  /** RTP clock rate (8000 for G.711). */
  clockRate?: number;
  /** Packetisation interval in ms. */
  frameMs?: number;
  /** Fixed playout delay after the first packet of a talk spurt arrives. */
  delayMs?: number;
  /** Packets the buffer can hold (rounded up to a power of two). */
  capacity?: number;
}

const LOSS = Object.freeze({ kind: 'loss' as const });
const EMPTY = Object.freeze({ kind: 'empty' as const });
/** A backwards sequence jump larger than this is a restarted sender, not a late packet. */
const MAX_MISORDER = 1000;

export class FixedJitterBuffer<T = Uint8Array> implements JitterBuffer<T> {
  readonly clockRate: number;
  readonly frameMs: number;
  readonly delayMs: number;
  private readonly tsPerFrame: number;
  private readonly mask: number;
  private readonly slotSeq: Float64Array;
  private readonly slotPacket: (JitterPacket<T> | undefined)[];
  private readonly slotPlayed: Uint8Array;
  private readonly frameOut: { kind: 'frame'; packet: JitterPacket<T> };
  private readonly statsValue: JitterBufferStats = { received: 0, played: 0, late: 0, duplicate: 0, lost: 0, resyncs: 0, depth: 0, depthMs: 0 };
  private started = false;
  /** Extended sequence number of the next packet to play. */
  private nextSeq = 0;
  /** Expected RTP timestamp of the next packet to play. */
  private nextTs = 0;
  private anchorTs = 0;
  private anchorMs = 0;
  private lastGetMs = -Infinity;

  constructor(options: FixedJitterBufferOptions = {}) {
    this.clockRate = options.clockRate ?? 8000;
    this.frameMs = options.frameMs ?? 20;
    this.delayMs = options.delayMs ?? 60;
    this.tsPerFrame = Math.round((this.clockRate * this.frameMs) / 1000);
    let cap = 1;
    while (cap < (options.capacity ?? 64)) cap <<= 1;
    this.mask = cap - 1;
    this.slotSeq = new Float64Array(cap).fill(-1);
    this.slotPacket = new Array<JitterPacket<T> | undefined>(cap).fill(undefined);
    this.slotPlayed = new Uint8Array(cap);
    this.frameOut = { kind: 'frame', packet: undefined as unknown as JitterPacket<T> };
  }

  get stats(): Readonly<JitterBufferStats> {
    this.statsValue.depthMs = this.statsValue.depth * this.frameMs;
    return this.statsValue;
  }

  reset(): void {
    this.slotSeq.fill(-1);
    this.slotPacket.fill(undefined);
    this.slotPlayed.fill(0);
    this.statsValue.depth = 0;
    this.started = false;
  }

  put(packet: JitterPacket<T>, arrivalMs: number): void {
    const st = this.statsValue;
    st.received++;
    if (!this.started) {
      this.begin(packet, arrivalMs);
      return;
    }
    // Extend the 16-bit sequence number to the one nearest the next expected.
    const ext = this.nextSeq + (((packet.sequenceNumber - this.nextSeq) << 16) >> 16);
    const diff = ext - this.nextSeq;
    if (diff < 0) {
      if (diff < -MAX_MISORDER) return this.resync(packet, arrivalMs);
      const i = ext & this.mask;
      if (this.slotSeq[i] === ext && this.slotPlayed[i]) st.duplicate++;
      else st.late++;
      return;
    }
    if (diff > this.mask) return this.resync(packet, arrivalMs);
    const i = ext & this.mask;
    if (this.slotSeq[i] === ext) {
      st.duplicate++;
      return;
    }
    if (diff === 0 && st.depth === 0) {
      // The head of an empty buffer: a new talk spurt (marker, or a timestamp that does not
      // follow on) re-anchors playout, so silence between spurts does not eat the delay.
      const natural = arrivalMs + this.delayMs;
      const scheduled = this.playoutMs(packet.timestamp);
      if ((packet.marker || packet.timestamp >>> 0 !== this.nextTs >>> 0) && Math.abs(scheduled - natural) >= this.frameMs) {
        this.anchor(packet.timestamp, natural);
      } else if (this.lastGetMs >= scheduled) {
        // A get() at or after its turn already passed it over: late. The next one follows.
        st.late++;
        this.nextSeq++;
        this.nextTs = (packet.timestamp + this.tsPerFrame) >>> 0;
        return;
      }
    }
    this.store(i, ext, packet);
  }

  get(nowMs: number): JitterOutput<T> {
    this.lastGetMs = nowMs;
    if (!this.started) return EMPTY;
    const st = this.statsValue;
    for (;;) {
      const i = this.nextSeq & this.mask;
      const packet = this.slotSeq[i] === this.nextSeq ? this.slotPacket[i] : undefined;
      if (packet) {
        if (this.playoutMs(packet.timestamp) > nowMs) return EMPTY; // early: a gap in the timeline
        this.slotPacket[i] = undefined;
        this.slotPlayed[i] = 1;
        st.depth--;
        st.played++;
        this.nextSeq++;
        this.nextTs = (packet.timestamp + this.tsPerFrame) >>> 0;
        this.frameOut.packet = packet;
        return this.frameOut;
      }
      // Missing. Without anything queued we cannot tell a loss from a pause in sending.
      if (st.depth === 0 || this.playoutMs(this.nextTs) > nowMs) return EMPTY;
      const lostAtMs = this.playoutMs(this.nextTs);
      st.lost++;
      this.slotSeq[i] = this.nextSeq;
      this.slotPlayed[i] = 0;
      this.nextSeq++;
      this.nextTs = (this.nextTs + this.tsPerFrame) >>> 0;
      // A slot whose whole period has passed was already concealed (as `empty`): move on to
      // the slot of the current period.
      if (lostAtMs + this.frameMs > nowMs) return LOSS;
    }
  }

  private begin(packet: JitterPacket<T>, arrivalMs: number): void {
    this.started = true;
    this.nextSeq = packet.sequenceNumber & 0xffff;
    this.anchor(packet.timestamp, arrivalMs + this.delayMs);
    this.store(this.nextSeq & this.mask, this.nextSeq, packet);
  }

  private resync(packet: JitterPacket<T>, arrivalMs: number): void {
    this.statsValue.resyncs++;
    this.reset();
    this.begin(packet, arrivalMs);
  }

  private anchor(ts: number, ms: number): void {
    this.anchorTs = ts >>> 0;
    this.anchorMs = ms;
    this.nextTs = ts >>> 0;
  }

  private store(i: number, ext: number, packet: JitterPacket<T>): void {
    this.slotSeq[i] = ext;
    this.slotPacket[i] = packet;
    this.slotPlayed[i] = 0;
    this.statsValue.depth++;
  }

  /** When the packet with RTP timestamp `ts` plays (timestamp differences taken modulo 2^32). */
  private playoutMs(ts: number): number {
    return this.anchorMs + ((((ts >>> 0) - this.anchorTs) | 0) * 1000) / this.clockRate;
  }
}
