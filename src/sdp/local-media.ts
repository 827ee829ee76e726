/**
 * Our side of a negotiation: the capabilities the application hands in, and the m= sections
 * built from them, for an offer (RFC 3264 §5) or for an answer to one offered stream (§6).
 */
import type { Attribute, Direction, MediaDescription } from './sdp.js';
import { findAttribute, intersectDirections, mirrorDirection } from './sdp.js';
import type { RtpCodec } from './codecs.js';
import {
  DYNAMIC_PAYLOAD_TYPE_MAX,
  DYNAMIC_PAYLOAD_TYPE_MIN,
  codecsOf,
  formatEventList,
  isAuxiliary,
  isTelephoneEvent,
  parseEventList,
  sameCodec,
  staticPayloadTypeFor,
} from './codecs.js';
import { SdpError } from './errors.js';

/** A codec we can send and receive. */
export interface CodecCapability {
  name: string;
  /** RTP clock rate (G722 is 8000). */
  clockRate: number;
  channels?: number;
  /** Number to offer it with; default the RFC 3551 static number, else the next free dynamic one. */
  payloadType?: number;
  /** Format parameters we want to receive with, e.g. `useinbandfec=1`. */
  fmtp?: string;
}

/** RFC 4733 telephone-event support. */
export interface TelephoneEventCapability {
  /** Default 101. */
  payloadType?: number;
  /** Default 8000. */
  clockRate?: number;
  /** Events we receive, RFC 4733 §2.4.1 syntax; default `0-16` (DTMF digits and flash). */
  events?: string;
}

/** The audio stream we offer or accept. */
export interface LocalMedia {
  /** Where we receive RTP: written to c= (the address type follows from the address). */
  address: string;
  port: number;
  /** Written as a=rtcp (RFC 3605) when set; otherwise RTCP is on port + 1. */
  rtcpPort?: number;
  /** Codecs in our order of preference. */
  codecs: CodecCapability[];
  /** Default enabled at 101 telephone-event/8000 0-16; `false` to leave it out. */
  telephoneEvent?: TelephoneEventCapability | false;
  /** Packetisation we want to receive; default 20 ms. */
  ptime?: number;
  maxptime?: number;
  /** What the user wants, before hold is applied; default sendrecv. */
  direction?: Direction;
  /** We can multiplex RTP and RTCP on one port (RFC 5761): offer it, accept it when offered. */
  rtcpMux?: boolean;
  /** Transport protocol; default RTP/AVP. Offered streams with another proto are rejected. */
  proto?: string;
  /** RFC 5888 media id for our offers (answers copy the offerer's). */
  mid?: string;
  /** Extra media-level attributes, verbatim, appended (crypto, ICE, ...). */
  attributes?: Attribute[];
}

export interface LocalSession {
  /** o= username; default `-`. */
  username?: string;
  /** s=; default `-`. */
  sessionName?: string;
  /** o= address; default the audio address. */
  originAddress?: string;
  audio: LocalMedia;
}

export const DEFAULT_PTIME = 20;
export const DEFAULT_TELEPHONE_EVENT = { payloadType: 101, clockRate: 8000, events: '0-16' } as const;

export function addrTypeOf(address: string): 'IP4' | 'IP6' {
  return address.includes(':') ? 'IP6' : 'IP4';
}

export function telephoneEventOf(local: LocalMedia): Required<TelephoneEventCapability> | undefined {
  if (local.telephoneEvent === false) return undefined;
  return { ...DEFAULT_TELEPHONE_EVENT, ...(local.telephoneEvent ?? {}) };
}

function rtpmapFor(c: RtpCodec): Attribute {
  const a: Attribute = { kind: 'rtpmap', payloadType: c.payloadType, encodingName: c.name, clockRate: c.clockRate };
  if (c.channels !== 1) a.channels = c.channels;
  return a;
}

function pushFormat(attrs: Attribute[], c: RtpCodec): void {
  attrs.push(rtpmapFor(c));
  if (c.fmtp !== undefined && c.fmtp !== '') attrs.push({ kind: 'fmtp', format: String(c.payloadType), parameters: c.fmtp });
}

function pushTrailer(attrs: Attribute[], local: LocalMedia, mux: boolean, direction: Direction): void {
  attrs.push({ kind: 'ptime', value: local.ptime ?? DEFAULT_PTIME });
  if (local.maxptime !== undefined) attrs.push({ kind: 'maxptime', value: local.maxptime });
  if (local.rtcpPort !== undefined && !mux) attrs.push({ kind: 'rtcp', port: local.rtcpPort });
  if (mux) attrs.push({ kind: 'rtcp-mux' });
  attrs.push({ kind: 'direction', value: direction });
  for (const a of local.attributes ?? []) attrs.push({ ...a });
}

/**
 * The codecs we offer, with payload type numbers: an explicit number, else the static one,
 * else one kept from `previous` (RFC 3264 §8.3.2: a number once used for a codec in the
 * session should not change meaning), else the lowest free dynamic number.
 */
export function assignPayloadTypes(local: LocalMedia, previous?: MediaDescription): { codecs: RtpCodec[]; telephoneEvent?: RtpCodec } {
  const te = telephoneEventOf(local);
  const prev = previous ? codecsOf(previous) : [];
  const used = new Set<number>();
  const out: RtpCodec[] = [];
  const take = (pt: number): void => {
    if (used.has(pt)) throw new SdpError('SDP_ERR_INVALID_ARGUMENT', `payload type ${pt} is assigned twice`);
    used.add(pt);
  };
  const pending: { cap: CodecCapability; index: number }[] = [];
  const explicitTePt = local.telephoneEvent ? local.telephoneEvent.payloadType : undefined;
  const tePt = te
    ? (explicitTePt ?? prev.find((p) => isTelephoneEvent(p) && p.clockRate === te.clockRate)?.payloadType ?? te.payloadType)
    : undefined;
  if (tePt !== undefined) take(tePt);
  local.codecs.forEach((cap, index) => {
    if (isTelephoneEvent(cap)) throw new SdpError('SDP_ERR_INVALID_ARGUMENT', 'telephone-event is configured with the telephoneEvent option, not as a codec');
    const pt = cap.payloadType ?? staticPayloadTypeFor(cap.name, cap.clockRate, cap.channels ?? 1) ?? prev.find((p) => sameCodec(p, cap) && !used.has(p.payloadType))?.payloadType;
    if (pt === undefined) {
      pending.push({ cap, index });
      return;
    }
    if (pt < 0 || pt > 127 || !Number.isInteger(pt)) throw new SdpError('SDP_ERR_INVALID_ARGUMENT', `payload type ${pt} is out of range`);
    take(pt);
    out[index] = toCodec(cap, pt);
  });
  let next = DYNAMIC_PAYLOAD_TYPE_MIN;
  for (const { cap, index } of pending) {
    while (used.has(next)) next += 1;
    if (next > DYNAMIC_PAYLOAD_TYPE_MAX) throw new SdpError('SDP_ERR_INVALID_ARGUMENT', 'out of dynamic payload types');
    take(next);
    out[index] = toCodec(cap, next);
  }
  const result: { codecs: RtpCodec[]; telephoneEvent?: RtpCodec } = { codecs: out };
  if (te && tePt !== undefined) {
    result.telephoneEvent = { payloadType: tePt, name: 'telephone-event', clockRate: te.clockRate, channels: 1, fmtp: te.events };
  }
  return result;
}

function toCodec(cap: CodecCapability, payloadType: number): RtpCodec {
  const c: RtpCodec = { payloadType, name: cap.name, clockRate: cap.clockRate, channels: cap.channels ?? 1 };
  if (cap.fmtp !== undefined) c.fmtp = cap.fmtp;
  return c;
}

/** RFC 3264 §5.1: our audio m= section for an offer. */
export function buildOfferedMedia(
  local: LocalMedia,
  direction: Direction,
  options: { previous?: MediaDescription; mid?: string },
): MediaDescription {
  const { codecs, telephoneEvent } = assignPayloadTypes(local, options.previous);
  const all = telephoneEvent ? [...codecs, telephoneEvent] : codecs;
  const attrs: Attribute[] = [];
  const mid = local.mid ?? options.mid;
  if (mid !== undefined) attrs.push({ kind: 'mid', value: mid });
  for (const c of all) pushFormat(attrs, c);
  pushTrailer(attrs, local, local.rtcpMux === true, direction);
  return {
    media: 'audio',
    port: local.port,
    proto: local.proto ?? 'RTP/AVP',
    formats: all.map((c) => String(c.payloadType)),
    connections: [],
    bandwidths: [],
    attributes: attrs,
  };
}

/** RFC 3264 §6: a rejected stream is answered with port 0 and otherwise the offer's type and proto. */
export function rejectedMedia(offered: MediaDescription): MediaDescription {
  const md: MediaDescription = {
    media: offered.media,
    port: 0,
    proto: offered.proto,
    formats: offered.formats.length > 0 ? [offered.formats[0] as string] : [],
    connections: [],
    bandwidths: [],
    attributes: [],
  };
  const mid = findAttribute(offered.attributes, 'mid');
  if (mid) md.attributes.push({ ...mid });
  return md;
}

/** What an answer to this offered stream can contain: the common codecs, in the offerer's order. */
export interface AnswerPlan {
  codecs: RtpCodec[];
  telephoneEvent?: RtpCodec;
}

/**
 * RFC 3264 §6.1: the formats of the offer we also support, in the offer's order and with the
 * offer's payload type numbers ("the answerer ... SHOULD use the same payload type numbers").
 * Undefined when the stream cannot be accepted: not audio, another proto, port 0, or no
 * primary codec in common.
 */
export function planAnswer(offered: MediaDescription, local: LocalMedia): AnswerPlan | undefined {
  if (offered.media.toLowerCase() !== 'audio' || offered.port === 0) return undefined;
  if (offered.proto.toUpperCase() !== (local.proto ?? 'RTP/AVP').toUpperCase()) return undefined;
  const te = telephoneEventOf(local);
  const codecs: RtpCodec[] = [];
  let telephoneEvent: RtpCodec | undefined;
  for (const c of codecsOf(offered)) {
    if (isTelephoneEvent(c)) {
      if (!te || telephoneEvent || c.clockRate !== te.clockRate) continue;
      const ours = parseEventList(te.events) ?? new Set<number>();
      const theirs = parseEventList(c.fmtp) ?? new Set<number>();
      const common = new Set([...ours].filter((e) => theirs.has(e)));
      if (common.size === 0) continue;
      telephoneEvent = { ...c, fmtp: formatEventList(common) };
      continue;
    }
    const cap = local.codecs.find((l) => sameCodec(l, c));
    if (!cap || codecs.some((x) => sameCodec(x, c))) continue;
    const chosen: RtpCodec = { payloadType: c.payloadType, name: c.name, clockRate: c.clockRate, channels: c.channels };
    if (cap.fmtp !== undefined) chosen.fmtp = cap.fmtp;
    codecs.push(chosen);
  }
  // Comfort noise alone in common is no codec.
  if (!codecs.some((c) => !isAuxiliary(c))) return undefined;
  const plan: AnswerPlan = { codecs };
  if (telephoneEvent) plan.telephoneEvent = telephoneEvent;
  return plan;
}

/** RFC 3264 §6.1: our audio m= section answering `offered`. */
export function buildAnsweredMedia(offered: MediaDescription, plan: AnswerPlan, local: LocalMedia, direction: Direction): MediaDescription {
  const all = plan.telephoneEvent ? [...plan.codecs, plan.telephoneEvent] : plan.codecs;
  const attrs: Attribute[] = [];
  const mid = findAttribute(offered.attributes, 'mid');
  if (mid) attrs.push({ ...mid });
  for (const c of all) pushFormat(attrs, c);
  // RFC 5761 §5.1.1: the answerer includes a=rtcp-mux only if it was offered.
  const mux = local.rtcpMux === true && findAttribute(offered.attributes, 'rtcp-mux') !== undefined;
  pushTrailer(attrs, local, mux, direction);
  return {
    media: offered.media,
    port: local.port,
    proto: offered.proto,
    formats: all.map((c) => String(c.payloadType)),
    connections: [],
    bandwidths: [],
    attributes: attrs,
  };
}

/**
 * RFC 3264 §6.1: "If a stream is offered as sendonly, the corresponding stream MUST be marked
 * as recvonly or inactive in the answer", and so on: the offer's direction mirrored, narrowed
 * by what we want (`localMask`, which hold has already narrowed).
 */
export function answerDirection(offeredDirection: Direction, localMask: Direction): Direction {
  return intersectDirections(mirrorDirection(offeredDirection), localMask);
}
