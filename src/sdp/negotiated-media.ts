/**
 * The outcome of one completed offer/answer exchange, per m= line: where to send RTP and
 * RTCP, with which codec and payload types, in which directions. This is what `media/`
 * needs to open one stream; it is computed the same way whichever side offered.
 *
 * Also the checks a remote answer must pass against our offer (RFC 3264 §6, §7).
 */
import type { Attribute, Direction, MediaDescription, SessionDescription } from './sdp.js';
import { connectionOf, directionFlags, directionFromFlags, directionOf, findAttribute, intersectDirections, mirrorDirection } from './sdp.js';
import type { RtpCodec } from './codecs.js';
import { codecsOf, isAuxiliary, isComfortNoise, isTelephoneEvent, resolveFormat, sameCodec } from './codecs.js';
import type { SdpNegotiationFailure } from './errors.js';
import { DEFAULT_PTIME } from './local-media.js';

export interface TransportAddress {
  address: string;
  rtpPort: number;
  rtcpPort: number;
  /** Where RTCP goes when a=rtcp names another address (RFC 3605); else the RTP address. */
  rtcpAddress: string;
}

export interface NegotiatedMedia {
  /** Position of the m= line. */
  index: number;
  /** `audio`, `video`, ... */
  media: string;
  mid?: string;
  /** Not in use: port 0 in the offer or the answer (RFC 3264 §6), or not a stream we handle. */
  rejected: boolean;
  /**
   * What we may do, from our side: `sendonly` means we send and do not expect to receive.
   * A remote c= of 0.0.0.0 (the RFC 2543 hold of RFC 3264 §8.4) removes sending.
   */
  direction: Direction;
  local: TransportAddress;
  remote: TransportAddress;
  /** RTP and RTCP share one port (RFC 5761): both sides listed a=rtcp-mux. */
  rtcpMux: boolean;
  /** The codec to send with: the first common primary codec in the answer, numbered as the remote wrote it. */
  sendCodec?: RtpCodec;
  /** Every common primary codec, in the remote's order and numbering (what we may send). */
  codecs: RtpCodec[];
  /** Every common primary codec in our numbering (what arriving RTP is labelled with). */
  receiveCodecs: RtpCodec[];
  /** RFC 4733 events: `payloadType` to send with, `receivePayloadType` in arriving RTP. */
  telephoneEvent?: { payloadType: number; receivePayloadType: number; clockRate: number; events: string };
  /** RFC 3389 comfort noise, when both listed CN. */
  comfortNoise?: { payloadType: number; receivePayloadType: number };
  /** Packetisation to send with: the remote's a=ptime, else 20 ms (RFC 3551 §4.5 for G.711). */
  ptime: number;
  /** The remote's a=maxptime, if any. */
  maxptime?: number;
  /** The remote m= line's attributes, verbatim, for later layers (crypto, ICE candidates). */
  remoteAttributes: Attribute[];
}

function transportOf(md: MediaDescription, sd: SessionDescription, mux: boolean): TransportAddress {
  const address = connectionOf(md, sd)?.address ?? '';
  const rtcp = findAttribute(md.attributes, 'rtcp');
  if (mux || md.port === 0) return { address, rtpPort: md.port, rtcpPort: md.port, rtcpAddress: address };
  // RFC 3605 §2.1 / RFC 3550 §11: without a=rtcp, RTCP is on the next higher port.
  return { address, rtpPort: md.port, rtcpPort: rtcp?.port ?? md.port + 1, rtcpAddress: rtcp?.address ?? address };
}

/** A format of `md`, resolved with its own rtpmap, or with `fallback`'s for the same number. */
function resolve(md: MediaDescription, format: string, fallback?: MediaDescription): RtpCodec | undefined {
  return resolveFormat(md, format) ?? (fallback ? resolveFormat(fallback, format) : undefined);
}

function remoteCodecs(remote: MediaDescription, local: MediaDescription): RtpCodec[] {
  const out: RtpCodec[] = [];
  for (const f of remote.formats) {
    const c = resolve(remote, f, local);
    if (c) out.push(c);
  }
  return out;
}

/**
 * Combine our m= line with the remote's at the same position into what the media layer
 * uses. `localMedia`/`remoteMedia` are whichever was offer and answer.
 */
export function negotiateStream(
  index: number,
  local: { sd: SessionDescription; md: MediaDescription },
  remote: { sd: SessionDescription; md: MediaDescription },
): NegotiatedMedia {
  const mux = findAttribute(local.md.attributes, 'rtcp-mux') !== undefined && findAttribute(remote.md.attributes, 'rtcp-mux') !== undefined;
  const remoteConn = connectionOf(remote.md, remote.sd);
  let direction = intersectDirections(directionOf(local.md, local.sd), mirrorDirection(directionOf(remote.md, remote.sd)));
  // RFC 3264 §8.4: "an agent MUST be capable of receiving SDP with a connection address of
  // 0.0.0.0, in which case it means that neither RTP nor RTCP should be sent to the peer."
  if (remoteConn?.address === '0.0.0.0') direction = directionFromFlags(false, directionFlags(direction).recv);

  const theirs = remoteCodecs(remote.md, local.md);
  const ours = codecsOf(local.md);
  const codecs = theirs.filter((c) => !isAuxiliary(c) && ours.some((o) => sameCodec(o, c)));
  const receiveCodecs = ours.filter((o) => !isAuxiliary(o) && theirs.some((c) => sameCodec(o, c)));
  const sendCodec = codecs[0];

  const nm: NegotiatedMedia = {
    index,
    media: remote.md.media,
    rejected: local.md.port === 0 || remote.md.port === 0 || sendCodec === undefined,
    direction,
    local: transportOf(local.md, local.sd, mux),
    remote: transportOf(remote.md, remote.sd, mux),
    rtcpMux: mux,
    codecs,
    receiveCodecs,
    ptime: findAttribute(remote.md.attributes, 'ptime')?.value ?? DEFAULT_PTIME,
    remoteAttributes: remote.md.attributes.map((a) => ({ ...a })),
  };
  if (nm.rejected) nm.direction = 'inactive';
  const mid = findAttribute(remote.md.attributes, 'mid') ?? findAttribute(local.md.attributes, 'mid');
  if (mid) nm.mid = mid.value;
  if (sendCodec) nm.sendCodec = sendCodec;
  const maxptime = findAttribute(remote.md.attributes, 'maxptime');
  if (maxptime) nm.maxptime = maxptime.value;

  // RFC 4733 §7.1.1 prefers the event clock that matches the audio codec's clock.
  const teTheirs = theirs.filter(isTelephoneEvent).filter((c) => ours.some((o) => isTelephoneEvent(o) && o.clockRate === c.clockRate));
  const te = teTheirs.find((c) => c.clockRate === sendCodec?.clockRate) ?? teTheirs[0];
  if (te) {
    const mine = ours.find((o) => isTelephoneEvent(o) && o.clockRate === te.clockRate) as RtpCodec;
    nm.telephoneEvent = { payloadType: te.payloadType, receivePayloadType: mine.payloadType, clockRate: te.clockRate, events: te.fmtp ?? mine.fmtp ?? '0-15' };
  }
  const cn = theirs.find((c) => isComfortNoise(c) && ours.some((o) => sameCodec(o, c)));
  if (cn) {
    const mine = ours.find((o) => sameCodec(o, cn)) as RtpCodec;
    nm.comfortNoise = { payloadType: cn.payloadType, receivePayloadType: mine.payloadType };
  }
  return nm;
}

/** Negotiated media for every m= line of a completed exchange. */
export function negotiateSession(local: SessionDescription, remote: SessionDescription): NegotiatedMedia[] {
  return local.media.map((md, i) => negotiateStream(i, { sd: local, md }, { sd: remote, md: remote.media[i] as MediaDescription }));
}

/**
 * RFC 3264 §6/§7: is `answer` a possible answer to our `offer`? Structural nonsense is an
 * error; a narrower direction or fewer codecs is not.
 */
export function checkAnswer(offer: SessionDescription, answer: SessionDescription): SdpNegotiationFailure | undefined {
  if (answer.media.length !== offer.media.length) {
    return {
      code: 'm-line-count',
      message: `the answer has ${answer.media.length} m= lines, the offer ${offer.media.length} (RFC 3264 §6: exactly the same number)`,
    };
  }
  for (let i = 0; i < offer.media.length; i++) {
    const o = offer.media[i] as MediaDescription;
    const a = answer.media[i] as MediaDescription;
    if (a.media.toLowerCase() !== o.media.toLowerCase()) {
      return { code: 'media-mismatch', message: `m= line ${i} is ${a.media} in the answer but ${o.media} in the offer`, mediaIndex: i };
    }
    if (a.port === 0) continue;
    if (o.port === 0) {
      return { code: 'port-not-offered', message: `m= line ${i} was disabled in the offer (port 0) but the answer accepts it`, mediaIndex: i };
    }
    if (!connectionOf(a, answer)) {
      return { code: 'missing-connection', message: `m= line ${i} has no c= line at media or session level`, mediaIndex: i };
    }
    if (!/RTP\//i.test(o.proto)) continue;
    const offered = codecsOf(o);
    let primary = 0;
    for (const f of a.formats) {
      const c = resolve(a, f, o);
      if (!c || !offered.some((x) => sameCodec(x, c))) {
        return { code: 'codec-not-offered', message: `m= line ${i}: the answer lists format ${f}${c ? ` (${c.name}/${c.clockRate})` : ''}, which the offer did not`, mediaIndex: i };
      }
      if (!isAuxiliary(c)) primary += 1;
    }
    if (primary === 0) {
      return { code: 'no-common-codec', message: `m= line ${i}: the answer accepts the stream with no codec to send audio with`, mediaIndex: i };
    }
  }
  return undefined;
}
