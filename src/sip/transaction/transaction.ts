/**
 * What the four transaction machines share: one state variable changed only through
 * `transition(to)`, which checks the move against the machine's table and disarms the timers
 * that do not live in the state being entered; timers armed on the injected Scheduler and
 * named after the spec; the options every machine takes.
 *
 * The machines do no I/O: they hand message objects to `send`, and the caller (the UA) turns
 * them into bytes on the right flow and reports a failed send back with `transportError(err)`.
 */
import type { SipMessage, SipRequest, SipResponse } from '../message.js';
import type { Logger } from '../../platform/logger.js';
import { silentLogger } from '../../platform/logger.js';
import type { Scheduler, TimerHandle } from '../../platform/scheduler.js';
import { TransactionError, TransactionStateError } from './errors.js';
import type { TimerConfig, TimerValues } from './timers.js';
import { timerConfig, timerValues } from './timers.js';

/** Every state name any of the four machines uses (RFC 3261 §17, RFC 6026 `accepted`). */
export type TransactionState =
  | 'calling'
  | 'trying'
  | 'proceeding'
  | 'completed'
  | 'confirmed'
  | 'accepted'
  | 'terminated';

/** Timer names of RFC 3261 Table 4 and RFC 6026, plus the IST's 100 Trying delay (§17.2.1). */
export type TimerName =
  | 'timerA' | 'timerB' | 'timerD' | 'timerE' | 'timerF' | 'timerG' | 'timerH'
  | 'timerI' | 'timerJ' | 'timerK' | 'timerL' | 'timerM' | 'trying';

/** What a client transaction tells its transaction user (the UAC core or a usage). */
export interface ClientTransactionUser {
  /** A 1xx response (§17.1.1.2, §17.1.2.2). */
  onProvisional?(response: SipResponse): void;
  /**
   * A final response. Once for a non-INVITE transaction and for a 3xx-6xx to an INVITE
   * (retransmissions are absorbed). For 2xx to an INVITE, once per 2xx received in Accepted
   * (RFC 6026 §8.4): retransmissions and 2xx from other forks all reach the TU, which ACKs them.
   */
  onFinal?(response: SipResponse): void;
  /** Timer B (ICT, Calling) or Timer F (NICT) fired without a final response: a 408 (§8.1.3.1). */
  onTimeout?(): void;
  /** Sending failed (§17.1.4); the transaction has terminated (or stays Accepted, see the ICT). */
  onTransportError?(error: Error): void;
  /** The transaction reached Terminated (whatever the reason). Called once, last. */
  onTerminated?(): void;
  /** Every state change, for logs and diagnostics. */
  onStateChange?(from: TransactionState, to: TransactionState): void;
}

/** What a server transaction tells its transaction user (the UAS core or a usage). */
export interface ServerTransactionUser {
  /** Timer H fired: the ACK for a 3xx-6xx never came (§17.2.1, "a transaction failure"). */
  onTimeout?(): void;
  /** Sending a response failed (§17.2.4 as updated by RFC 6026 §8.8: the machine stays put). */
  onTransportError?(error: Error): void;
  /** The transaction reached Terminated. Called once, last. */
  onTerminated?(): void;
  /** Every state change, for logs and diagnostics. */
  onStateChange?(from: TransactionState, to: TransactionState): void;
}

export interface TransactionOptions<T> {
  scheduler: Scheduler;
  /** T1/T2/T4 and friends; defaults from DEFAULT_TIMER_CONFIG. */
  timers?: Partial<TimerConfig>;
  /** Reliable transport (TCP, TLS, WS, SCTP): no retransmissions, Timers D/I/J/K are zero. */
  reliable: boolean;
  /**
   * Hand a message to the transport (requests, ACKs, responses, retransmissions). The caller
   * serialises and sends it, and on failure calls `transaction.transportError(err)`.
   */
  send: (message: SipMessage, transaction: T) => void;
  /** State changes (debug), timeouts and transport errors (info), with kind, branch and
   * Call-ID as fields. The TransactionLayer passes its logger's `sip.transaction` child. */
  logger?: Logger;
  /** For the owner (the TransactionLayer): called once when the machine terminates, before the
   * user hears of it, so the machine can be forgotten ("destroyed the instant it enters the
   * Terminated state", §17.1.1.2). */
  onDestroyed?: (transaction: T) => void;
}

interface ArmedTimer<S> {
  handle: TimerHandle;
  /** The states this timer lives in; it is disarmed on entering any other. */
  scope: readonly S[];
}

interface StateObserver {
  onTerminated?(): void;
  onStateChange?(from: TransactionState, to: TransactionState): void;
}

export abstract class Transaction<S extends TransactionState, U extends StateObserver> {
  /** `ict`, `nict`, `ist` or `nist`, for logs. */
  abstract readonly kind: 'ict' | 'nict' | 'ist' | 'nist';
  /** The request that created the transaction (sent by a client, received by a server). */
  readonly request: SipRequest;
  /** The branch of the request's top Via; '' for a server transaction created by an RFC 2543
   * request that had none. */
  readonly branch: string;
  readonly reliable: boolean;
  /** The transaction user; may be replaced (a server transaction's TU is often known only
   * after the UA has looked at the request). */
  user: U;
  protected readonly scheduler: Scheduler;
  protected readonly log: Logger;
  protected readonly config: TimerConfig;
  protected readonly durations: TimerValues;
  private current: S;
  private readonly table: Readonly<Record<S, readonly S[]>>;
  private readonly armed = new Map<TimerName, ArmedTimer<S>>();
  private readonly sendFn: (message: SipMessage, transaction: this) => void;
  private readonly onDestroyed: ((transaction: this) => void) | undefined;

  protected constructor(
    request: SipRequest,
    options: TransactionOptions<never> & { user: U },
    initial: S,
    table: Readonly<Record<S, readonly S[]>>,
    requireBranch: boolean,
  ) {
    const top = request.via[0];
    if (!top) throw new TransactionError('ERR_SIP_TRANSACTION_ARGUMENT', 'a transaction needs a request with a Via');
    const branch = top.branch ?? '';
    if (branch === '' && requireBranch) {
      throw new TransactionError('ERR_SIP_TRANSACTION_ARGUMENT', 'a client transaction needs a branch in its top Via');
    }
    this.request = request;
    this.branch = branch;
    this.reliable = options.reliable;
    this.user = options.user;
    this.scheduler = options.scheduler;
    this.log = options.logger ?? silentLogger;
    this.config = timerConfig(options.timers);
    this.durations = timerValues(this.config, options.reliable);
    this.current = initial;
    this.table = table;
    this.sendFn = options.send as unknown as (message: SipMessage, transaction: this) => void;
    this.onDestroyed = options.onDestroyed as unknown as ((transaction: this) => void) | undefined;
  }

  get state(): S {
    return this.current;
  }

  get isTerminated(): boolean {
    return this.current === 'terminated';
  }

  /** `state === s`, read afresh: after a send or a TU callback the state may have moved
   * (a transport error reported from inside `send`), which TypeScript's narrowing of
   * `this.state` cannot know. */
  protected inState(s: S): boolean {
    return this.current === s;
  }

  /** Names of the timers armed right now (for diagnostics and tests). */
  armedTimers(): TimerName[] {
    return [...this.armed.keys()];
  }

  /**
   * End the transaction now without telling the TU of a timeout: the owner is shutting down
   * or the TU abandons it. Every state may move to Terminated, so this stays inside the
   * diagrams. Idempotent.
   */
  terminate(): void {
    if (this.current !== 'terminated') this.transition('terminated' as S);
  }

  /** The single way to change state. Throws TransactionStateError for a move the table lacks. */
  protected transition(to: S): void {
    const from = this.current;
    if (!this.table[from].includes(to)) throw new TransactionStateError(this.kind, from, to);
    for (const [name, timer] of this.armed) {
      if (to === 'terminated' || !timer.scope.includes(to)) {
        this.scheduler.cancel(timer.handle);
        this.armed.delete(name);
      }
    }
    this.current = to;
    this.log.debug('transaction state', { kind: this.kind, branch: this.branch, method: this.request.method, callId: this.request.callId, from, to });
    this.user.onStateChange?.(from, to);
    if (to === 'terminated') {
      this.onDestroyed?.(this);
      this.user.onTerminated?.();
    }
  }

  /**
   * Arm (or re-arm) a timer. It is disarmed when the machine enters a state outside `scope`
   * (by default the current state only).
   */
  protected arm(name: TimerName, delayMs: number, fire: () => void, scope: readonly S[] = [this.current]): void {
    this.disarm(name);
    const handle = this.scheduler.set(delayMs, () => {
      this.armed.delete(name);
      fire();
    });
    this.armed.set(name, { handle, scope });
  }

  protected disarm(name: TimerName): void {
    const timer = this.armed.get(name);
    if (timer) {
      this.scheduler.cancel(timer.handle);
      this.armed.delete(name);
    }
  }

  /** Log a notable event (a timeout, a transport error) with the transaction's identity. */
  protected note(msg: string, fields: Record<string, unknown> = {}): void {
    this.log.info(msg, { kind: this.kind, branch: this.branch, method: this.request.method, callId: this.request.callId, state: this.current, ...fields });
  }

  protected send(message: SipMessage): void {
    this.sendFn(message, this);
  }
}
