/**
 * The timer values of RFC 3261 §17 and Table 4 (§A), plus Timers L and M of RFC 6026. T1, T2
 * and T4 are configuration, not constants: "T1 ... MAY be chosen larger ... for example, on a
 * high-latency access network" (§17.1.1.1), and tests shrink or stretch them at will.
 */
import { TransactionError } from './errors.js';

export interface TimerConfig {
  /** RTT estimate (§17.1.1.1). Default 500 ms. */
  t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses. Default 4 s. */
  t2: number;
  /** Maximum time a message can remain in the network. Default 5 s. */
  t4: number;
  /** Timer D on unreliable transports: "at least 32 seconds" (§17.1.1.2). Default 32 s. */
  timerD: number;
  /** §17.2.1: the INVITE server transaction sends 100 Trying when the TU has not answered
   * within this time ("200 ms"). */
  trying: number;
}

export const DEFAULT_TIMER_CONFIG: Readonly<TimerConfig> = Object.freeze({
  t1: 500,
  t2: 4000,
  t4: 5000,
  timerD: 32000,
  trying: 200,
});

/** Fill in defaults and check the values (T1 > 0, T2 >= T1, the rest >= 0). */
export function timerConfig(overrides: Partial<TimerConfig> = {}): TimerConfig {
  const c: TimerConfig = { ...DEFAULT_TIMER_CONFIG };
  for (const key of Object.keys(DEFAULT_TIMER_CONFIG) as (keyof TimerConfig)[]) {
    const v = overrides[key];
    if (v !== undefined) c[key] = v;
  }
  for (const key of Object.keys(c) as (keyof TimerConfig)[]) {
    if (!Number.isFinite(c[key]) || c[key] < 0) {
      throw new TransactionError('ERR_SIP_TRANSACTION_ARGUMENT', `timer ${key} must be a finite number >= 0, got ${c[key]}`);
    }
  }
  if (c.t1 <= 0) throw new TransactionError('ERR_SIP_TRANSACTION_ARGUMENT', `T1 must be > 0, got ${c.t1}`);
  if (c.t2 < c.t1) throw new TransactionError('ERR_SIP_TRANSACTION_ARGUMENT', `T2 (${c.t2}) must be >= T1 (${c.t1})`);
  return c;
}

/**
 * The timers of Table 4 for one transport kind, in ms. A, E and G are initial intervals (they
 * are only ever armed on unreliable transports); a 0 means "fires at once", which the machines
 * implement as an immediate transition rather than a zero-delay timer.
 */
export interface TimerValues {
  /** ICT INVITE retransmit, initially T1, doubling (§17.1.1.2). */
  timerA: number;
  /** ICT INVITE transaction timeout, 64*T1. */
  timerB: number;
  /** ICT wait time for response retransmits: timerD unreliable, 0 reliable. */
  timerD: number;
  /** NICT request retransmit, initially T1, doubling up to T2 (§17.1.2.2). */
  timerE: number;
  /** NICT transaction timeout, 64*T1. */
  timerF: number;
  /** IST non-2xx final response retransmit, initially T1, doubling up to T2 (§17.2.1). */
  timerG: number;
  /** IST wait time for ACK receipt, 64*T1. */
  timerH: number;
  /** IST wait time for ACK retransmits: T4 unreliable, 0 reliable. */
  timerI: number;
  /** NIST wait time for request retransmits: 64*T1 unreliable, 0 reliable (§17.2.2). */
  timerJ: number;
  /** NICT wait time for response retransmits: T4 unreliable, 0 reliable. */
  timerK: number;
  /** IST wait time in Accepted for INVITE retransmits and ACKs: 64*T1 (RFC 6026 §8.7). */
  timerL: number;
  /** ICT wait time in Accepted for 2xx retransmits and forked 2xx: 64*T1 (RFC 6026 §8.4). */
  timerM: number;
  /** IST 100 Trying delay (§17.2.1). */
  trying: number;
}

export function timerValues(c: TimerConfig, reliable: boolean): TimerValues {
  const t64 = 64 * c.t1;
  return {
    timerA: c.t1,
    timerB: t64,
    timerD: reliable ? 0 : c.timerD,
    timerE: c.t1,
    timerF: t64,
    timerG: c.t1,
    timerH: t64,
    timerI: reliable ? 0 : c.t4,
    timerJ: reliable ? 0 : t64,
    timerK: reliable ? 0 : c.t4,
    timerL: t64,
    timerM: t64,
    trying: c.trying,
  };
}
