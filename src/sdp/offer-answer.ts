/**
 * The SDP offer/answer state machine (RFC 3264), kept apart from SIP dialogs: the INVITE
 * usage decides which message carries an offer or an answer (RFC 3261 §13.2.1, RFC 3262,
 * RFC 3311); this object only knows offers and answers. Pure and deterministic: the o=
 * session id comes from an injected source, and nothing here reads a clock.
 *
 * ```
 *                    createOffer()                      receiveOffer(sdp)
 *        +------------------------------+   +-------------------------------------+
 *        |                              v   |                                     v
 *   +---------+  receiveAnswer(sdp)  +------------------+        +-------------------+
 *   | stable  |<---------------------| have-local-offer |        | have-remote-offer |
 *   +---------+       rollback()     +------------------+        +-------------------+
 *        ^                                                                 |
 *        +----------------- createAnswer() / rollback() -------------------+
 * ```
 *
 * A provisional answer (`receiveAnswer(sdp, { provisional: true })`, e.g. an unreliable 183
 * for early media) yields negotiated media but stays in have-local-offer.
 *
 * Hold (RFC 3264 §8.4): `hold()` then `createOffer()` marks the stream sendonly, or inactive
 * if it was recvonly; while on hold, answers never include receiving.
 *
 * Versions (RFC 3264 §8): "the version number in the "o=" line MUST be identical to the
 * previous value" when nothing changed, and is incremented by one when anything did; the
 * session id never changes.
 */
import type { Direction, MediaDescription, SessionDescription } from './sdp.js';
import { directionOf, findAttribute, intersectDirections } from './sdp.js';
import { parseSdp } from './parser.js';
import { serializeSdp } from './serializer.js';
import type { SdpNegotiationFailure } from './errors.js';
import { SdpError } from './errors.js';
import type { LocalMedia, LocalSession } from './local-media.js';
import { addrTypeOf, answerDirection, buildAnsweredMedia, buildOfferedMedia, planAnswer, rejectedMedia } from './local-media.js';
import type { NegotiatedMedia } from './negotiated-media.js';
import { checkAnswer, negotiateSession } from './negotiated-media.js';

export type OfferAnswerState = 'stable' | 'have-local-offer' | 'have-remote-offer';

const TRANSITIONS: Record<OfferAnswerState, readonly OfferAnswerState[]> = {
  stable: ['have-local-offer', 'have-remote-offer'],
  'have-local-offer': ['stable'],
  'have-remote-offer': ['stable'],
};

export type SdpInput = SessionDescription | string | Uint8Array;

export type NegotiationResult<T> = { ok: true; value: T } | { ok: false; error: SdpNegotiationFailure };

export interface OfferAnswerOptions {
  local: LocalSession;
  /**
   * Source of the o= session id, called once (RFC 8866 §5.2: a numeric string, e.g. from a
   * random 62-bit number or an NTP timestamp). Injected so tests are deterministic.
   */
  sessionIdSource: () => string | number | bigint;
  /** First o= version; default the session id, as many stacks do. */
  initialVersion?: string | number | bigint;
}

/** What `createAnswer()` returns: the SDP to send and what it sets up. */
export interface AnswerResult {
  description: SessionDescription;
  media: NegotiatedMedia[];
}

/** What `receiveOffer()` learned before the answer is built. */
export interface OfferInfo {
  /** RFC 3264 §8: same o= version as the previous remote SDP, so nothing changed. */
  unchanged: boolean;
  /** Index of the m= line we will accept. */
  acceptedIndex: number;
}

interface Committed {
  local: SessionDescription;
  remote: SessionDescription;
  media: NegotiatedMedia[];
}

function toDigits(v: string | number | bigint): string {
  const s = String(v);
  if (!/^\d+$/.test(s)) throw new SdpError('SDP_ERR_INVALID_ARGUMENT', `o= session id and version must be decimal digits, got "${s}"`);
  return s;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

export class OfferAnswer {
  #state: OfferAnswerState = 'stable';
  #local: LocalSession;
  readonly #sessionId: string;
  #version: bigint;
  #lastSentText: string | undefined;
  #pendingLocalOffer: SessionDescription | undefined;
  #pendingRemoteOffer: { sd: SessionDescription; acceptedIndex: number } | undefined;
  #lastRemote: SessionDescription | undefined;
  #committed: Committed | undefined;
  #onHold = false;

  constructor(options: OfferAnswerOptions) {
    this.#local = clone(options.local);
    this.#sessionId = toDigits(options.sessionIdSource());
    this.#version = BigInt(toDigits(options.initialVersion ?? this.#sessionId));
  }

  get state(): OfferAnswerState {
    return this.#state;
  }

  get sessionId(): string {
    return this.#sessionId;
  }

  /** True after hold() until resume(). */
  get onHold(): boolean {
    return this.#onHold;
  }

  /** The media of the last completed exchange, if any. */
  get negotiated(): NegotiatedMedia[] | undefined {
    return this.#committed?.media;
  }

  /** Our SDP of the last completed exchange. */
  get localDescription(): SessionDescription | undefined {
    return this.#committed?.local;
  }

  /** The remote SDP of the last completed exchange. */
  get remoteDescription(): SessionDescription | undefined {
    return this.#committed?.remote;
  }

  /** The offer we sent and await an answer to. */
  get pendingLocalOffer(): SessionDescription | undefined {
    return this.#pendingLocalOffer;
  }

  /** Change our capabilities (address, port, codecs, ...) for the next offer or answer. */
  updateLocal(update: Partial<LocalMedia>): void {
    this.#local = { ...this.#local, audio: { ...this.#local.audio, ...clone(update) } };
  }

  /** RFC 3264 §8.4: stop receiving; the caller then re-offers with createOffer(). */
  hold(): void {
    this.#onHold = true;
  }

  resume(): void {
    this.#onHold = false;
  }

  /** A copy in the same state, for the early dialogs of a forked INVITE (RFC 3261 §13.2.2.4). */
  fork(): OfferAnswer {
    const copy = new OfferAnswer({ local: this.#local, sessionIdSource: () => this.#sessionId, initialVersion: this.#version });
    copy.#state = this.#state;
    copy.#lastSentText = this.#lastSentText;
    copy.#pendingLocalOffer = this.#pendingLocalOffer && clone(this.#pendingLocalOffer);
    copy.#pendingRemoteOffer = this.#pendingRemoteOffer && clone(this.#pendingRemoteOffer);
    copy.#lastRemote = this.#lastRemote && clone(this.#lastRemote);
    copy.#committed = this.#committed && clone(this.#committed);
    copy.#onHold = this.#onHold;
    return copy;
  }

  /** RFC 3264 §5 (first offer) and §8 (re-offer). stable → have-local-offer. */
  createOffer(): SessionDescription {
    this.#require('stable', 'createOffer');
    const audio = this.#local.audio;
    const previous = this.#committed;
    const mask = this.#localMask();
    const prevIndex = previous ? previous.media.findIndex((m) => !m.rejected && m.media.toLowerCase() === 'audio') : -1;
    const prevAudio = prevIndex >= 0 ? previous?.local.media[prevIndex] : undefined;
    // RFC 3264 §8.4: "If the stream to be placed on hold was previously a sendrecv media
    // stream, it is placed on hold by marking it sendonly. If the stream to be placed on hold
    // was previously a recvonly media stream, it is placed on hold by marking it inactive."
    const direction = this.#onHold && prevAudio && previous ? intersectDirections(mask, directionOf(prevAudio, previous.local)) : mask;
    const opts: { previous?: MediaDescription; mid?: string } = {};
    if (prevAudio) opts.previous = prevAudio;
    const prevMid = prevAudio ? findAttribute(prevAudio.attributes, 'mid')?.value : undefined;
    if (prevMid !== undefined) opts.mid = prevMid;
    const offered = buildOfferedMedia(audio, direction, opts);

    // RFC 3264 §8: a re-offer keeps every m= line of the previous exchange, in order; lines
    // we do not use stay, disabled with port 0.
    let media: MediaDescription[];
    if (previous) {
      media = previous.local.media.map((m, i) => (i === prevIndex ? offered : rejectedMedia(m)));
      if (prevIndex < 0) media.push(offered);
    } else {
      media = [offered];
    }
    const sd = this.#stamp(this.#session(media));
    this.#pendingLocalOffer = sd;
    this.#transition('have-local-offer');
    return clone(sd);
  }

  /**
   * The remote answer to our offer (RFC 3264 §7). Final: have-local-offer → stable.
   * Provisional: negotiated media for early media, state unchanged.
   */
  receiveAnswer(input: SdpInput, options: { provisional?: boolean } = {}): NegotiationResult<NegotiatedMedia[]> {
    if (this.#state !== 'have-local-offer' || !this.#pendingLocalOffer) {
      return { ok: false, error: { code: 'unexpected-answer', message: `an answer arrived in state ${this.#state}, with no offer of ours outstanding` } };
    }
    const parsed = toDescription(input);
    if (!parsed.ok) return parsed;
    const answer = parsed.value;
    const offer = this.#pendingLocalOffer;
    const bad = checkAnswer(offer, answer);
    if (bad) return { ok: false, error: bad };
    const media = negotiateSession(offer, answer);
    if (!options.provisional) {
      this.#committed = { local: offer, remote: answer, media };
      this.#lastRemote = answer;
      this.#pendingLocalOffer = undefined;
      this.#transition('stable');
    }
    return { ok: true, value: clone(media) };
  }

  /**
   * A remote offer (RFC 3264 §6). stable → have-remote-offer when we can accept at least one
   * stream; otherwise an error (`no-common-media`: answer 488) and the state stays stable.
   */
  receiveOffer(input: SdpInput): NegotiationResult<OfferInfo> {
    if (this.#state === 'have-local-offer') {
      return { ok: false, error: { code: 'glare', message: 'an offer arrived while our own offer is outstanding (answer 491)' } };
    }
    if (this.#state !== 'stable') {
      return { ok: false, error: { code: 'offer-pending', message: 'an offer arrived before the previous remote offer was answered' } };
    }
    const parsed = toDescription(input);
    if (!parsed.ok) return parsed;
    const offer = parsed.value;
    const audio = this.#local.audio;
    const acceptedIndex = offer.media.findIndex((m) => planAnswer(m, audio) !== undefined);
    if (acceptedIndex < 0) {
      return { ok: false, error: { code: 'no-common-media', message: 'the offer has no audio stream with a codec and transport we support' } };
    }
    const accepted = offer.media[acceptedIndex] as MediaDescription;
    if (!accepted.connections[0] && !offer.connection) {
      return { ok: false, error: { code: 'missing-connection', message: `m= line ${acceptedIndex} has no c= line at media or session level`, mediaIndex: acceptedIndex } };
    }
    const prev = this.#lastRemote;
    const unchanged =
      prev !== undefined &&
      prev.origin.sessionId === offer.origin.sessionId &&
      prev.origin.sessionVersion === offer.origin.sessionVersion;
    this.#pendingRemoteOffer = { sd: offer, acceptedIndex };
    this.#transition('have-remote-offer');
    return { ok: true, value: { unchanged, acceptedIndex } };
  }

  /** RFC 3264 §6: answer the remote offer. have-remote-offer → stable. */
  createAnswer(): AnswerResult {
    this.#require('have-remote-offer', 'createAnswer');
    const pending = this.#pendingRemoteOffer as { sd: SessionDescription; acceptedIndex: number };
    const offer = pending.sd;
    const audio = this.#local.audio;
    const mask = this.#localMask();
    const media = offer.media.map((m, i) => {
      const plan = i === pending.acceptedIndex ? planAnswer(m, audio) : undefined;
      if (!plan) return rejectedMedia(m);
      return buildAnsweredMedia(m, plan, audio, answerDirection(directionOf(m, offer), mask));
    });
    const sd = this.#stamp(this.#session(media));
    const negotiated = negotiateSession(sd, offer);
    this.#committed = { local: sd, remote: offer, media: negotiated };
    this.#lastRemote = offer;
    this.#pendingRemoteOffer = undefined;
    this.#transition('stable');
    return { description: clone(sd), media: clone(negotiated) };
  }

  /**
   * Abandon the outstanding offer (ours was refused, e.g. 488 or 491; or we refuse theirs):
   * back to stable with the previous exchange still in force. The o= version is not reused.
   */
  rollback(): void {
    if (this.#state === 'stable') return;
    this.#pendingLocalOffer = undefined;
    this.#pendingRemoteOffer = undefined;
    this.#transition('stable');
  }

  #localMask(): Direction {
    const wanted = this.#local.audio.direction ?? 'sendrecv';
    return this.#onHold ? intersectDirections(wanted, 'sendonly') : wanted;
  }

  #session(media: MediaDescription[]): SessionDescription {
    const audio = this.#local.audio;
    const originAddress = this.#local.originAddress ?? audio.address;
    return {
      version: 0,
      origin: {
        username: this.#local.username ?? '-',
        sessionId: this.#sessionId,
        sessionVersion: this.#version.toString(),
        netType: 'IN',
        addrType: addrTypeOf(originAddress),
        address: originAddress,
      },
      sessionName: this.#local.sessionName ?? '-',
      emails: [],
      phones: [],
      connection: { netType: 'IN', addrType: addrTypeOf(audio.address), address: audio.address },
      bandwidths: [],
      timing: [{ start: '0', stop: '0', repeats: [] }],
      attributes: [],
      media,
    };
  }

  /** RFC 3264 §8: same version when the content is unchanged, the next one when it changed. */
  #stamp(sd: SessionDescription): SessionDescription {
    const text = serializeSdp(sd);
    if (this.#lastSentText !== undefined && text !== this.#lastSentText) {
      this.#version += 1n;
      sd.origin.sessionVersion = this.#version.toString();
    }
    this.#lastSentText = serializeSdp(sd);
    return sd;
  }

  #require(state: OfferAnswerState, what: string): void {
    if (this.#state !== state) throw new SdpError('SDP_ERR_STATE', `${what}() is not allowed in state ${this.#state} (needs ${state})`);
  }

  #transition(to: OfferAnswerState): void {
    if (!TRANSITIONS[this.#state].includes(to)) {
      throw new SdpError('SDP_ERR_STATE', `offer/answer cannot move from ${this.#state} to ${to}`);
    }
    this.#state = to;
  }
}

function toDescription(input: SdpInput): NegotiationResult<SessionDescription> {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) return { ok: true, value: clone(input) };
  const r = parseSdp(input);
  if (r.ok) return r;
  return { ok: false, error: { code: 'invalid-sdp', message: `${r.error.message} (line ${r.error.line}: "${r.error.text}")`, line: r.error.line } };
}
