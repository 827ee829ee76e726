/**
 * The UAS core's checks on a new request before any usage sees it (RFC 3261 §8.2), in the
 * RFC's order: method (§8.2.1), headers (§8.2.2: To tag, Request-URI, merged requests,
 * Require), content (§8.2.3). Pure: the caller says which dialogs and transactions exist.
 */
import type { Header, SipRequest } from './message.js';
import { getHeaderValues, tagOf } from './message.js';

/** Methods defined by RFC 3261 and its extensions that a SIP element may meet. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER', // RFC 3261
  'PRACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE',
]);

export interface UasCapabilities {
  /** Methods this UA handles (the Allow header). */
  allow: readonly string[];
  /** Option tags this UA supports (the Supported header; Require is checked against it). */
  supported: readonly string[];
  /** Body types this UA understands (the Accept header). */
  accept: readonly string[];
}

export type UasCheck =
  | { ok: true }
  | { ok: false; status: number; reason: string; headers: Header[] };

export interface UasContext {
  /** Whether the request's dialog (Call-ID, local tag = To tag, remote tag = From tag) exists. */
  dialogExists: (req: SipRequest) => boolean;
  /** §8.2.2.2: a request without To tag whose From tag, Call-ID and CSeq match a server
   * transaction in progress that has a different branch. */
  isMergedRequest?: (req: SipRequest) => boolean;
}

const SUPPORTED_SCHEMES = new Set(['sip', 'sips', 'tel']);

export function checkRequest(req: SipRequest, caps: UasCapabilities, ctx: UasContext): UasCheck {
  const allowHeader = { name: 'Allow', value: caps.allow.join(', ') };
  // §8.2.1: "If the UAS recognizes but does not support the method of a request, it MUST
  // generate a 405 (Method Not Allowed) response ... The UAS MUST also add an Allow header".
  // §21.5.2: 501 "is the appropriate response when a UAS does not recognize the request method".
  if (!caps.allow.includes(req.method)) {
    return KNOWN_METHODS.has(req.method)
      ? { ok: false, status: 405, reason: 'Method Not Allowed', headers: [allowHeader] }
      : { ok: false, status: 501, reason: 'Not Implemented', headers: [allowHeader] };
  }
  // Max-Forwards 0 at a UA: the request has gone as far as it may (RFC 3261 §16.3 item 2
  // gives proxies this rule; a UA applying it stops loops that reached it with no hops left).
  if (req.maxForwards === 0 && req.method !== 'ACK') {
    return { ok: false, status: 483, reason: 'Too Many Hops', headers: [] };
  }
  // §8.2.2.1: "If the Request-URI uses a scheme not supported by the UAS, it SHOULD reject
  // the request with a 416 (Unsupported URI Scheme) response."
  if (!SUPPORTED_SCHEMES.has(req.uri.scheme)) {
    return { ok: false, status: 416, reason: 'Unsupported URI Scheme', headers: [] };
  }
  // §12.2.2: a request with a To tag for a dialog that does not exist gets 481.
  if (tagOf(req.to) !== undefined && req.method !== 'ACK' && req.method !== 'CANCEL' && !ctx.dialogExists(req)) {
    return { ok: false, status: 481, reason: 'Call/Transaction Does Not Exist', headers: [] };
  }
  // §8.2.2.2 merged requests.
  if (tagOf(req.to) === undefined && ctx.isMergedRequest?.(req)) {
    return { ok: false, status: 482, reason: 'Loop Detected', headers: [] };
  }
  // §8.2.2.3: "If a UAS does not understand an option-tag listed in a Require header field,
  // it MUST respond by generating a response with status code 420 (Bad Extension). The UAS
  // MUST add an Unsupported header field". Not for ACK or CANCEL.
  if (req.method !== 'ACK' && req.method !== 'CANCEL') {
    const unsupported = getHeaderValues(req, 'require').filter((tag) => !caps.supported.includes(tag.toLowerCase()));
    if (unsupported.length > 0) {
      return { ok: false, status: 420, reason: 'Bad Extension', headers: [{ name: 'Unsupported', value: unsupported.join(', ') }] };
    }
  }
  // §8.2.3: "If a UAS does not understand the content type ... it MUST reject the request
  // with a 415 (Unsupported Media Type) response ... [listing] the types it understands".
  if (req.body.length > 0 && req.contentType !== undefined) {
    const type = req.contentType.split(';')[0]!.trim().toLowerCase();
    if (!caps.accept.includes(type)) {
      return { ok: false, status: 415, reason: 'Unsupported Media Type', headers: [{ name: 'Accept', value: caps.accept.join(', ') }] };
    }
  }
  return { ok: true };
}

/** The headers of a 200 to OPTIONS (§11.2): what this UA allows, accepts and supports. */
export function optionsHeaders(caps: UasCapabilities): Header[] {
  return [
    { name: 'Allow', value: caps.allow.join(', ') },
    { name: 'Accept', value: caps.accept.join(', ') },
    { name: 'Accept-Encoding', value: 'identity' },
    { name: 'Accept-Language', value: 'en' },
    { name: 'Supported', value: caps.supported.join(', ') },
  ];
}
