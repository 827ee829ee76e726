/**
 * sdp: the Session Description Protocol (RFC 8866) and the offer/answer model (RFC 3264),
 * sans-IO. Other layers import from here only.
 */
export type {
  Attribute,
  Bandwidth,
  Connection,
  Direction,
  DirectionAttribute,
  FmtpAttribute,
  MaxptimeAttribute,
  MediaDescription,
  MidAttribute,
  Origin,
  OtherAttribute,
  PtimeAttribute,
  RtcpAttribute,
  RtcpMuxAttribute,
  RtpmapAttribute,
  SessionDescription,
  Timing,
} from './sdp.js';
export {
  DIRECTIONS,
  attributeName,
  connectionOf,
  directionFlags,
  directionFromFlags,
  directionOf,
  filterAttributes,
  findAttribute,
  fmtpOf,
  intersectDirections,
  mirrorDirection,
  otherAttributes,
  rtpmapOf,
} from './sdp.js';
export type { SdpParseError, SdpParseErrorCode, SdpParseResult } from './parser.js';
export { parseConnection, parseSdp } from './parser.js';
export { serializeAttribute, serializeConnection, serializeSdp } from './serializer.js';
export type { RtpCodec } from './codecs.js';
export {
  DYNAMIC_PAYLOAD_TYPE_MAX,
  DYNAMIC_PAYLOAD_TYPE_MIN,
  STATIC_PAYLOAD_TYPES,
  codecsOf,
  formatEventList,
  isAuxiliary,
  isComfortNoise,
  isTelephoneEvent,
  parseEventList,
  resolveFormat,
  sameCodec,
  staticPayloadTypeFor,
} from './codecs.js';
export type { NegotiationErrorCode, SdpErrorCode, SdpNegotiationFailure } from './errors.js';
export { SdpError } from './errors.js';
export type { CodecCapability, LocalMedia, LocalSession, TelephoneEventCapability } from './local-media.js';
export { DEFAULT_PTIME, DEFAULT_TELEPHONE_EVENT } from './local-media.js';
export type { NegotiatedMedia, TransportAddress } from './negotiated-media.js';
export { checkAnswer, negotiateSession } from './negotiated-media.js';
export type { AnswerResult, NegotiationResult, OfferAnswerOptions, OfferAnswerState, OfferInfo, SdpInput } from './offer-answer.js';
export { OfferAnswer } from './offer-answer.js';
