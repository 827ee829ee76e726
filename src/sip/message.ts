/**
 * The SIP message model (RFC 3261 §7). Parsed messages, messages built by the stack and
 * messages about to be serialised all have this one shape.
 *
 * The headers the stack itself uses are parsed into typed fields (Via, From, To, Call-ID,
 * CSeq, Contact, Max-Forwards, Route, Record-Route, Content-Type, the authentication headers).
 * Every other header is kept verbatim, with its name as received, in `headers`, in order.
 * `Content-Length` is not stored: the serialiser writes it from `body`.
 *
 * Values are stored unescaped (a URI user `%40` is `@` here); the serialiser escapes.
 */

/** Parameters (`;name=value` or `;name`), names lowercased, values as received; order kept. */
export type Params = Map<string, string | null>;

export interface SipUri {
  readonly scheme: 'sip' | 'sips';
  user?: string;
  password?: string;
  /** A hostname, an IPv4 address, or an IPv6 reference with its brackets (`[::1]`). */
  host: string;
  port?: number;
  params: Params;
  /** URI headers (`?subject=x&priority=urgent`), unescaped. */
  headers: Map<string, string>;
}

/** RFC 3966 tel: URI. */
export interface TelUri {
  readonly scheme: 'tel';
  /** The telephone-subscriber part, e.g. `+1-201-555-0123` or `7042`. */
  number: string;
  params: Params;
}

/** Any other absolute URI (`urn:`, `http:`, `mailto:`), kept as text after the colon. */
export interface OtherUri {
  readonly scheme: string;
  value: string;
}

export type Uri = SipUri | TelUri | OtherUri;

export function isSipUri(uri: Uri): uri is SipUri {
  return uri.scheme === 'sip' || uri.scheme === 'sips';
}
export function isTelUri(uri: Uri): uri is TelUri {
  return uri.scheme === 'tel';
}

/** name-addr or addr-spec with header parameters (From, To, Contact, Route, Record-Route). */
export interface NameAddr {
  /** Unquoted display name; undefined when there is none. */
  displayName?: string;
  uri: Uri;
  /** Header parameters after the URI (tag, expires, q, +sip.instance, lr lives in the URI). */
  params: Params;
}

/** Contact header values: name-addrs, or the single `*` of a REGISTER that removes all. */
export type ContactValue = NameAddr | '*';

export interface Via {
  /** Uppercase transport token: UDP, TCP, TLS, SCTP, WS, WSS. */
  transport: string;
  /** sent-by host (brackets kept for IPv6). */
  host: string;
  port?: number;
  branch?: string;
  /** RFC 3261 §18.2.1 received= */
  received?: string;
  /** RFC 3581 rport: `true` for a bare `;rport`, a number once filled in. */
  rport?: number | true;
  /** Every other Via parameter (maddr, ttl, alias, keep, ...). */
  params: Params;
}

export interface CSeq {
  seq: number;
  method: string;
}

/** WWW-Authenticate / Proxy-Authenticate (challenges) and Authorization / Proxy-Authorization
 * (credentials). Parameter names lowercased, values unquoted. */
export interface AuthValue {
  scheme: string;
  params: Map<string, string>;
}

/** A header kept verbatim: the name as received, the value with folding collapsed. */
export interface Header {
  name: string;
  value: string;
}

interface MessageCommon {
  via: Via[];
  from: NameAddr;
  to: NameAddr;
  callId: string;
  cseq: CSeq;
  maxForwards?: number;
  contact: ContactValue[];
  route: NameAddr[];
  recordRoute: NameAddr[];
  contentType?: string;
  wwwAuthenticate: AuthValue[];
  proxyAuthenticate: AuthValue[];
  authorization: AuthValue[];
  proxyAuthorization: AuthValue[];
  /** All other headers, verbatim, in order. */
  headers: Header[];
  body: Uint8Array;
}

export interface SipRequest extends MessageCommon {
  readonly type: 'request';
  method: string;
  uri: Uri;
}

export interface SipResponse extends MessageCommon {
  readonly type: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/** Compact forms of RFC 3261 §7.3.3 and the extensions named in the IANA registry. */
export const COMPACT_FORMS: Readonly<Record<string, string>> = {
  i: 'call-id',
  m: 'contact',
  f: 'from',
  t: 'to',
  v: 'via',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  s: 'subject',
  e: 'content-encoding',
  o: 'event',
  u: 'allow-events',
  r: 'refer-to',
  b: 'referred-by',
  x: 'session-expires',
  y: 'identity',
};

/** Lowercased long form of a header name (`i` → `call-id`, `Call-ID` → `call-id`). */
export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT_FORMS[lower] ?? lower;
}

/** First value of a verbatim header, by any spelling of its name; undefined when absent. */
export function getHeader(msg: MessageCommon, name: string): string | undefined {
  const want = canonicalHeaderName(name);
  for (const h of msg.headers) if (canonicalHeaderName(h.name) === want) return h.value;
  return undefined;
}

/**
 * All values of a verbatim header, with comma-separated lists split (RFC 3261 §7.3.1), commas
 * inside quoted strings and angle brackets respected, surrounding whitespace trimmed.
 */
export function getHeaderValues(msg: MessageCommon, name: string): string[] {
  const want = canonicalHeaderName(name);
  const out: string[] = [];
  for (const h of msg.headers) {
    if (canonicalHeaderName(h.name) === want) out.push(...splitCommaList(h.value));
  }
  return out;
}

/** Set (replace every occurrence of) a verbatim header; `undefined` removes it. */
export function setHeader(msg: MessageCommon, name: string, value: string | undefined): void {
  const want = canonicalHeaderName(name);
  msg.headers = msg.headers.filter((h) => canonicalHeaderName(h.name) !== want);
  if (value !== undefined) msg.headers.push({ name, value });
}

/** Split a header value at top-level commas (not inside "..." or <...>). */
export function splitCommaList(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value.charCodeAt(i);
    if (inQuote) {
      if (ch === 0x5c /* \ */) i++;
      else if (ch === 0x22 /* " */) inQuote = false;
    } else if (ch === 0x22) inQuote = true;
    else if (ch === 0x3c /* < */) inAngle = true;
    else if (ch === 0x3e /* > */) inAngle = false;
    else if (ch === 0x2c /* , */ && !inAngle) {
      const part = value.slice(start, i).trim();
      if (part) out.push(part);
      start = i + 1;
    }
  }
  const last = value.slice(start).trim();
  if (last) out.push(last);
  return out;
}

/** The tag parameter of a From or To. */
export function tagOf(addr: NameAddr): string | undefined {
  return addr.params.get('tag') ?? undefined;
}

const EMPTY = new Uint8Array(0);

/** Fields a caller gives to build a request from scratch; the rest get empty defaults. */
export interface RequestInit {
  method: string;
  uri: Uri;
  via?: Via[];
  from: NameAddr;
  to: NameAddr;
  callId: string;
  cseq: CSeq;
  maxForwards?: number;
  contact?: ContactValue[];
  route?: NameAddr[];
  contentType?: string;
  headers?: Header[];
  body?: Uint8Array;
}

export function createRequest(init: RequestInit): SipRequest {
  return {
    type: 'request',
    method: init.method,
    uri: init.uri,
    via: init.via ?? [],
    from: init.from,
    to: init.to,
    callId: init.callId,
    cseq: init.cseq,
    maxForwards: init.maxForwards ?? 70,
    contact: init.contact ?? [],
    route: init.route ?? [],
    recordRoute: [],
    contentType: init.contentType,
    wwwAuthenticate: [],
    proxyAuthenticate: [],
    authorization: [],
    proxyAuthorization: [],
    headers: init.headers ?? [],
    body: init.body ?? EMPTY,
  };
}

/**
 * A response to `request` per RFC 3261 §8.2.6.2: Via, From, Call-ID and CSeq copied, To
 * copied with `toTag` added when the request's To has none (never for 100 Trying), and for
 * responses to requests that create dialogs, Record-Route copied (§12.1.1).
 */
export function createResponse(
  request: SipRequest,
  status: number,
  reason: string = defaultReason(status),
  opts: { toTag?: string; headers?: Header[]; contact?: ContactValue[]; contentType?: string; body?: Uint8Array } = {},
): SipResponse {
  const to: NameAddr = { ...request.to, params: new Map(request.to.params) };
  if (status > 100 && opts.toTag !== undefined && !to.params.has('tag')) to.params.set('tag', opts.toTag);
  return {
    type: 'response',
    status,
    reason,
    via: request.via.map((v) => ({ ...v, params: new Map(v.params) })),
    from: request.from,
    to,
    callId: request.callId,
    cseq: { ...request.cseq },
    contact: opts.contact ?? [],
    route: [],
    recordRoute: request.method === 'INVITE' || request.method === 'SUBSCRIBE' || request.method === 'REFER'
      ? request.recordRoute.slice()
      : [],
    contentType: opts.contentType,
    wwwAuthenticate: [],
    proxyAuthenticate: [],
    authorization: [],
    proxyAuthorization: [],
    headers: opts.headers ?? [],
    body: opts.body ?? EMPTY,
  };
}

const REASONS: Readonly<Record<number, string>> = {
  100: 'Trying', 180: 'Ringing', 181: 'Call Is Being Forwarded', 182: 'Queued', 183: 'Session Progress',
  200: 'OK', 202: 'Accepted', 204: 'No Notification',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Moved Temporarily', 305: 'Use Proxy', 380: 'Alternative Service',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout',
  410: 'Gone', 413: 'Request Entity Too Large', 414: 'Request-URI Too Long', 415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme', 420: 'Bad Extension', 421: 'Extension Required', 423: 'Interval Too Brief',
  480: 'Temporarily Unavailable', 481: 'Call/Transaction Does Not Exist', 482: 'Loop Detected', 483: 'Too Many Hops',
  484: 'Address Incomplete', 485: 'Ambiguous', 486: 'Busy Here', 487: 'Request Terminated', 488: 'Not Acceptable Here',
  489: 'Bad Event', 491: 'Request Pending', 493: 'Undecipherable',
  500: 'Server Internal Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Server Time-out', 505: 'Version Not Supported', 513: 'Message Too Large',
  600: 'Busy Everywhere', 603: 'Decline', 604: 'Does Not Exist Anywhere', 606: 'Not Acceptable',
};

export function defaultReason(status: number): string {
  return REASONS[status] ?? (status < 200 ? 'Provisional' : status < 300 ? 'Success' : 'Failure');
}
