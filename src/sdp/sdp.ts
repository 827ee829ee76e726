/**
 * The SDP model (RFC 8866). A parsed description, a description built by the negotiator and
 * a description about to be serialised all have this one shape.
 *
 * Attributes stay in one ordered list per level, so a description serialises back in the
 * order it was received. The attributes the stack uses are parsed into typed variants
 * (rtpmap, fmtp, ptime, maxptime, the four direction flags, rtcp, rtcp-mux, mid); every
 * other one (crypto, ICE, fingerprint, extmap, ...) is kept verbatim as `{ kind: 'other' }`.
 *
 * Numbers that can exceed 2^53 (o= session id and version, t= NTP times) are kept as the
 * decimal strings that were received.
 */

/** RFC 8866 §6.7 / RFC 3264 §5.1: the four media direction attributes. */
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export const DIRECTIONS: readonly Direction[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

/** o= (RFC 8866 §5.2). */
export interface Origin {
  username: string;
  /** Decimal digits; may exceed 2^53. */
  sessionId: string;
  /** Decimal digits; may exceed 2^53. */
  sessionVersion: string;
  netType: string;
  addrType: string;
  address: string;
}

/** c= (RFC 8866 §5.7): `IN IP4 224.2.1.1/127/3` is address, ttl 127, 3 addresses. */
export interface Connection {
  netType: string;
  addrType: string;
  address: string;
  /** IP4 multicast only. */
  ttl?: number;
  numberOfAddresses?: number;
}

/** b= (RFC 8866 §5.8), e.g. `AS:64`, `TIAS:64000`. */
export interface Bandwidth {
  type: string;
  value: number;
}

/** t= with the r= lines that follow it (RFC 8866 §5.9, §5.10). */
export interface Timing {
  /** NTP seconds as decimal text; `0` means unbounded. */
  start: string;
  stop: string;
  /** r= values, verbatim. */
  repeats: string[];
}

/** a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>] (§6.6). */
export interface RtpmapAttribute {
  kind: 'rtpmap';
  payloadType: number;
  encodingName: string;
  clockRate: number;
  /** Audio channels (the encoding parameters); absent means 1. */
  channels?: number;
}

/** a=fmtp:<format> <format specific parameters> (§6.15), parameters verbatim. */
export interface FmtpAttribute {
  kind: 'fmtp';
  format: string;
  parameters: string;
}

export interface PtimeAttribute {
  kind: 'ptime';
  /** Milliseconds; RFC 8866 allows fractions (`a=ptime:22.5`). */
  value: number;
}

export interface MaxptimeAttribute {
  kind: 'maxptime';
  value: number;
}

export interface DirectionAttribute {
  kind: 'direction';
  value: Direction;
}

/** RFC 3605: a=rtcp:<port> [<nettype> <addrtype> <connection-address>]. */
export interface RtcpAttribute {
  kind: 'rtcp';
  port: number;
  netType?: string;
  addrType?: string;
  address?: string;
}

/** RFC 5761 §5.1.1: a=rtcp-mux. */
export interface RtcpMuxAttribute {
  kind: 'rtcp-mux';
}

/** RFC 5888: a=mid:<identification-tag>. */
export interface MidAttribute {
  kind: 'mid';
  value: string;
}

/** Any other attribute, verbatim: `a=<name>` (value undefined) or `a=<name>:<value>`. */
export interface OtherAttribute {
  kind: 'other';
  name: string;
  value?: string;
}

export type Attribute =
  | RtpmapAttribute
  | FmtpAttribute
  | PtimeAttribute
  | MaxptimeAttribute
  | DirectionAttribute
  | RtcpAttribute
  | RtcpMuxAttribute
  | MidAttribute
  | OtherAttribute;

/** One m= section (RFC 8866 §5.14) with its media-level lines. */
export interface MediaDescription {
  /** `audio`, `video`, `text`, `application`, `message`, or anything else received. */
  media: string;
  /** 0 rejects or disables the stream (RFC 3264 §6). */
  port: number;
  /** `m=video 49170/2 ...`: the number of ports. */
  portCount?: number;
  /** `RTP/AVP`, `RTP/SAVP`, `UDP/TLS/RTP/SAVPF`, ... */
  proto: string;
  /** Formats in preference order; RTP payload type numbers as text for RTP protos. */
  formats: string[];
  information?: string;
  /** Media-level c= lines (several are allowed for layered multicast). */
  connections: Connection[];
  bandwidths: Bandwidth[];
  /** k= (obsolete), verbatim. */
  key?: string;
  attributes: Attribute[];
}

/** A whole session description (RFC 8866 §5). */
export interface SessionDescription {
  /** v= (always 0). */
  version: number;
  origin: Origin;
  sessionName: string;
  information?: string;
  uri?: string;
  emails: string[];
  phones: string[];
  connection?: Connection;
  bandwidths: Bandwidth[];
  timing: Timing[];
  /** z= value, verbatim. */
  timeZones?: string;
  /** k= (obsolete), verbatim. */
  key?: string;
  attributes: Attribute[];
  media: MediaDescription[];
}

/** The name an attribute has on the wire (`a=<name>...`). */
export function attributeName(attr: Attribute): string {
  switch (attr.kind) {
    case 'direction':
      return attr.value;
    case 'other':
      return attr.name;
    default:
      return attr.kind;
  }
}

export function findAttribute<K extends Attribute['kind']>(
  attrs: readonly Attribute[],
  kind: K,
): Extract<Attribute, { kind: K }> | undefined {
  return attrs.find((a): a is Extract<Attribute, { kind: K }> => a.kind === kind);
}

export function filterAttributes<K extends Attribute['kind']>(
  attrs: readonly Attribute[],
  kind: K,
): Extract<Attribute, { kind: K }>[] {
  return attrs.filter((a): a is Extract<Attribute, { kind: K }> => a.kind === kind);
}

/** Verbatim attributes with this name (e.g. all `a=crypto` or `a=candidate` lines). */
export function otherAttributes(attrs: readonly Attribute[], name: string): OtherAttribute[] {
  const lower = name.toLowerCase();
  return attrs.filter((a): a is OtherAttribute => a.kind === 'other' && a.name.toLowerCase() === lower);
}

export function rtpmapOf(media: MediaDescription, payloadType: number): RtpmapAttribute | undefined {
  return filterAttributes(media.attributes, 'rtpmap').find((a) => a.payloadType === payloadType);
}

export function fmtpOf(media: MediaDescription, format: string): string | undefined {
  return filterAttributes(media.attributes, 'fmtp').find((a) => a.format === format)?.parameters;
}

/**
 * The direction in effect for a stream: RFC 8866 §6.7 "If not specified at all, sendrecv
 * SHALL be assumed"; a media-level attribute overrides the session-level one.
 */
export function directionOf(media: MediaDescription, session?: SessionDescription): Direction {
  return (
    findAttribute(media.attributes, 'direction')?.value ??
    (session ? findAttribute(session.attributes, 'direction')?.value : undefined) ??
    'sendrecv'
  );
}

/** RFC 8866 §5.7: the media-level c= if present, otherwise the session-level one. */
export function connectionOf(media: MediaDescription, session: SessionDescription): Connection | undefined {
  return media.connections[0] ?? session.connection;
}

/** Direction as a pair of flags, seen from the side that wrote the SDP. */
export function directionFlags(dir: Direction): { send: boolean; recv: boolean } {
  return { send: dir === 'sendrecv' || dir === 'sendonly', recv: dir === 'sendrecv' || dir === 'recvonly' };
}

export function directionFromFlags(send: boolean, recv: boolean): Direction {
  if (send && recv) return 'sendrecv';
  if (send) return 'sendonly';
  if (recv) return 'recvonly';
  return 'inactive';
}

/** The other side's view: RFC 3264 §6.1 sendonly ↔ recvonly, sendrecv and inactive stay. */
export function mirrorDirection(dir: Direction): Direction {
  const f = directionFlags(dir);
  return directionFromFlags(f.recv, f.send);
}

/** Both directions allow it: `intersectDirections('sendrecv', 'sendonly')` is sendonly. */
export function intersectDirections(a: Direction, b: Direction): Direction {
  const fa = directionFlags(a);
  const fb = directionFlags(b);
  return directionFromFlags(fa.send && fb.send, fa.recv && fb.recv);
}
