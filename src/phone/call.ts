/**
 * One call, as a user sees it: the INVITE session (sip/invite), the SDP offer/answer FSM
 * (sdp/) and the media stream (media/) kept in step.
 *
 *   outgoing:  calling ──18x──► ringing ──183+SDP──► early ──2xx──► established ──► ended
 *   incoming:  incoming ──answer()──► established ──► ended      (decline / cancel ──► ended)
 *
 * Offer/answer rides on the session: our offer in the INVITE (or in our 2xx for a late-offer
 * INVITE), a provisional answer in a 183 plays early media, re-INVITEs (hold, resume, the
 * peer's target refresh) re-negotiate and update the running stream. DTMF goes as RFC 4733
 * when the peer negotiated telephone-event, else as SIP INFO (application/dtmf-relay).
 */
import { Emitter } from '../platform/emitter.js';
import type { Body, EndCause, IncomingInvite, InviteClientDelegate, InviteSession, OutgoingInvite } from '../sip/invite/index.js';
import type { Header, NameAddr, SipUri, Uri } from '../sip/message.js';
import type { NegotiatedMedia } from '../sdp/index.js';
import { OfferAnswer, serializeSdp } from '../sdp/index.js';
import type { CodecCapability, LocalSession } from '../sdp/local-media.js';
import type { AudioFormat, AudioSink, AudioSource } from '../media/audio-frame.js';
import type { MediaStreamStats } from '../media/call-stats.js';
import { parseDtmfInfo, serializeDtmfRelay } from '../media/dtmf-relay.js';
import { MediaStream } from '../media/media-stream.js';
import type { MediaTicker, RtpTransport } from '../media/media-stream.js';
import { streamAudioFormat, streamConfigFromNegotiated } from '../media/stream-config.js';
import type { CodecRegistry } from '../media/codec-registry.js';

export type CallState = 'calling' | 'ringing' | 'early' | 'incoming' | 'established' | 'ended';
export type DtmfMode = 'auto' | 'rfc4733' | 'info';

/** What a call needs from the runtime to move audio (main/node.ts provides it). */
export interface MediaEnvironment {
  /** Open RTP/RTCP sockets, ports from the configured range. */
  openRtp(): Promise<RtpTransport>;
  /** The address written in our SDP (where the peer sends RTP). */
  readonly address: string;
  clock: MediaTicker;
  codecs: CodecRegistry;
  /**
   * Run the stream somewhere else (a media worker); default: a MediaStream in this thread.
   * `events.failed` ends the call when the stream dies where it runs (a crashed worker).
   */
  createStream?(media: NegotiatedMedia, transport: RtpTransport, audio: { source?: AudioSource; sink?: AudioSink }, events?: { failed(reason: string): void }): CallMediaStream;
}

/** What a call needs of its running stream: MediaStream in this thread, or a handle on one
 * in a media worker (main/node.ts decides). */
export type CallMediaStream = Pick<MediaStream, 'start' | 'update' | 'sendDtmf' | 'canSendDtmf' | 'setMuted' | 'stats' | 'close'> & {
  on(name: 'dtmf', fn: (d: { digit: string; durationMs: number }) => void): () => void;
};

/** Audio endpoints, made once the codec (and so the sample rate) is known. */
export interface CallAudio {
  source?: (format: AudioFormat) => AudioSource;
  sink?: (format: AudioFormat) => AudioSink;
}

export interface CallOptions {
  media: MediaEnvironment;
  codecs: CodecCapability[];
  audio?: CallAudio;
  dtmfMode?: DtmfMode;
  /** Our Contact. */
  contact: SipUri;
  random: () => string;
  /** The call's id (default: a fresh `random()`); the audio factory was given the same. */
  id?: string;
}

export interface CallEndInfo {
  cause: EndCause;
  /** For people: "busy (486 Busy Here)", "remote hung up". */
  reason: string;
  status?: number;
  by: 'local' | 'remote' | 'network';
}

export interface CallEvents {
  [key: string]: unknown;
  state: { state: CallState; status?: number; codec?: string };
  /** A DTMF digit from the peer, by RFC 4733 or SIP INFO. */
  dtmf: { digit: string; via: 'rfc4733' | 'info'; durationMs?: number };
  hold: { local: boolean; remote: boolean };
  /** Audio started after the answer: a late offer's answer arrived in the ACK. */
  media: { codec?: string };
  ended: CallEndInfo;
}

const SDP = 'application/sdp';
const enc = new TextEncoder();

export class Call extends Emitter<CallEvents> {
  readonly id: string;
  readonly direction: 'outgoing' | 'incoming';
  readonly remote: NameAddr;
  private readonly opts: CallOptions;
  private readonly oa: OfferAnswer;
  private transport: RtpTransport | undefined;
  private stream: CallMediaStream | undefined;
  private sink: AudioSink | undefined;
  private session: InviteSession | undefined;
  private outgoing: OutgoingInvite | undefined;
  private incoming: IncomingInvite | undefined;
  private current: CallState;
  private endInfo: CallEndInfo | undefined;
  private localHold = false;
  private remoteHold = false;
  private mutedFlag = false;
  private dtmfQueue: Promise<void> = Promise.resolve();
  private audio: CallAudio | undefined;
  /** The media statistics at the moment the call ended. */
  private finalStats: MediaStreamStats | undefined;
  /** The audio line in use (set by early media too, before offer/answer commits). */
  private audioLine: NegotiatedMedia | undefined;
  /** Signalling still in flight (a CANCEL waiting for its 487, a BYE for its response). */
  private signalling: Promise<void> = Promise.resolve();
  /** Resolves the outgoing INVITE's own wait: its final response (or failure) has arrived. */
  private inviteConcluded: (() => void) | undefined;
  /** When the call was answered (ms since epoch), for history and the call timer. */
  answeredAt: number | undefined;
  readonly startedAt = Date.now();

  private constructor(direction: 'outgoing' | 'incoming', remote: NameAddr, transport: RtpTransport, opts: CallOptions, id: string) {
    super();
    this.id = id;
    this.direction = direction;
    this.remote = remote;
    this.opts = opts;
    this.transport = transport;
    this.current = direction === 'outgoing' ? 'calling' : 'incoming';
    this.audio = opts.audio;
    const local: LocalSession = {
      audio: { address: opts.media.address, port: transport.rtpPort, codecs: opts.codecs },
    };
    this.oa = new OfferAnswer({ local, sessionIdSource: () => BigInt('0x' + opts.random().slice(0, 12)) });
  }

  /** Place a call: open media, offer, send the INVITE. */
  static async dial(
    ua: { invite: (o: { uri: Uri; from: NameAddr; to?: NameAddr; contact: SipUri; body?: Body }, d: InviteClientDelegate) => OutgoingInvite },
    target: { uri: Uri; from: NameAddr; to?: NameAddr },
    opts: CallOptions,
  ): Promise<Call> {
    const transport = await opts.media.openRtp();
    const call = new Call('outgoing', target.to ?? { uri: target.uri, params: new Map() }, transport, opts, opts.id ?? opts.random());
    call.keep(new Promise<void>((resolve) => (call.inviteConcluded = resolve)));
    const offer = serializeSdp(call.oa.createOffer());
    call.outgoing = ua.invite(
      { uri: target.uri, from: target.from, to: target.to, contact: opts.contact, body: { contentType: SDP, bytes: enc.encode(offer) } },
      {
        onProgress: (e) => {
          if (call.current === 'ended') return;
          if (e.body && isSdp(e.body)) {
            // RFC 3264 + RFC 3960: an answer in a reliable-or-not 18x plays early media.
            const r = call.oa.receiveAnswer(e.body.bytes, { provisional: true });
            if (r.ok) {
              call.applyMedia(r.value);
              call.setState('early', e.status);
              return;
            }
          }
          if (e.status === 180 || e.status === 183) call.setState(call.current === 'early' ? 'early' : 'ringing', e.status);
        },
        onAccepted: (e) => {
          call.inviteConcluded?.();
          call.session = e.session;
          call.watchSession(e.session);
          if (call.current === 'ended') {
            // hung up while the 2xx was on its way: the session exists, end it properly.
            call.keep(e.session.bye());
            return undefined;
          }
          if (e.body && isSdp(e.body)) {
            const r = call.oa.receiveAnswer(e.body.bytes);
            if (!r.ok) {
              call.finish({ cause: 'not-acceptable', reason: `the answer's SDP was unusable: ${r.error.message}`, by: 'local' });
              call.keep(e.session.bye());
              return undefined;
            }
            call.applyMedia(r.value);
          } else if (!call.stream) {
            call.finish({ cause: 'not-acceptable', reason: 'the 2xx carried no SDP answer', by: 'local' });
            call.keep(e.session.bye());
            return undefined;
          }
          call.answeredAt = Date.now();
          call.setState('established', e.response.status);
          return undefined;
        },
        onFailed: (e) => {
          call.inviteConcluded?.();
          call.finish({ cause: e.cause, reason: e.message, status: e.status || undefined, by: e.status ? 'remote' : 'network' });
        },
      },
    );
    return call;
  }

  /** Wrap an incoming INVITE: media ports are reserved now; answer() or decline() decides. */
  static async receive(invite: IncomingInvite, opts: CallOptions): Promise<Call> {
    const transport = await opts.media.openRtp();
    const call = new Call('incoming', invite.request.from, transport, opts, opts.id ?? opts.random());
    call.incoming = invite;
    invite.on('cancelled', () => call.finish({ cause: 'cancelled', reason: 'the caller cancelled', by: 'remote', status: 487 }));
    if (invite.body) {
      if (!isSdp(invite.body)) {
        invite.reject(415, 'Unsupported Media Type', [{ name: 'Accept', value: SDP }]);
        call.finish({ cause: 'not-acceptable', reason: `unsupported body ${invite.body.contentType}`, by: 'local', status: 415 });
        return call;
      }
      const r = call.oa.receiveOffer(invite.body.bytes);
      if (!r.ok) {
        invite.reject(488, 'Not Acceptable Here');
        call.finish({ cause: 'not-acceptable', reason: `the offer was unusable: ${r.error.message}`, by: 'local', status: 488 });
      }
    }
    return call;
  }

  get state(): CallState {
    return this.current;
  }

  get ended(): CallEndInfo | undefined {
    return this.endInfo;
  }

  get codec(): string | undefined {
    const nm = this.oa.negotiated?.find((m) => !m.rejected && m.media === 'audio') ?? this.audioLine;
    return nm?.sendCodec ? `${nm.sendCodec.name}/${nm.sendCodec.clockRate}` : undefined;
  }

  get muted(): boolean {
    return this.mutedFlag;
  }

  get onHold(): { local: boolean; remote: boolean } {
    return { local: this.localHold, remote: this.remoteHold };
  }

  /** Choose what this call sends and where what it hears goes; before the media starts. */
  setAudio(audio: CallAudio): void {
    if (this.stream) throw new Error('setAudio() after the media started');
    this.audio = audio;
  }

  /** Send 180 Ringing (or 183 with early media if we had something to play). */
  ring(): void {
    if (this.current === 'incoming') this.incoming?.progress(180);
  }

  /** Answer an incoming call. */
  answer(): void {
    const invite = this.incoming;
    if (!invite || this.current !== 'incoming') return;
    if (invite.body) {
      const { description, media } = this.oa.createAnswer();
      this.session = invite.accept({ body: sdpBody(serializeSdp(description)), contact: this.opts.contact });
      this.watchSession(this.session);
      this.applyMedia(media);
    } else {
      // Late offer (RFC 3261 §13.2.1): our offer goes in the 2xx, the answer comes in the ACK.
      const offer = serializeSdp(this.oa.createOffer());
      this.session = invite.accept({ body: sdpBody(offer), contact: this.opts.contact });
      this.watchSession(this.session);
    }
    this.answeredAt = Date.now();
    this.setState('established', 200);
  }

  /** Refuse an incoming call (603 Decline by default; 486 Busy Here for DND/busy; a 3xx
   * with a Contact header in `headers` redirects it). */
  decline(status = 603, reason?: string, headers?: Header[]): void {
    if (this.current !== 'incoming') return;
    this.incoming?.reject(status, reason, headers);
    this.finish({ cause: status === 486 ? 'busy' : 'declined', reason: `declined locally (${status})`, by: 'local', status });
  }

  /** End the call whatever its state: CANCEL, decline or BYE. */
  async hangup(): Promise<void> {
    switch (this.current) {
      case 'ended':
        return;
      case 'incoming':
        this.decline(603);
        return;
      case 'calling':
      case 'ringing':
      case 'early':
        // RFC 3261 §9.1: the CANCEL goes (once a provisional has arrived); the INVITE still
        // gets its final response (487, or a 2xx that crossed the CANCEL and is BYEd), which
        // settled() waits for so that the 487 is ACKed before the UA closes.
        this.outgoing?.cancel();
        this.finish({ cause: 'cancelled', reason: 'cancelled', by: 'local' });
        await this.signalling;
        return;
      case 'established': {
        this.finish({ cause: 'normal', reason: 'hung up', by: 'local' });
        const bye = this.session?.bye();
        if (bye) this.keep(bye);
        await bye;
        return;
      }
    }
  }

  /**
   * Resolves once no signalling of this call is in flight any more: the outgoing INVITE has
   * its final response, our BYE its answer. Whoever closes the user agent waits for it (the
   * phone does, bounded), so a hang-up is never cut short by the process exiting.
   */
  async settled(): Promise<void> {
    for (;;) {
      const p = this.signalling;
      await p;
      if (p === this.signalling) return;
    }
  }

  mute(on: boolean): void {
    this.mutedFlag = on;
    this.stream?.setMuted(on);
  }

  /** Put the call on hold (RFC 3264 §8.4: a re-INVITE with sendonly/inactive). */
  async hold(): Promise<boolean> {
    if (this.localHold) return true;
    this.oa.hold();
    const ok = await this.renegotiate();
    if (ok) {
      this.localHold = true;
      this.emit('hold', this.onHold);
    }
    return ok;
  }

  async resume(): Promise<boolean> {
    if (!this.localHold) return true;
    this.oa.resume();
    const ok = await this.renegotiate();
    if (ok) {
      this.localHold = false;
      this.emit('hold', this.onHold);
    }
    return ok;
  }

  /** Send DTMF digits: RFC 4733 when negotiated (or forced), else SIP INFO one by one. */
  sendDtmf(digits: string, durationMs = 100): Promise<void> {
    const mode = this.opts.dtmfMode ?? 'auto';
    const viaRtp = mode === 'rfc4733' || (mode === 'auto' && this.stream?.canSendDtmf);
    if (viaRtp && this.stream) {
      const r = this.stream.sendDtmf(digits, durationMs);
      if (!r.ok) return Promise.reject(new Error(`cannot send DTMF by RFC 4733: ${r.reason}`));
      // Resolve when the events have gone out (each digit + gap, end packets included).
      return new Promise((resolve) => setTimeout(resolve, digits.length * (durationMs + 60) + 60));
    }
    const session = this.session;
    if (!session) return Promise.reject(new Error('no established call to send DTMF on'));
    this.dtmfQueue = this.dtmfQueue.then(async () => {
      for (const digit of digits) {
        const status = await session.info('application/dtmf-relay', enc.encode(serializeDtmfRelay({ signal: digit, durationMs })));
        if (status >= 300) throw new Error(`INFO for DTMF "${digit}" was refused with ${status}`);
      }
    });
    return this.dtmfQueue;
  }

  /** The SIP Call-ID of the call (for history and logs). */
  get sipCallId(): string | undefined {
    return this.session?.callId ?? this.outgoing?.callId ?? this.incoming?.callId;
  }

  /**
   * Blind transfer (RFC 3515): a REFER asks the peer to call `target`. Resolves with the
   * REFER's status once it is answered (2xx: accepted). `onProgress` hears the NOTIFYs; when
   * one reports a 2xx for the new call, this call ends with a BYE (reason "transferred").
   */
  async transfer(target: Uri, onProgress?: (p: { status: number; reason: string; final: boolean }) => void): Promise<number> {
    const session = this.session;
    if (!session || this.current !== 'established') throw new Error('transfer: the call is not established');
    const refer = session.refer(target);
    if (onProgress) refer.on('progress', onProgress);
    void refer.done().then((p) => {
      if (p.status >= 200 && p.status < 300 && this.current === 'established') {
        this.finish({ cause: 'normal', reason: 'transferred', by: 'local' });
        this.keep(session.bye());
      }
    });
    return refer.start();
  }

  /** Live media statistics; after the end, those of the moment it ended. */
  stats(): MediaStreamStats | undefined {
    return this.stream?.stats() ?? this.finalStats;
  }

  // ─── internals ─────────────────────────────────────────────────────────────────────────

  private async renegotiate(): Promise<boolean> {
    const session = this.session;
    if (!session || this.current !== 'established') {
      this.oa.rollback();
      return false;
    }
    const offer = serializeSdp(this.oa.createOffer());
    const r = await session.reinvite(sdpBody(offer));
    if (r.status >= 200 && r.status < 300 && r.body && isSdp(r.body)) {
      const a = this.oa.receiveAnswer(r.body.bytes);
      if (a.ok) {
        this.applyMedia(a.value);
        return true;
      }
    }
    if (this.oa.state !== 'stable') this.oa.rollback();
    return false;
  }

  private watchSession(session: InviteSession): void {
    session.on('ack', (e) => {
      // The answer to our offer in a 2xx (late offer, or a bodiless re-INVITE we answered).
      if (e.body && isSdp(e.body) && this.oa.state === 'have-local-offer') {
        const r = this.oa.receiveAnswer(e.body.bytes);
        if (r.ok) this.applyMedia(r.value);
        else void this.failMedia(`the ACK's SDP answer was unusable: ${r.error.message}`);
      }
    });
    session.on('reinvite', (e) => {
      if (!e.body) {
        // A re-INVITE without SDP: offer in the 2xx, answer in the ACK.
        e.accept(sdpBody(serializeSdp(this.oa.createOffer())));
        return;
      }
      const r = this.oa.receiveOffer(e.body.bytes);
      if (!r.ok) {
        e.reject(488);
        return;
      }
      const { description, media } = this.oa.createAnswer();
      e.accept(sdpBody(serializeSdp(description)));
      this.applyMedia(media);
    });
    session.on('info', (e) => {
      const dtmf = parseDtmfInfo(e.contentType ?? '', new TextDecoder().decode(e.body));
      if (dtmf === undefined) {
        e.respond(415);
        return;
      }
      e.respond(dtmf.ok ? 200 : 400);
      if (dtmf.ok) this.emit('dtmf', { digit: dtmf.value.signal, via: 'info', durationMs: dtmf.value.durationMs });
    });
    session.on('terminated', (e) => {
      this.finish({ cause: e.cause, reason: e.by === 'remote' ? 'remote hung up' : e.reason, by: e.by });
    });
  }

  private async failMedia(reason: string, cause: EndCause = 'not-acceptable'): Promise<void> {
    this.finish({ cause, reason, by: 'local' });
    const bye = this.session?.bye();
    if (bye) this.keep(bye);
    await bye;
  }

  private keep(p: Promise<unknown>): void {
    this.signalling = Promise.all([this.signalling, p.catch(() => undefined)]).then(() => undefined);
  }

  /** Start the stream for the negotiated audio line, or update it (hold, new address). */
  private applyMedia(all: NegotiatedMedia[]): void {
    const nm = all.find((m) => !m.rejected && m.media === 'audio');
    if (!nm || !this.transport) return;
    this.audioLine = nm;
    const wasRemoteHold = this.remoteHold;
    // `direction` is ours: the peer holding us (RFC 3264 §8.4: it offers sendonly or
    // inactive) leaves us recvonly or inactive. Our own hold (we offered sendonly) leaves us
    // sendonly, and inactive then says nothing about the peer.
    this.remoteHold = nm.direction === 'recvonly' || (nm.direction === 'inactive' && !this.localHold);
    if (wasRemoteHold !== this.remoteHold) this.emit('hold', this.onHold);
    if (this.stream) {
      this.stream.update(nm, this.opts.media.codecs);
      return;
    }
    const format = streamAudioFormat(streamConfigFromNegotiated(nm, this.opts.media.codecs));
    const source = this.audio?.source?.(format);
    this.sink = this.audio?.sink?.(format);
    const env = this.opts.media;
    this.stream = env.createStream
      ? env.createStream(nm, this.transport, { source, sink: this.sink }, { failed: (reason) => void this.failMedia(reason, 'network') })
      : MediaStream.fromNegotiated(nm, { transport: this.transport, clock: env.clock, codecs: env.codecs, source, sink: this.sink });
    this.stream.on('dtmf', (d) => this.emit('dtmf', { digit: d.digit, via: 'rfc4733', durationMs: d.durationMs }));
    this.stream.setMuted(this.mutedFlag);
    this.stream.start();
    if (this.current === 'established') this.emit('media', { codec: this.codec });
  }

  private setState(state: CallState, status?: number): void {
    if (this.current === 'ended' || this.current === state) return;
    this.current = state;
    this.emit('state', { state, status, codec: this.codec });
  }

  private finish(info: CallEndInfo): void {
    if (this.current === 'ended') return;
    this.current = 'ended';
    this.endInfo = info;
    const stream = this.stream;
    const transport = this.transport;
    this.finalStats = stream?.stats();
    this.stream = undefined;
    this.transport = undefined;
    // settled() covers the close: a stream in a media worker hands back its last statistics
    // and its recording only then.
    const closing = stream ? stream.close(info.reason).then(() => (this.finalStats = stream.stats())) : transport?.close();
    if (closing) this.keep(closing);
    this.emit('state', { state: 'ended', status: info.status });
    this.emit('ended', info);
  }

  /** The sink audio was written to (a recorder, for the CLI to save). */
  get audioSink(): AudioSink | undefined {
    return this.sink;
  }
}

function isSdp(body: Body): boolean {
  return body.contentType.split(';')[0]!.trim().toLowerCase() === SDP;
}

function sdpBody(text: string): Body {
  return { contentType: SDP, bytes: enc.encode(text) };
}
