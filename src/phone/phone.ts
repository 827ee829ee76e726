/**
 * The phone: the library facade the CLI (and later the API and embedders) drive. It owns a
 * user agent, an optional account (registration), the calls, and the echo service.
 *
 * Dialling rules (what a user types → where the INVITE goes):
 *   - `echo`                       → the built-in echo service (answers locally, plays you back)
 *   - `sip:…`, `sips:…`            → that URI, directly
 *   - `tel:+1…`, a number, `1002`  → sip:<number>@<account domain>, through the account
 *   - `bob@example.com`            → sip:bob@example.com
 * "+1 (555) 123-4567" style input is cleaned to "+15551234567" for numbers.
 */
import { Emitter } from '../platform/emitter.js';
import type { NameAddr, SipUri } from '../sip/message.js';
import { isSipUri, isTelUri } from '../sip/message.js';
import type { RegistrationEvent } from '../sip/registration/register-client.js';
import { RegistrationClient } from '../sip/registration/register-client.js';
import type { TransportProtocol } from '../sip/transport.js';
import { parseUri } from '../sip/uri.js';
import { sipUri } from '../sip/uri-util.js';
import type { UserAgent } from '../sip/user-agent.js';
import type { CodecCapability } from '../sdp/local-media.js';
import type { CallAudio, DtmfMode, MediaEnvironment } from './call.js';
import { Call } from './call.js';
import { EchoService } from './echo-service.js';

export interface AccountConfig {
  aor: SipUri;
  displayName?: string;
  /** Request-URI of REGISTER; default the AOR's domain. */
  registrar?: SipUri;
  /** Register at start (default true when an account is given). */
  register?: boolean;
  expires?: number;
  instanceId?: string;
}

export interface PhoneOptions {
  ua: UserAgent;
  media: MediaEnvironment;
  account?: AccountConfig;
  /** Transport used for Contact (default: the UA's default). */
  transport?: TransportProtocol;
  /** Codec names in order of preference (default PCMU, PCMA). */
  codecs?: string[];
  dtmfMode?: DtmfMode;
  /** Audio for each call (source: what we send; sink: what we hear). */
  audio?: (call: { direction: 'outgoing' | 'incoming'; id: string }) => CallAudio;
  /** Creates the UA of the echo service on loopback (main/node.ts provides it). */
  echoUserAgent?: () => Promise<UserAgent>;
}

export interface PhoneEvents {
  [key: string]: unknown;
  /** A new incoming call: ring(), answer() or decline() it. */
  incoming: Call;
  /** Any call that starts (either direction). */
  call: Call;
  registration: RegistrationEvent;
}

const CODECS: Record<string, CodecCapability> = {
  PCMU: { name: 'PCMU', clockRate: 8000 },
  PCMA: { name: 'PCMA', clockRate: 8000 },
};

/** The codec names a Phone can offer. */
export const PHONE_CODECS: readonly string[] = Object.keys(CODECS);

function codecCapabilities(names: string[]): CodecCapability[] {
  return names.map((n) => {
    const c = CODECS[n.toUpperCase()];
    if (!c) throw new PhoneError('unknown-codec', `unknown codec "${n}" (known: ${Object.keys(CODECS).join(', ')})`);
    return c;
  });
}

export class PhoneError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'PhoneError';
    this.code = code;
  }
}

/** Turn what a person typed into a dialable number, or undefined if it is not one. */
export function cleanNumber(input: string): string | undefined {
  const t = input.trim();
  if (!/^[+\d][\d\s().\-/]*$/.test(t) && !/^[*#\d]+$/.test(t)) return undefined;
  const plus = t.startsWith('+') ? '+' : '';
  const digits = t.replace(/[^\d*#]/g, '');
  return digits ? plus + digits : undefined;
}

export class Phone extends Emitter<PhoneEvents> {
  readonly ua: UserAgent;
  private readonly opts: PhoneOptions;
  private codecCaps: CodecCapability[];
  private readonly active = new Set<Call>();
  /** Calls whose signalling may still be in flight (a CANCEL's 487, a BYE's answer). */
  private readonly unsettled = new Set<Call>();
  private registration: RegistrationClient | undefined;
  private echo: EchoService | undefined;
  private closed = false;

  constructor(opts: PhoneOptions) {
    super();
    this.opts = opts;
    this.ua = opts.ua;
    this.codecCaps = codecCapabilities(opts.codecs ?? ['PCMU', 'PCMA']);
    this.ua.onInvite((invite) => {
      void Call.receive(invite, this.callOptions('incoming'))
        .then((call) => {
          if (call.state === 'ended') return;
          this.track(call);
          this.emit('incoming', call);
        })
        .catch(() => invite.reject(500, 'Server Internal Error'));
    });
  }

  /** Change the codecs and DTMF mode of calls placed or answered from now on. */
  configure(opts: { codecs?: string[]; dtmfMode?: DtmfMode }): void {
    if (opts.codecs) this.codecCaps = codecCapabilities(opts.codecs);
    if (opts.dtmfMode) this.opts.dtmfMode = opts.dtmfMode;
  }

  get calls(): Call[] {
    return [...this.active];
  }

  get registrationState(): RegistrationEvent | undefined {
    return this.registration?.last;
  }

  /** Register the account (if any); resolves at the first registered/failed outcome. */
  register(): Promise<RegistrationEvent> {
    const acc = this.opts.account;
    if (!acc) return Promise.reject(new PhoneError('no-account', 'no account to register'));
    if (!this.registration) {
      const protocol = this.protocol();
      this.registration = new RegistrationClient({
        aor: acc.aor,
        displayName: acc.displayName,
        registrar: acc.registrar,
        contact: () => this.ua.contactUri(acc.aor.user, protocol),
        instanceId: acc.instanceId,
        expires: acc.expires,
        sender: this.ua,
        scheduler: this.ua.scheduler,
        random: this.ua.random,
      });
      this.registration.on('state', (e) => this.emit('registration', e));
      // RFC 5626 §4.4.1: when the flow to the registrar fails, register again over a new one.
      this.ua.on('flowClosed', () => this.registration?.refreshNow());
    }
    const reg = this.registration;
    const done = reg.waitFor('state', (e) => e.state === 'registered' || e.state === 'failed' || e.state === 'retry-wait');
    reg.register();
    return done;
  }

  /** Turn user input into a target URI (see the dialling rules above). */
  resolveTarget(input: string): { uri: SipUri; viaAccount: boolean } {
    const text = input.trim();
    if (/^(sips?):/i.test(text)) {
      const r = parseUri(text);
      if (!r.ok || !isSipUri(r.value)) throw new PhoneError('bad-target', `"${input}" is not a valid SIP URI${r.ok ? '' : `: ${r.error.message}`}`);
      return { uri: r.value, viaAccount: false };
    }
    if (/^tel:/i.test(text)) {
      const r = parseUri(text);
      if (!r.ok || !isTelUri(r.value)) throw new PhoneError('bad-target', `"${input}" is not a valid tel: URI`);
      return this.throughAccount(cleanNumber(r.value.number) ?? r.value.number, input);
    }
    if (text.includes('@')) {
      const r = parseUri(`sip:${text}`);
      if (!r.ok || !isSipUri(r.value)) throw new PhoneError('bad-target', `"${input}" is not a valid SIP address`);
      return { uri: r.value, viaAccount: false };
    }
    const number = cleanNumber(text) ?? (/^[\w.\-+]+$/.test(text) ? text : undefined);
    if (!number) throw new PhoneError('bad-target', `"${input}" is neither a number nor a SIP address`);
    return this.throughAccount(number, input);
  }

  private throughAccount(number: string, input: string): { uri: SipUri; viaAccount: boolean } {
    const acc = this.opts.account;
    if (!acc) throw new PhoneError('no-account', `"${input}" is a number: dialling it needs an account (or give a full sip: URI)`);
    return { uri: sipUri({ scheme: acc.aor.scheme, user: number, host: acc.aor.host, port: acc.aor.port }), viaAccount: true };
  }

  /** Place a call. `target` follows the dialling rules. */
  async dial(target: string, opts: { audio?: CallAudio } = {}): Promise<Call> {
    if (this.closed) throw new PhoneError('closed', 'the phone is closed');
    const echo = target.trim().toLowerCase() === 'echo';
    const uri = echo ? await this.echoUri() : this.resolveTarget(target).uri;
    const acc = this.opts.account;
    const from: NameAddr = acc
      ? { displayName: acc.displayName, uri: acc.aor, params: new Map() }
      : { uri: this.ua.contactUri('softphone', this.protocol()), params: new Map() };
    const callOpts = this.callOptions('outgoing', opts.audio);
    const call = await Call.dial(this.ua, { uri, from }, callOpts);
    this.track(call);
    return call;
  }

  private async echoUri(): Promise<SipUri> {
    if (!this.echo) {
      if (!this.opts.echoUserAgent) throw new PhoneError('no-echo', 'the echo service is not available in this runtime');
      this.echo = new EchoService(await this.opts.echoUserAgent(), {
        media: this.opts.media,
        codecs: this.codecCaps,
      });
    }
    return this.echo.uri;
  }

  private protocol(): TransportProtocol {
    return this.opts.transport ?? this.ua.defaultProtocol();
  }

  private callOptions(direction: 'outgoing' | 'incoming', audio?: CallAudio) {
    const acc = this.opts.account;
    const id = this.ua.random();
    return {
      id,
      media: this.opts.media,
      codecs: this.codecCaps,
      audio: audio ?? this.opts.audio?.({ direction, id }),
      dtmfMode: this.opts.dtmfMode,
      contact: this.ua.contactUri(acc?.aor.user ?? 'softphone', this.protocol()),
      random: this.ua.random,
    };
  }

  private track(call: Call): void {
    this.active.add(call);
    this.unsettled.add(call);
    call.once('ended', () => {
      this.active.delete(call);
      void call.settled().then(() => this.unsettled.delete(call));
    });
    this.emit('call', call);
  }

  /**
   * Hang up every call, wait (at most `settleMs`) for their last signalling (the 487 that
   * answers a CANCEL, the response to a BYE), unregister, close the UA and the echo service.
   */
  async close(settleMs = 5000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.active) void c.hangup().catch(() => undefined);
    const settled = Promise.all([...this.unsettled].map((c) => c.settled()));
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, settleMs);
      void settled.then(() => {
        clearTimeout(t);
        resolve();
      });
    });
    if (this.registration) {
      await Promise.race([this.registration.unregister(), new Promise((r) => setTimeout(r, 3000))]);
      this.registration.close();
    }
    await this.echo?.close();
    await this.ua.close();
  }
}
