/**
 * PhoneEngine: the application facade the API, the CLI's engine mode and embedders share.
 *
 *   PhoneStore (profile dir) ── accounts, contacts, history, settings
 *   lines: one Phone (its own UserAgent) per enabled account, registered while it exists,
 *          plus one account-less "direct" line for sip: URIs and the echo service
 *   calls: every Call of every line, recorded in history from start to end
 *
 * Settings apply as they change: codecs, DTMF mode and the handset (where a call's audio goes
 * with no page attached: CallAudioHub) to calls from then on, DND (486, or 302 to the forward
 * target), auto-answer (after a delay, when no other call is up). Call
 * waiting: a second incoming call rings while one is up; answering it holds the first;
 * `switchTo` resumes one line and holds the others. Blind transfer is RFC 3515 REFER.
 *
 * The engine never touches sockets itself: lines come from a `LineFactory` (main/node.ts
 * wiring for Node), so tests and other runtimes bring their own.
 */
import type { RingKind } from '../media/ring-tones.js';
import type { Logger } from '../platform/logger.js';
import { silentLogger } from '../platform/logger.js';
import { Emitter } from '../platform/emitter.js';
import type { SipUri } from '../sip/message.js';
import { isSipUri } from '../sip/message.js';
import type { RegistrationEvent } from '../sip/registration/register-client.js';
import { serializeUri } from '../sip/serializer.js';
import type { TransportProtocol } from '../sip/transport.js';
import { parseUri } from '../sip/uri.js';
import type { Call, DtmfMode } from './call.js';
import { CallAudioHub } from './call-audio-hub.js';
import { EngineCall, historyEntry } from './engine-call.js';
import { EngineError, toEngineError } from './engine-errors.js';
import type { EngineEventMap } from './engine-events.js';
import type { AccountInfo, CallInfo, EngineState, HistoryEntry, RegistrationInfo, SettingsInfo, SystemAudioDevices } from './engine-schemas.js';
import type { Phone } from './phone.js';
import { PHONE_CODECS } from './phone.js';
import type { Account, AccountInput, AccountPatch, CallRecord, SettingsValues } from './store/index.js';
import { PhoneStore } from './store/index.js';

/** What a line needs to start: the account (absent for the direct line) and the call settings. */
export interface LineSpec {
  accountId: number | null;
  account?: {
    aor: SipUri;
    displayName?: string;
    registrar?: SipUri;
    outboundProxy?: SipUri;
    transport: TransportProtocol;
    authUser?: string;
    password?: string;
  };
  codecs: string[];
  dtmfMode: DtmfMode;
}

/** Makes the Phone (UserAgent, media) of a line. */
export type LineFactory = (spec: LineSpec) => Promise<Phone>;

export interface PhoneEngineOptions {
  profileDir: string;
  createLine: LineFactory;
  logger?: Logger;
  /** How often `stats` events go out per established call (default 1000 ms). */
  statsIntervalMs?: number;
  /** Where clients (the browser page) attach to calls' audio; the line factory's audio should
   * come from it (main/node-engine.ts). Default: a hub of its own. */
  audioHub?: CallAudioHub;
  /**
   * Rings for an incoming call where the user hears it without a page (main/node-engine.ts:
   * the system speaker when 'audio.handset' is 'system'); `waiting` while another call is up;
   * `ringback` for an outgoing call while the far end rings without early media (a 180).
   * Undefined when nothing rings. Stopped once the call leaves that state.
   */
  ringer?: (ring: { callId: string; kind: RingKind }) => Ringing | undefined;
  /** The sound system's devices, for the system audio settings (main/node-engine.ts lists them). */
  listSystemAudioDevices?: () => Promise<SystemAudioDevices>;
}

/** A ringtone, call waiting beeps or a ringback playing for one call. */
export interface Ringing {
  stop(): void;
}

interface Line {
  accountId: number | null;
  phone: Phone | undefined;
  registration: RegistrationInfo;
  /** Start/stop of this line run one after another. */
  ops: Promise<void>;
}

export class PhoneEngine extends Emitter<EngineEventMap> {
  readonly store: PhoneStore;
  /** Calls' audio endpoints that the browser page attaches to (api/audio-bridge.ts). */
  readonly audioHub: CallAudioHub;
  private readonly opts: PhoneEngineOptions;
  private readonly log: Logger;
  private readonly lines = new Map<number, Line>();
  private direct: Line;
  private readonly calls = new Map<string, EngineCall>();
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private closing: Promise<void> | undefined;

  private constructor(store: PhoneStore, opts: PhoneEngineOptions) {
    super();
    this.store = store;
    this.opts = opts;
    this.audioHub = opts.audioHub ?? new CallAudioHub();
    this.log = (opts.logger ?? silentLogger).child('phone.engine');
    this.direct = { accountId: null, phone: undefined, registration: { state: 'unregistered' }, ops: Promise.resolve() };
    this.audioHub.on('audio', ({ callId, audio }) => {
      const c = this.calls.get(callId);
      if (!c) return;
      c.audio = audio;
      if (audio.error) this.log.warn('call audio', { callId, handset: audio.handset, error: audio.error });
      this.emitCall(c);
    });
  }

  /** Open the profile, close history rows a previous run left open, start the lines. */
  static async open(opts: PhoneEngineOptions): Promise<PhoneEngine> {
    const store = PhoneStore.open(opts.profileDir, { logger: opts.logger });
    const engine = new PhoneEngine(store, opts);
    const closed = store.history.closeUnfinished();
    if (closed) engine.log.info('closed calls left open by the previous run', { count: closed });
    // The account lines first: their REGISTERs go out while the direct line binds its sockets.
    for (const a of store.accounts.list()) engine.lines.set(a.id, engine.newLine(a));
    try {
      engine.direct.phone = await opts.createLine({ accountId: null, ...engine.callSettings() });
      engine.watchLine(engine.direct);
    } catch (err) {
      await engine.close().catch(() => undefined);
      throw err;
    }
    engine.statsTimer = setInterval(() => engine.emitStats(), opts.statsIntervalMs ?? 1000);
    engine.statsTimer.unref?.();
    return engine;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  // ─── state ─────────────────────────────────────────────────────────────────────────────

  state(): EngineState {
    return { accounts: this.listAccounts(), calls: this.listCalls(), settings: this.getSettings(), missedCount: this.store.history.missedCount(), directUri: this.directUri() };
  }

  /** The engine's own sound devices; none, with the reason, when no sound system answers. */
  async systemAudioDevices(): Promise<SystemAudioDevices> {
    const list = this.opts.listSystemAudioDevices;
    if (!list) return { backend: null, inputs: [], outputs: [], error: 'this engine has no system audio' };
    try {
      return await list();
    } catch (err) {
      return { backend: null, inputs: [], outputs: [], error: err instanceof Error ? err.message : String(err) };
    }
  }

  /** Where direct SIP calls (no account, no server) reach this phone: the direct line's address. */
  directUri(): string | null {
    const phone = this.direct.phone;
    return phone ? serializeUri(phone.ua.contactUri('softphone', 'udp')) : null;
  }

  /** Resolves once every account line has started (registered or not): for tests and startup. */
  async ready(): Promise<void> {
    await Promise.all([...this.lines.values()].map((l) => l.ops));
  }

  /**
   * Resolves once no account is still on its first registration (registered, failed, or
   * disabled), or after `timeoutMs`. The command waits for it before loading the API and UI:
   * their modules take tens of milliseconds to compile, during which the registrar's 401 would
   * wait for an answer (docs/bench-footprint.md).
   */
  async registrationsSettled(timeoutMs: number): Promise<void> {
    const registering = () => [...this.lines.values()].some((l) => l.registration.state === 'registering');
    if (!registering()) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        off();
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      const off = this.on('registration', () => {
        if (!registering()) done();
      });
    });
  }

  // ─── accounts ──────────────────────────────────────────────────────────────────────────

  listAccounts(): AccountInfo[] {
    return this.store.accounts.list().map((a) => this.accountInfo(a));
  }

  getAccount(id: number): AccountInfo {
    const a = this.store.accounts.get(id);
    if (!a) throw new EngineError('not-found', `no account with id ${id}`);
    return this.accountInfo(a);
  }

  createAccount(input: AccountInput): AccountInfo {
    this.checkOpen();
    const a = this.store.accounts.create(input);
    this.lines.set(a.id, this.newLine(a));
    this.emitAccounts();
    return this.accountInfo(a);
  }

  updateAccount(id: number, patch: AccountPatch): AccountInfo {
    this.checkOpen();
    const before = this.store.accounts.get(id);
    if (!before) throw new EngineError('not-found', `no account with id ${id}`);
    const a = this.store.accounts.update(id, patch);
    const onlyDefault = Object.keys(patch).every((k) => k === 'isDefault');
    if (!onlyDefault) {
      // Any change of address, credentials, proxy, transport or enabled: a fresh line.
      const line = this.lines.get(id);
      if (line) {
        line.ops = line.ops.then(() => this.stopLine(line)).then(() => this.startLine(line, a));
        line.registration = a.enabled ? { state: 'registering' } : { state: 'disabled' };
      }
    }
    this.emitAccounts();
    return this.accountInfo(a);
  }

  async deleteAccount(id: number): Promise<void> {
    this.checkOpen();
    if (!this.store.accounts.get(id)) throw new EngineError('not-found', `no account with id ${id}`);
    const line = this.lines.get(id);
    this.lines.delete(id);
    this.store.accounts.delete(id);
    this.emitAccounts();
    if (line) {
      line.ops = line.ops.then(() => this.stopLine(line));
      await line.ops;
    }
  }

  setDefaultAccount(id: number): AccountInfo {
    if (!this.store.accounts.get(id)) throw new EngineError('not-found', `no account with id ${id}`);
    const a = this.store.accounts.setDefault(id);
    this.emitAccounts();
    return this.accountInfo(a);
  }

  private accountInfo(a: Account): AccountInfo {
    const line = this.lines.get(a.id);
    const registration = !a.enabled ? { state: 'disabled' as const } : (line?.registration ?? { state: 'unregistered' as const });
    return {
      id: a.id,
      aor: a.aor,
      displayName: a.displayName,
      authUser: a.authUser,
      registrar: a.registrar,
      outboundProxy: a.outboundProxy,
      transport: a.transport,
      enabled: a.enabled,
      isDefault: a.isDefault,
      hasPassword: a.hasPassword,
      registration,
    };
  }

  private emitAccounts(): void {
    this.emit('accounts', { accounts: this.listAccounts() });
  }

  // ─── lines ─────────────────────────────────────────────────────────────────────────────

  private newLine(a: Account): Line {
    const line: Line = { accountId: a.id, phone: undefined, registration: a.enabled ? { state: 'registering' } : { state: 'disabled' }, ops: Promise.resolve() };
    line.ops = this.startLine(line, a);
    return line;
  }

  private async startLine(line: Line, a: Account): Promise<void> {
    if (!a.enabled || this.closed) {
      this.setRegistration(line, { state: 'disabled' });
      return;
    }
    try {
      const spec = this.lineSpec(a);
      const phone = await this.opts.createLine(spec);
      if (this.closed || this.lines.get(a.id) !== line) {
        await phone.close();
        return;
      }
      line.phone = phone;
      this.watchLine(line);
      phone.on('registration', (e) => this.setRegistration(line, registrationInfo(e)));
      void phone.register().catch((err: unknown) => this.setRegistration(line, { state: 'error', reason: toEngineError(err).message }));
    } catch (err) {
      this.log.warn('line did not start', { accountId: a.id, error: String(err) });
      this.setRegistration(line, { state: 'error', reason: toEngineError(err).message });
    }
  }

  private async stopLine(line: Line): Promise<void> {
    const phone = line.phone;
    line.phone = undefined;
    if (phone) await phone.close().catch((err: unknown) => this.log.warn('line did not close cleanly', { error: String(err) }));
  }

  private lineSpec(a: Account): LineSpec {
    const aor = sipUriOf(a.aor, 'aor');
    const transport = a.transport as TransportProtocol;
    if (transport === 'ws' || transport === 'wss') throw new EngineError('unprocessable', `transport ${transport} is not supported for accounts yet (use udp, tcp or tls)`);
    const password = this.store.accounts.getPassword(a.id) ?? undefined;
    return {
      accountId: a.id,
      account: {
        aor,
        displayName: a.displayName ?? undefined,
        registrar: a.registrar ? sipUriOf(a.registrar, 'registrar') : undefined,
        outboundProxy: a.outboundProxy ? sipUriOf(a.outboundProxy, 'outboundProxy') : undefined,
        transport,
        authUser: a.authUser ?? undefined,
        password,
      },
      ...this.callSettings(),
    };
  }

  private setRegistration(line: Line, info: RegistrationInfo): void {
    line.registration = info;
    if (line.accountId !== null && this.lines.get(line.accountId) === line) this.emit('registration', { accountId: line.accountId, registration: info });
  }

  private watchLine(line: Line): void {
    const phone = line.phone!;
    phone.on('incoming', (call) => this.onIncoming(line, call));
  }

  private callSettings(): { codecs: string[]; dtmfMode: DtmfMode } {
    const s = this.store.settings.all();
    return { codecs: usableCodecs(s['audio.codecs']), dtmfMode: s['call.dtmfMode'] === 'info' ? 'info' : 'auto' };
  }

  // ─── calls ─────────────────────────────────────────────────────────────────────────────

  listCalls(): CallInfo[] {
    return [...this.calls.values()].map((c) => c.info());
  }

  getCall(id: string): CallInfo {
    return this.mustCall(id).info();
  }

  /**
   * Place a call. `echo` uses the built-in echo service; sip: URIs and user@host go straight
   * out (through the default account when there is one, else the direct line); numbers need
   * an account (the given one, else the default). Dialling rules: Phone.resolveTarget.
   */
  async dial(target: string, accountId?: number): Promise<CallInfo> {
    this.checkOpen();
    const line = this.lineFor(target, accountId);
    const phone = line.phone;
    if (!phone) throw new EngineError('invalid-state', `the line of account ${line.accountId} is not running (${line.registration.state}${line.registration.reason ? `: ${line.registration.reason}` : ''})`);
    let call: Call;
    try {
      call = await phone.dial(target);
    } catch (err) {
      throw toEngineError(err);
    }
    return this.track(line, call).info();
  }

  private lineFor(target: string, accountId: number | undefined): Line {
    if (accountId !== undefined) {
      const line = this.lines.get(accountId);
      if (!line) throw new EngineError('not-found', `no account with id ${accountId}`);
      return line;
    }
    if (target.trim().toLowerCase() === 'echo') return this.direct;
    const def = this.store.accounts.getDefault();
    const line = def?.enabled ? this.lines.get(def.id) : undefined;
    if (line?.phone) return line;
    // No usable default account: sip: URIs still work directly; numbers fail with no-account.
    return this.direct;
  }

  async answer(id: string): Promise<CallInfo> {
    const c = this.mustCall(id);
    if (c.call.state !== 'incoming') throw new EngineError('invalid-state', `call ${id} is ${c.call.state}, not ringing`);
    clearTimeout(c.autoAnswer);
    // Call waiting: the call(s) up go on hold before this one is answered.
    await this.holdOthers(c);
    c.call.answer();
    return c.info();
  }

  decline(id: string): CallInfo {
    const c = this.mustCall(id);
    if (c.call.state !== 'incoming') throw new EngineError('invalid-state', `call ${id} is ${c.call.state}, not ringing`);
    c.call.decline(603, 'Decline');
    return c.info();
  }

  hangup(id: string): CallInfo {
    const c = this.mustCall(id);
    void c.call.hangup().catch((err: unknown) => this.log.warn('hangup failed', { id, error: String(err) }));
    return c.info();
  }

  async hold(id: string): Promise<CallInfo> {
    const c = this.mustEstablished(id);
    if (!(await c.call.hold())) throw new EngineError('unprocessable', `the peer did not accept hold on call ${id}`);
    return c.info();
  }

  async resume(id: string): Promise<CallInfo> {
    const c = this.mustEstablished(id);
    await this.holdOthers(c);
    if (!(await c.call.resume())) throw new EngineError('unprocessable', `the peer did not accept resume on call ${id}`);
    return c.info();
  }

  /** Make `id` the active line: hold the others, resume this one. */
  async switchTo(id: string): Promise<CallInfo> {
    return this.resume(id);
  }

  mute(id: string, on: boolean): CallInfo {
    const c = this.mustCall(id);
    if (c.call.state === 'ended') throw new EngineError('invalid-state', `call ${id} has ended`);
    c.call.mute(on);
    this.emitCall(c);
    return c.info();
  }

  async sendDtmf(id: string, digits: string): Promise<CallInfo> {
    const c = this.mustEstablished(id);
    try {
      await c.call.sendDtmf(digits);
    } catch (err) {
      throw new EngineError('unprocessable', err instanceof Error ? err.message : String(err), { cause: err });
    }
    return c.info();
  }

  /** Blind transfer (RFC 3515): resolves once the peer accepted the REFER; the call ends when the new call is answered. */
  async transfer(id: string, target: string): Promise<CallInfo> {
    const c = this.mustEstablished(id);
    if (target.trim().toLowerCase() === 'echo') throw new EngineError('invalid-argument', 'the echo service is local: it cannot be a transfer target');
    const line = this.lineOfCall(c);
    const phone = line.phone ?? this.direct.phone;
    if (!phone) throw new EngineError('unavailable', 'the line of this call is not running');
    let uri: SipUri;
    try {
      uri = phone.resolveTarget(target).uri;
    } catch (err) {
      throw toEngineError(err);
    }
    const text = serializeUri(uri);
    c.transfer = { target: text, state: 'requested' };
    this.emitCall(c);
    let status: number;
    try {
      status = await c.call.transfer(uri, (p) => {
        c.transfer = { target: text, state: p.final ? (p.status >= 200 && p.status < 300 ? 'succeeded' : 'failed') : 'accepted', status: p.status, reason: p.reason };
        this.emitCall(c);
      });
    } catch (err) {
      throw new EngineError('invalid-state', err instanceof Error ? err.message : String(err), { cause: err });
    }
    if (status >= 300) {
      c.transfer = { target: text, state: 'failed', status, reason: `the peer refused the transfer (${status})` };
      this.emitCall(c);
      throw new EngineError('unprocessable', `the peer refused the transfer (${status})`);
    }
    if (c.transfer.state === 'requested') c.transfer = { target: text, state: 'accepted', status };
    this.emitCall(c);
    return c.info();
  }

  private lineOfCall(c: EngineCall): Line {
    return c.accountId === null ? this.direct : (this.lines.get(c.accountId) ?? this.direct);
  }

  private async holdOthers(except: EngineCall): Promise<void> {
    const up = [...this.calls.values()].filter((o) => o !== except && o.call.state === 'established' && !o.call.onHold.local);
    await Promise.all(up.map((o) => o.call.hold().catch(() => false)));
  }

  private mustCall(id: string): EngineCall {
    const c = this.calls.get(id);
    if (!c) throw new EngineError('not-found', `no call with id ${id}`);
    return c;
  }

  private mustEstablished(id: string): EngineCall {
    const c = this.mustCall(id);
    if (c.call.state !== 'established') throw new EngineError('invalid-state', `call ${id} is ${c.call.state}, not established`);
    return c;
  }

  private onIncoming(line: Line, call: Call): void {
    if (this.closed) {
      call.decline(480, 'Temporarily Unavailable');
      return;
    }
    const c = this.track(line, call);
    const s = this.store.settings.all();
    if (s['call.dnd']) {
      this.refuseForDnd(line, c, s);
      return;
    }
    call.ring();
    // An auto-answer with no delay answers before anyone could hear a ring.
    if (!(s['call.autoAnswer'] && s['call.autoAnswerDelayMs'] === 0 && !this.busyBesides(c))) this.startRinging(c);
    this.emit('incoming', c.info());
    if (s['call.autoAnswer'] && !this.busyBesides(c)) {
      c.autoAnswer = setTimeout(() => {
        // Checked again when the delay is over: a call that rang first may have been answered
        // meanwhile (by its own auto-answer, or by the user); then this one rings on (call
        // waiting) instead of putting that one on hold.
        if (c.call.state === 'incoming' && !this.busyBesides(c)) void this.answer(c.id).catch(() => undefined);
      }, s['call.autoAnswerDelayMs']);
    }
  }

  private startRinging(c: EngineCall, kind: RingKind = this.busyBesides(c) ? 'waiting' : 'ring'): void {
    try {
      const r = this.opts.ringer?.({ callId: c.id, kind });
      c.ringing = r && { stop: () => r.stop(), kind };
    } catch (err) {
      this.log.warn('the ringtone did not start', { callId: c.id, error: String(err) });
    }
  }

  private stopRinging(c: EngineCall): void {
    const r = c.ringing;
    c.ringing = undefined;
    try {
      r?.stop();
    } catch (err) {
      this.log.warn('the ringtone did not stop cleanly', { callId: c.id, error: String(err) });
    }
  }

  /** Whether a call other than `c` is placed or up (not ringing here, not ended). */
  private busyBesides(c: EngineCall): boolean {
    return [...this.calls.values()].some((o) => o !== c && o.call.state !== 'ended' && o.call.state !== 'incoming');
  }

  /** DND: 486 Busy Here, or 302 with a Contact for the forward target (RFC 3261 §21.3.3). */
  private refuseForDnd(line: Line, c: EngineCall, s: SettingsValues): void {
    const target = s['call.dndForwardTarget'];
    if (s['call.dndAction'] === 'forward' && target) {
      try {
        const uri = (line.phone ?? this.direct.phone)!.resolveTarget(target).uri;
        const text = serializeUri(uri);
        c.refusedBecause = `do not disturb: forwarded to ${text} (302)`;
        c.call.decline(302, 'Moved Temporarily', [{ name: 'Contact', value: `<${text}>` }]);
        return;
      } catch (err) {
        this.log.warn('DND forward target is not dialable; answering 486', { error: String(err) });
      }
    }
    c.refusedBecause = 'do not disturb (486 Busy Here)';
    c.call.decline(486, 'Busy Here');
  }

  private track(line: Line, call: Call): EngineCall {
    const c = new EngineCall(call, line.accountId, this.store);
    c.audio = this.audioHub.info(c.id);
    this.calls.set(c.id, c);
    const account = line.accountId === null ? undefined : this.store.accounts.get(line.accountId);
    this.writeHistory(() => c.recordStart(this.store, account?.aor ?? null));
    call.on('state', (e) => {
      // The far end rings without early media: the ringback is ours to play (RFC 3960 §3.2).
      const ringback = call.direction === 'outgoing' && e.state === 'ringing';
      if (e.state !== 'incoming' && !ringback) this.stopRinging(c);
      if (ringback && !c.ringing) this.startRinging(c, 'ringback');
      if (e.state === 'established') this.writeHistory(() => c.recordAnswer(this.store));
      if (e.state !== 'ended') this.emitCall(c);
    });
    call.on('hold', (h) => {
      this.audioHub.setHeld(c.id, h.local);
      this.emitCall(c);
    });
    call.on('media', () => {
      this.writeHistory(() => c.recordCodec(this.store), false);
      this.emitCall(c);
    });
    call.on('dtmf', (d) => this.emit('dtmf', { callId: c.id, digit: d.digit, via: d.via }));
    call.once('ended', (end) => {
      clearTimeout(c.autoAnswer);
      this.stopRinging(c);
      this.calls.delete(c.id);
      this.audioHub.end(c.id);
      this.writeHistory(() => c.recordEnd(this.store, end));
      this.emitCall(c);
      // A call that waited (beeping) while this one was up now rings in full.
      for (const o of this.calls.values()) {
        if (o.call.state === 'incoming' && o.ringing?.kind === 'waiting' && !this.busyBesides(o)) {
          this.stopRinging(o);
          this.startRinging(o);
        }
      }
    });
    this.emitCall(c);
    return c;
  }

  private writeHistory(write: () => CallRecord | undefined | void, announce = true): void {
    try {
      const row = write();
      if (row && announce) this.emit('history', { entry: historyEntry(this.store, row), missedCount: this.store.history.missedCount() });
    } catch (err) {
      this.log.error('could not write call history', { error: String(err) });
    }
  }

  private emitCall(c: EngineCall): void {
    this.emit('call', c.info());
  }

  private emitStats(): void {
    for (const c of this.calls.values()) {
      if (c.call.state !== 'established') continue;
      const s = c.call.stats();
      if (!s) continue;
      c.stats = { lossPct: Math.round(s.fractionLost * 1000) / 10, jitterMs: Math.round(s.jitterMs * 10) / 10, rttMs: s.rttMs === undefined ? null : Math.round(s.rttMs * 10) / 10 };
      this.emit('stats', { callId: c.id, ...c.stats });
    }
  }

  // ─── history ───────────────────────────────────────────────────────────────────────────

  history(opts: { q?: string; limit?: number; before?: string }): { entries: HistoryEntry[]; next: string | null; missedCount: number } {
    const limit = opts.limit ?? 50;
    const missedCount = this.store.history.missedCount();
    if (opts.q && opts.q.trim()) {
      return { entries: this.store.history.search(opts.q, { limit }).map((r) => historyEntry(this.store, r)), next: null, missedCount };
    }
    const before = opts.before ? parseCursor(opts.before) : undefined;
    const page = this.store.history.recent({ limit, ...(before ? { before } : {}) });
    return {
      entries: page.calls.map((r) => historyEntry(this.store, r)),
      next: page.next ? `${page.next.startedAt}.${page.next.id}` : null,
      missedCount,
    };
  }

  markHistorySeen(upToId?: number): { changed: number; missedCount: number } {
    const changed = this.store.history.markMissedSeen(upToId);
    const missedCount = this.store.history.missedCount();
    if (changed) this.emit('history', { entry: null, missedCount });
    return { changed, missedCount };
  }

  // ─── settings ──────────────────────────────────────────────────────────────────────────

  getSettings(): SettingsInfo {
    return this.store.settings.all();
  }

  updateSettings(patch: Partial<SettingsValues>): SettingsInfo {
    this.store.settings.setMany(patch);
    const call = this.callSettings();
    for (const line of [this.direct, ...this.lines.values()]) line.phone?.configure(call);
    const all = this.getSettings();
    this.emit('settings', all);
    return all;
  }

  // ─── closing ───────────────────────────────────────────────────────────────────────────

  /** Hang up every call, unregister every account, close the store. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.statsTimer);
      const lines = [this.direct, ...this.lines.values()];
      await Promise.all(lines.map((l) => l.ops.catch(() => undefined)));
      await Promise.all(lines.map((l) => this.stopLine(l)));
      this.store.close();
    })();
    return this.closing;
  }

  private checkOpen(): void {
    if (this.closed) throw new EngineError('unavailable', 'the engine is closing');
  }
}

/** The settings' codec list, reduced to what a Phone can offer (PCMU, PCMA today). */
export function usableCodecs(wanted: readonly string[]): string[] {
  const known = new Map(PHONE_CODECS.map((c) => [c.toUpperCase(), c]));
  const out = wanted.map((c) => known.get(c.toUpperCase())).filter((c): c is string => c !== undefined);
  return out.length ? out : [...PHONE_CODECS];
}

function registrationInfo(e: RegistrationEvent): RegistrationInfo {
  return {
    state: e.state,
    ...(e.reason !== undefined ? { reason: e.reason } : {}),
    ...(e.status !== undefined ? { status: e.status } : {}),
    ...(e.expires !== undefined ? { expires: e.expires } : {}),
  };
}

function sipUriOf(text: string, what: string): SipUri {
  const withScheme = /^(sips?):/i.test(text) ? text : `sip:${text}`;
  const r = parseUri(withScheme);
  if (!r.ok || !isSipUri(r.value)) throw new EngineError('invalid-argument', `${what} "${text}" is not a SIP URI`);
  return r.value;
}

function parseCursor(text: string): { startedAt: number; id: number } {
  const m = /^(\d+)\.(\d+)$/.exec(text);
  if (!m) throw new EngineError('invalid-argument', `before must be a cursor from a previous page ("<startedAt>.<id>"), not "${text}"`);
  return { startedAt: Number(m[1]), id: Number(m[2]) };
}
