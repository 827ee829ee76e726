/**
 * Errors of the sdp layer. Bad input from the network is never thrown: parsers and the
 * negotiator return results carrying an `SdpNegotiationFailure`. Only programmer errors (an
 * offer/answer step called in the wrong state, a bad local capability) throw, as `SdpError`.
 */

export type SdpErrorCode = 'SDP_ERR_STATE' | 'SDP_ERR_INVALID_ARGUMENT';

export class SdpError extends Error {
  readonly code: SdpErrorCode;
  constructor(code: SdpErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SdpError';
    this.code = code;
  }
}

/** Why a remote offer or answer could not be used (RFC 3264 §6, §7). */
export type NegotiationErrorCode =
  /** The body does not parse as SDP; `line` names the line. */
  | 'invalid-sdp'
  /** An offer arrived while our own offer is outstanding (RFC 3261 §14.2: answer 491). */
  | 'glare'
  /** An offer arrived before the previous remote offer was answered (RFC 3261 §14.2: 500). */
  | 'offer-pending'
  /** An answer arrived when no offer of ours is outstanding. */
  | 'unexpected-answer'
  /** RFC 3264 §6: "The answer MUST contain exactly the same number of "m=" lines as the offer." */
  | 'm-line-count'
  /** An answer m= line of another media type than the offer's at the same position. */
  | 'media-mismatch'
  /** An answer lists a format that was not in our offer (RFC 3264 §6.1). */
  | 'codec-not-offered'
  /** An accepted audio stream with no codec in common. */
  | 'no-common-codec'
  /** An answer accepts a stream our offer had disabled (port 0). */
  | 'port-not-offered'
  /** An accepted stream with no c= at either level (RFC 8866 §5.7). */
  | 'missing-connection'
  /** An offer with no stream we can take (the caller answers 488 Not Acceptable Here). */
  | 'no-common-media';

export interface SdpNegotiationFailure {
  code: NegotiationErrorCode;
  message: string;
  /** 1-based SDP line, for `invalid-sdp`. */
  line?: number;
  /** Index of the m= line concerned, when there is one. */
  mediaIndex?: number;
}
