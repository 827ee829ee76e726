/**
 * The registration client of RFC 3261 §10.2, with the retry rules of RFC 5626 §4.5.
 *
 *                 register()
 *   unregistered ───────────► registering ──200──► registered ──(refresh timer)──┐
 *        ▲                     │  ▲   │ 423: retry with Min-Expires             │
 *        │ unregister()        │  │   │ 401/407: answered by the UA             │
 *        │ done                │  │   ▼                                         ▼
 *   unregistering ◄────────────┤  └─ retry-wait  (408, 5xx, timeout,     registering
 *                              │      transport error; Retry-After honoured)
 *                              ▼
 *                           failed   (403, 404, rejected credentials, other 4xx/6xx)
 *
 * Sans-IO: requests go out through a RequestSender, time comes from a Scheduler. The client
 * keeps one Call-ID for its whole life and increments CSeq on each REGISTER (§10.2.4: "A UA
 * SHOULD use the same Call-ID for all registrations during a single boot cycle").
 */
import type { Scheduler, TimerHandle } from '../../platform/scheduler.js';
import { Emitter } from '../../platform/emitter.js';
import type { ContactValue, Header, NameAddr, SipRequest, SipResponse, SipUri } from '../message.js';
import { createRequest, getHeader } from '../message.js';
import type { RequestOutcome, RequestSender } from '../request-sender.js';
import { sameBinding, sipUri } from '../uri-util.js';

export type RegistrationState = 'unregistered' | 'registering' | 'registered' | 'retry-wait' | 'unregistering' | 'failed';

export interface RegistrationEvent {
  state: RegistrationState;
  /** Human reason for failures and retries ("Forbidden (403): ..."). */
  reason?: string;
  /** The SIP status that caused this state, when there was one. */
  status?: number;
  /** Seconds granted by the registrar (registered). */
  expires?: number;
  /** Every binding the registrar reported for the AOR, ours included (registered). */
  bindings?: string[];
  /** When the next attempt happens (retry-wait), in ms. */
  retryInMs?: number;
  /** True when that delay is the server's own Retry-After. */
  retryAfter?: boolean;
}

export interface RegistrationOptions {
  /** The address-of-record: To and From of the REGISTER. */
  aor: SipUri;
  displayName?: string;
  /** Request-URI of the REGISTER; defaults to the AOR's domain (§10.2: "the user portion
   * MUST be empty"). */
  registrar?: SipUri;
  /** Our contact URI, asked for on every REGISTER (the local address may change). */
  contact: () => SipUri;
  /** RFC 5626 instance id, e.g. `urn:uuid:...`; added as +sip.instance when given. */
  instanceId?: string;
  /** Requested expiry in seconds (default 3600). */
  expires?: number;
  sender: RequestSender;
  scheduler: Scheduler;
  /** Random hex source for Call-ID and tags. */
  random: () => string;
  /** RFC 5626 §4.5 back-off: base time (default 30 s) and cap (default 1800 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Extra headers for every REGISTER (User-Agent etc.). */
  headers?: Header[];
}

export interface RegistrationEvents {
  [key: string]: unknown;
  state: RegistrationEvent;
}

export class RegistrationClient extends Emitter<RegistrationEvents> {
  private readonly opts: RegistrationOptions;
  private readonly callId: string;
  private cseq = 0;
  private expires: number;
  private current: RegistrationEvent = { state: 'unregistered' };
  private refreshTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private failures = 0;
  /** True while a REGISTER is in flight: a second one waits for it. */
  private busy = false;
  private wanted: 'registered' | 'unregistered' = 'unregistered';
  private unregisterDone: (() => void) | undefined;

  constructor(opts: RegistrationOptions) {
    super();
    this.opts = opts;
    this.expires = opts.expires ?? 3600;
    this.callId = opts.random();
  }

  get state(): RegistrationState {
    return this.current.state;
  }

  get last(): RegistrationEvent {
    return this.current;
  }

  /** Start registering and keep the binding refreshed until unregister(). */
  register(): void {
    this.wanted = 'registered';
    this.failures = 0;
    this.expires = this.opts.expires ?? 3600;
    this.cancelTimers();
    this.send();
  }

  /** Register again now (e.g. the flow to the registrar failed, RFC 5626 §4.4.1). */
  refreshNow(): void {
    if (this.wanted !== 'registered' || this.busy) return;
    this.cancelTimers();
    this.send();
  }

  /** Remove our binding (Expires: 0). Resolves when the registrar answered or gave up. */
  unregister(): Promise<void> {
    const wasBound = this.current.state === 'registered' || this.current.state === 'retry-wait' || this.current.state === 'registering';
    this.wanted = 'unregistered';
    this.cancelTimers();
    if (!wasBound) {
      this.setState({ state: 'unregistered' });
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.unregisterDone = resolve;
      if (!this.busy) this.send();
      // else: the in-flight REGISTER finishes first, then onOutcome sends the removal.
    });
  }

  /** Stop all timers without sending anything (used when the UA is torn down abruptly). */
  close(): void {
    this.wanted = 'unregistered';
    this.cancelTimers();
    this.removeAll();
  }

  private setState(e: RegistrationEvent): void {
    this.current = e;
    this.emit('state', e);
  }

  private cancelTimers(): void {
    this.opts.scheduler.cancel(this.refreshTimer);
    this.opts.scheduler.cancel(this.retryTimer);
    this.refreshTimer = this.retryTimer = undefined;
  }

  private buildRegister(expires: number): SipRequest {
    const { aor } = this.opts;
    const registrar = this.opts.registrar ?? sipUri({ scheme: aor.scheme, host: aor.host, port: aor.port });
    const contactParams = new Map<string, string | null>();
    if (this.opts.instanceId) contactParams.set('+sip.instance', `"<${this.opts.instanceId}>"`);
    const contact: NameAddr = { uri: this.opts.contact(), params: contactParams };
    const from: NameAddr = { displayName: this.opts.displayName, uri: aor, params: new Map([['tag', this.opts.random()]]) };
    const to: NameAddr = { displayName: this.opts.displayName, uri: aor, params: new Map() };
    return createRequest({
      method: 'REGISTER',
      uri: registrar,
      from,
      to,
      callId: this.callId,
      cseq: { seq: ++this.cseq, method: 'REGISTER' },
      contact: [contact],
      headers: [...(this.opts.headers ?? []), { name: 'Expires', value: String(expires) }],
    });
  }

  private send(): void {
    const removing = this.wanted === 'unregistered';
    const expires = removing ? 0 : this.expires;
    const request = this.buildRegister(expires);
    this.busy = true;
    if (removing) this.setState({ state: 'unregistering' });
    else if (this.current.state !== 'registered') this.setState({ state: 'registering' });
    this.opts.sender.sendRequest(request, {
      onOutcome: (outcome) => {
        // The UA may have bumped CSeq answering a challenge: continue from there.
        this.cseq = Math.max(this.cseq, request.cseq.seq);
        this.busy = false;
        this.onOutcome(outcome, request, removing);
      },
    });
  }

  private onOutcome(outcome: RequestOutcome, request: SipRequest, removing: boolean): void {
    if (removing) {
      this.setState({ state: 'unregistered', ...(outcome.kind === 'response' ? { status: outcome.response.status } : {}) });
      this.unregisterDone?.();
      this.unregisterDone = undefined;
      return;
    }
    if (this.wanted === 'unregistered') {
      // unregister() was called while this REGISTER was in flight.
      this.send();
      return;
    }
    switch (outcome.kind) {
      case 'response':
        return this.onFinalResponse(outcome.response, request);
      case 'auth-failed':
        return this.fail(outcome.response.status, outcome.reason);
      case 'timeout':
        return this.retryLater('no answer from the registrar (timeout)', 408);
      case 'transport-error':
        return this.retryLater(`cannot reach the registrar: ${outcome.reason}`);
    }
  }

  private onFinalResponse(res: SipResponse, request: SipRequest): void {
    const s = res.status;
    if (s >= 200 && s < 300) return this.onRegistered(res, request);
    if (s === 423) {
      // §10.2.8: "the UA ... MAY retry the registration with an expiration interval that is
      // greater than or equal to the one in the Min-Expires header field".
      const min = parseInt(getHeader(res, 'min-expires') ?? '', 10);
      if (!Number.isFinite(min) || min <= this.expires) {
        return this.fail(423, `Interval Too Brief (423) without a usable Min-Expires (${getHeader(res, 'min-expires') ?? 'none'})`);
      }
      this.expires = min;
      return this.send();
    }
    const why = `${res.reason || 'Failure'} (${s})`;
    if (s === 408 || s === 480 || (s >= 500 && s < 600)) {
      return this.retryLater(why, s, parseRetryAfter(getHeader(res, 'retry-after')));
    }
    if (s === 403) return this.fail(s, `${why}: the registrar refused this account`);
    if (s === 404) return this.fail(s, `${why}: the registrar does not know this user or domain`);
    if (s === 401 || s === 407) return this.fail(s, `${why}: the registrar asked for credentials that were not accepted`);
    return this.fail(s, why);
  }

  private onRegistered(res: SipResponse, request: SipRequest): void {
    const ours = request.contact[0];
    const bindings = res.contact.filter((c): c is NameAddr => c !== '*');
    // §10.2.4: the expiry is the contact's own expires parameter, else the Expires header.
    const mine = ours && ours !== '*' ? bindings.find((b) => sameBinding(b.uri, ours.uri)) : undefined;
    const fromParam = mine?.params.get('expires');
    const fromHeader = getHeader(res, 'expires');
    let granted = parseInt(fromParam ?? fromHeader ?? String(this.expires), 10);
    if (!Number.isFinite(granted) || granted < 0) granted = this.expires;
    this.failures = 0;
    this.setState({
      state: 'registered',
      status: res.status,
      expires: granted,
      bindings: bindings.map(describeBinding),
    });
    if (granted > 0) {
      this.refreshTimer = this.opts.scheduler.set(refreshDelayMs(granted), () => {
        this.refreshTimer = undefined;
        this.send();
      });
    }
  }

  private fail(status: number | undefined, reason: string): void {
    this.setState({ state: 'failed', reason, ...(status !== undefined ? { status } : {}) });
  }

  /** RFC 5626 §4.5: wait min(max, base * 2^failures), randomised to 50–100 %, unless the
   * server named a Retry-After. */
  private retryLater(reason: string, status?: number, retryAfterS?: number): void {
    this.failures++;
    const base = this.opts.retryBaseMs ?? 30_000;
    const max = this.opts.retryMaxMs ?? 1_800_000;
    let delay: number;
    if (retryAfterS !== undefined) delay = retryAfterS * 1000;
    else {
      const ceiling = Math.min(max, base * 2 ** (this.failures - 1));
      delay = Math.round(ceiling * (0.5 + 0.5 * randomFraction(this.opts.random)));
    }
    this.setState({ state: 'retry-wait', reason, retryInMs: delay, retryAfter: retryAfterS !== undefined, ...(status !== undefined ? { status } : {}) });
    this.retryTimer = this.opts.scheduler.set(delay, () => {
      this.retryTimer = undefined;
      this.send();
    });
  }
}

/** Refresh ahead of expiry: at 90 % of the interval, but at least 5 s early when possible. */
export function refreshDelayMs(expiresS: number): number {
  const early = Math.min(expiresS * 0.9, expiresS - 5);
  return Math.max(1, early > 0 ? early : expiresS * 0.5) * 1000;
}

/** Retry-After (RFC 3261 §20.33): delta-seconds, optional comment and parameters. */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+)/.exec(value);
  return m ? parseInt(m[1]!, 10) : undefined;
}

function describeBinding(b: NameAddr): string {
  const uri = b.uri as SipUri;
  const exp = b.params.get('expires');
  const host = uri.port !== undefined ? `${uri.host}:${uri.port}` : uri.host;
  const t = uri.params?.get('transport');
  return `${uri.scheme}:${uri.user ? uri.user + '@' : ''}${host}${t ? ';transport=' + t : ''}${exp ? ` (expires ${exp}s)` : ''}`;
}

function randomFraction(random: () => string): number {
  const hex = random().replace(/[^0-9a-f]/gi, '').slice(0, 8).padEnd(8, '0');
  return parseInt(hex, 16) / 0x1_0000_0000;
}

export type { ContactValue };
