/**
 * RFC 4733 telephone-events (DTMF over RTP): the 4-octet payload, a sender state machine and
 * a receiver that reports each digit once.
 *
 * ```
 *  0                   1                   2                   3
 * |     event     |E|R| volume    |          duration             |
 * ```
 *
 * Sender (§2.5.1), one packet per tick (the packetisation interval, 20 ms):
 * ```
 *   idle ──digit queued──▶ sending ──duration reached──▶ ending ──3rd end packet──▶ gap ──▶ idle
 *          (first packet:   (same timestamp, duration     (E bit set, same duration,   (silent
 *           marker bit)      growing each tick)            sent three times)            ticks)
 * ```
 * The caller gives each packet its own RTP sequence number and sends it with the
 * telephone-event payload type; audio packets are suppressed while `busy`.
 *
 * Receiver (§2.5.2): an event is identified by its RTP timestamp. The first packet seen for a
 * new timestamp starts the event (even if the marker packet was lost); the first E packet, a
 * newer event, or a quiet period (`poll`) ends it (even if all end packets were lost).
 * Retransmissions and late packets of events already reported are ignored.
 */
import { fail, MediaError, ok } from './result.js';
import type { MediaResult } from './result.js';

/** RFC 4733 §3.2 DTMF event codes 0..15 in order, then 16 = flash. */
const DTMF_DIGITS = '0123456789*#ABCD';
export const EVENT_FLASH = 16;

export interface TelephoneEvent {
  /** Event code (0..255); 0..15 are DTMF digits (§3.2). */
  event: number;
  /** E bit: the end of the event. */
  end: boolean;
  /** Power level of the tone in -dBm0, 0..63 (so 10 means -10 dBm0). */
  volume: number;
  /** Duration so far in RTP timestamp units, 0..65535. */
  duration: number;
}

/** The event code of a DTMF digit (`0-9 * # A-D`, case-insensitive), or undefined. */
export function digitToEvent(digit: string): number | undefined {
  if (digit.length !== 1) return undefined;
  const i = DTMF_DIGITS.indexOf(digit.toUpperCase());
  return i < 0 ? undefined : i;
}

/** The DTMF digit of an event code, or undefined for other events. */
export function eventToDigit(event: number): string | undefined {
  return event >= 0 && event < 16 ? DTMF_DIGITS[event] : undefined;
}

export function encodeTelephoneEvent(ev: TelephoneEvent, out: Uint8Array = new Uint8Array(4)): Uint8Array {
  if (ev.event < 0 || ev.event > 255 || ev.volume < 0 || ev.volume > 63 || ev.duration < 0 || ev.duration > 0xffff) {
    throw new MediaError('telephone-event-range', `telephone-event field out of range: ${JSON.stringify(ev)}`);
  }
  out[0] = ev.event;
  out[1] = (ev.end ? 0x80 : 0) | ev.volume; // R bit is 0 on send
  out[2] = ev.duration >>> 8;
  out[3] = ev.duration & 0xff;
  return out;
}

/** Decode the first event of a payload (§2.3); the R bit is ignored, as §2.3.3 asks. */
export function decodeTelephoneEvent(payload: Uint8Array): MediaResult<TelephoneEvent> {
  if (payload.length < 4) return fail('telephone-event-too-short', `telephone-event payload of ${payload.length} octets`, 0);
  return ok({
    event: payload[0]!,
    end: (payload[1]! & 0x80) !== 0,
    volume: payload[1]! & 0x3f,
    duration: (payload[2]! << 8) | payload[3]!,
  });
}

// --- sender ----------------------------------------------------------------------------------

export interface TelephoneEventSenderOptions {
  /** RTP clock rate of the telephone-event payload (8000 with PCMU/PCMA). */
  clockRate?: number;
  /** Interval between ticks, i.e. between event packets (§2.5.1.2 suggests 50 ms or less). */
  packetMs?: number;
  /** Volume in -dBm0 (0..63). */
  volume?: number;
  /** §2.5.1.4: "the final packet for each event ... SHOULD be sent a total of three times". */
  endRepeats?: number;
  /** Silent ticks between consecutive digits. */
  gapTicks?: number;
}

export interface TelephoneEventPacket {
  /** Set on the first packet of an event (§2.5.1.2). */
  marker: boolean;
  /** The event's start timestamp, the same for every packet of the event. */
  timestamp: number;
  payload: Uint8Array;
  event: number;
  end: boolean;
  duration: number;
}

export type TelephoneEventSenderState = 'idle' | 'sending' | 'ending' | 'gap';

interface QueuedEvent {
  event: number;
  durationUnits: number;
}

export class TelephoneEventSender {
  private readonly clockRate: number;
  private readonly unitsPerPacket: number;
  private readonly volume: number;
  private readonly endRepeats: number;
  private readonly gapTicks: number;
  private readonly queue: QueuedEvent[] = [];
  private stateValue: TelephoneEventSenderState = 'idle';
  private current: QueuedEvent | undefined;
  private eventTimestamp = 0;
  private duration = 0;
  private endsSent = 0;
  private gapLeft = 0;

  constructor(options: TelephoneEventSenderOptions = {}) {
    this.clockRate = options.clockRate ?? 8000;
    this.unitsPerPacket = Math.round(((options.packetMs ?? 20) * this.clockRate) / 1000);
    this.volume = options.volume ?? 10;
    this.endRepeats = options.endRepeats ?? 3;
    this.gapTicks = options.gapTicks ?? 2;
  }

  get state(): TelephoneEventSenderState {
    return this.stateValue;
  }

  /** True while an event is being sent or queued: the caller suppresses audio packets. */
  get busy(): boolean {
    return this.stateValue === 'sending' || this.stateValue === 'ending' || this.queue.length > 0;
  }

  /**
   * Queue DTMF digits (`0-9 * # A-D`), each lasting `durationMs`. Long-duration segmentation
   * (§2.5.1.3) is not implemented: durations are capped at 65535 timestamp units (8.19 s at 8 kHz).
   */
  enqueue(digits: string, durationMs = 100): void {
    const events = [...digits].map((d) => {
      const e = digitToEvent(d);
      if (e === undefined) throw new MediaError('telephone-event-bad-digit', `not a DTMF digit: ${JSON.stringify(d)}`);
      return e;
    });
    const units = Math.min(0xffff, Math.max(this.unitsPerPacket, Math.round((durationMs * this.clockRate) / 1000)));
    for (const event of events) this.queue.push({ event, durationUnits: units });
  }

  /**
   * Advance one packet interval. `timestamp` is the RTP timestamp the stream is at for this
   * tick; it becomes the event timestamp when a new event starts. Returns the packet to send,
   * if any.
   */
  tick(timestamp: number): TelephoneEventPacket | undefined {
    switch (this.stateValue) {
      case 'gap':
        if (--this.gapLeft > 0) return undefined;
        this.stateValue = 'idle';
        return this.startNext(timestamp);
      case 'idle':
        return this.startNext(timestamp);
      case 'sending': {
        const cur = this.current!;
        this.duration = Math.min(cur.durationUnits, this.duration + this.unitsPerPacket);
        if (this.duration >= cur.durationUnits) {
          this.stateValue = 'ending';
          this.endsSent = 1;
          return this.packet(false, true);
        }
        return this.packet(false, false);
      }
      case 'ending': {
        this.endsSent++;
        const p = this.packet(false, true);
        if (this.endsSent >= this.endRepeats) this.finishEvent();
        return p;
      }
    }
  }

  private startNext(timestamp: number): TelephoneEventPacket | undefined {
    const next = this.queue.shift();
    if (!next) return undefined;
    this.current = next;
    this.eventTimestamp = timestamp >>> 0;
    this.duration = this.unitsPerPacket;
    if (this.duration >= next.durationUnits) {
      this.stateValue = 'ending';
      this.endsSent = 1;
      const p = this.packet(true, true);
      if (this.endsSent >= this.endRepeats) this.finishEvent();
      return p;
    }
    this.stateValue = 'sending';
    return this.packet(true, false);
  }

  private finishEvent(): void {
    this.current = undefined;
    if (this.gapTicks > 0) {
      this.stateValue = 'gap';
      this.gapLeft = this.gapTicks + 1; // gapTicks silent ticks, then the next tick may start a digit
    } else {
      this.stateValue = 'idle';
    }
  }

  private packet(marker: boolean, end: boolean): TelephoneEventPacket {
    const event = this.current!.event;
    const ev = { event, end, volume: this.volume, duration: this.duration };
    return { marker, timestamp: this.eventTimestamp, payload: encodeTelephoneEvent(ev), event, end, duration: this.duration };
  }
}

// --- receiver --------------------------------------------------------------------------------

export type TelephoneEventNotice =
  | { type: 'start'; event: number; digit: string | undefined; timestamp: number }
  | {
      type: 'end';
      event: number;
      digit: string | undefined;
      timestamp: number;
      /** Longest duration seen, in ms. */
      durationMs: number;
      /** False when no E packet arrived and the end was inferred. */
      endSeen: boolean;
    };

export interface TelephoneEventReceiverOptions {
  clockRate?: number;
  /** An event with no packet for this long is ended by `poll` (its end packets were lost). */
  endTimeoutMs?: number;
}

export class TelephoneEventReceiver {
  private readonly clockRate: number;
  private readonly endTimeoutMs: number;
  private current: { event: number; timestamp: number; duration: number; ended: boolean; lastArrivalMs: number } | undefined;

  constructor(options: TelephoneEventReceiverOptions = {}) {
    this.clockRate = options.clockRate ?? 8000;
    this.endTimeoutMs = options.endTimeoutMs ?? 250;
  }

  /** Feed one telephone-event RTP packet (payload and RTP timestamp) arriving at `arrivalMs`. */
  receive(payload: Uint8Array, timestamp: number, arrivalMs: number): TelephoneEventNotice[] {
    const r = decodeTelephoneEvent(payload);
    if (!r.ok) return [];
    const ev = r.value;
    const ts = timestamp >>> 0;
    const out: TelephoneEventNotice[] = [];
    const cur = this.current;
    if (cur && cur.timestamp === ts) {
      // Same event: an update, an end packet or a retransmission.
      cur.lastArrivalMs = arrivalMs;
      cur.duration = Math.max(cur.duration, ev.duration);
      if (ev.end && !cur.ended) {
        cur.ended = true;
        out.push(this.endNotice(true));
      }
      return out;
    }
    // An older timestamp (modulo 2^32) is a late packet of an event already handled.
    if (cur && ((ts - cur.timestamp) | 0) < 0) return out;
    if (cur && !cur.ended) out.push(this.endNotice(false));
    this.current = { event: ev.event, timestamp: ts, duration: ev.duration, ended: false, lastArrivalMs: arrivalMs };
    out.push({ type: 'start', event: ev.event, digit: eventToDigit(ev.event), timestamp: ts });
    if (ev.end) {
      this.current.ended = true;
      out.push(this.endNotice(true));
    }
    return out;
  }

  /** End an event whose end packets never came (§2.5.2.2), once it has been quiet long enough. */
  poll(nowMs: number): TelephoneEventNotice[] {
    const cur = this.current;
    if (!cur || cur.ended || nowMs - cur.lastArrivalMs < this.endTimeoutMs) return [];
    cur.ended = true;
    return [this.endNotice(false)];
  }

  private endNotice(endSeen: boolean): TelephoneEventNotice {
    const cur = this.current!;
    cur.ended = true;
    return { type: 'end', event: cur.event, digit: eventToDigit(cur.event), timestamp: cur.timestamp, durationMs: (cur.duration * 1000) / this.clockRate, endSeen };
  }
}
