/**
 * SIP message serialiser (RFC 3261 §7, §25): long header names, one header line per Via,
 * Route, Record-Route and Contact value, Content-Length written from the body's bytes, and
 * everything that must be escaped in URIs %-escaped again (values in the model are unescaped).
 */
import type { AuthValue, ContactValue, NameAddr, OtherUri, Params, SipMessage, SipUri, TelUri, Uri, Via } from './message.js';
import { canonicalHeaderName } from './message.js';
import { CLASS, HNV, PARAMCHAR, PASSWORD, PVAL, USER, quotedEnd } from './scan.js';

const utf8enc = new TextEncoder();
const utf8dec = new TextDecoder('utf-8');
const HEX = '0123456789ABCDEF';

/** `value` with every character outside `flag` written as %HH of its UTF-8 bytes. */
function escape(value: string, flag: number): string {
  let clean = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || (CLASS[c]! & flag) === 0) {
      clean = false;
      break;
    }
  }
  if (clean) return value;
  let out = '';
  for (const b of utf8enc.encode(value)) {
    if (b < 128 && (CLASS[b]! & flag) !== 0) out += String.fromCharCode(b);
    else out += '%' + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}

/** CR and LF cannot appear inside a header value; they would end the header (injection). */
function oneLine(value: string): string {
  return value.indexOf('\r') < 0 && value.indexOf('\n') < 0 ? value : value.replace(/[\r\n]+/g, ' ');
}

function quote(value: string): string {
  return '"' + oneLine(value).replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

function serializeUriParams(params: Params): string {
  let out = '';
  for (const [name, value] of params) {
    out += ';' + escape(name, PARAMCHAR);
    if (value !== null) out += '=' + escape(value, PARAMCHAR);
  }
  return out;
}

/** A host as it appears in a URI or Via: an IPv6 address gets its brackets. */
function hostText(host: string): string {
  return host.indexOf(':') >= 0 && host.charCodeAt(0) !== 0x5b ? `[${host}]` : host;
}

/** Serialise a URI, escaping user, password, parameters and headers (RFC 3261 §19.1.2). */
export function serializeUri(uri: Uri): string {
  if (uri.scheme === 'sip' || uri.scheme === 'sips') {
    const u = uri as SipUri;
    let out = u.scheme + ':';
    if (u.user !== undefined) {
      out += escape(u.user, USER);
      if (u.password !== undefined) out += ':' + escape(u.password, PASSWORD);
      out += '@';
    }
    out += hostText(u.host);
    if (u.port !== undefined) out += ':' + u.port;
    out += serializeUriParams(u.params);
    if (u.headers.size > 0) {
      let sep = '?';
      for (const [name, value] of u.headers) {
        out += sep + escape(name, HNV) + '=' + escape(value, HNV);
        sep = '&';
      }
    }
    return out;
  }
  if (uri.scheme === 'tel') {
    const t = uri as TelUri;
    return 'tel:' + t.number + serializeUriParams(t.params);
  }
  return uri.scheme + ':' + (uri as OtherUri).value;
}

/** A header parameter value: kept when it is a token, host or quoted-string, quoted otherwise. */
function paramValue(value: string): string {
  if (value.charCodeAt(0) === 0x22 && quotedEnd(value, 0, value.length) === value.length) return oneLine(value);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || (CLASS[c]! & PVAL) === 0) return quote(value);
  }
  return value.length === 0 ? '""' : value;
}

function serializeHeaderParams(params: Params): string {
  let out = '';
  for (const [name, value] of params) {
    out += ';' + name;
    if (value !== null) out += '=' + paramValue(value);
  }
  return out;
}

/** Serialise a name-addr: `"Display" <uri>;param=value` (always the bracketed form). */
export function serializeNameAddr(na: NameAddr): string {
  const dn = na.displayName !== undefined ? quote(na.displayName) + ' ' : '';
  return dn + '<' + serializeUri(na.uri) + '>' + serializeHeaderParams(na.params);
}

export function serializeVia(via: Via): string {
  let out = 'SIP/2.0/' + via.transport + ' ' + hostText(via.host);
  if (via.port !== undefined) out += ':' + via.port;
  if (via.branch !== undefined) out += ';branch=' + via.branch;
  if (via.rport !== undefined) out += via.rport === true ? ';rport' : ';rport=' + via.rport;
  if (via.received !== undefined) out += ';received=' + via.received;
  return out + serializeHeaderParams(via.params);
}

/** Parameters whose value is a token and is never quoted (RFC 7616 §3.3, §3.4; RFC 3261 §25.1). */
const TOKEN_PARAMS = new Set(['algorithm', 'stale', 'nc', 'charset', 'userhash']);

/**
 * Serialise a challenge (`kind` 'challenge': WWW-/Proxy-Authenticate) or credentials
 * ('credentials': Authorization / Proxy-Authorization). Every value is quoted except the
 * token-valued ones; `qop` is a token in credentials and a quoted list in challenges.
 */
export function serializeAuthValue(value: AuthValue, kind: 'challenge' | 'credentials'): string {
  let out = value.scheme;
  let sep = ' ';
  for (const [name, v] of value.params) {
    const bare = TOKEN_PARAMS.has(name) || (name === 'qop' && kind === 'credentials');
    out += sep + name + '=' + (bare ? oneLine(v) : quote(v));
    sep = ', ';
  }
  return out;
}

function serializeContact(c: ContactValue): string {
  return c === '*' ? '*' : serializeNameAddr(c);
}

/** Long, conventionally capitalised names for verbatim headers received in compact form. */
const LONG_NAMES: Readonly<Record<string, string>> = {
  'call-id': 'Call-ID', contact: 'Contact', from: 'From', to: 'To', via: 'Via', 'content-type': 'Content-Type',
  supported: 'Supported', subject: 'Subject', 'content-encoding': 'Content-Encoding', event: 'Event',
  'allow-events': 'Allow-Events', 'refer-to': 'Refer-To', 'referred-by': 'Referred-By',
  'session-expires': 'Session-Expires', identity: 'Identity',
};

function head(msg: SipMessage): string {
  let out = msg.type === 'request'
    ? oneLine(msg.method) + ' ' + oneLine(serializeUri(msg.uri)) + ' SIP/2.0\r\n'
    : 'SIP/2.0 ' + msg.status + ' ' + oneLine(msg.reason) + '\r\n';
  for (const v of msg.via) out += 'Via: ' + serializeVia(v) + '\r\n';
  if (msg.maxForwards !== undefined) out += 'Max-Forwards: ' + msg.maxForwards + '\r\n';
  for (const r of msg.route) out += 'Route: ' + serializeNameAddr(r) + '\r\n';
  for (const r of msg.recordRoute) out += 'Record-Route: ' + serializeNameAddr(r) + '\r\n';
  out += 'From: ' + serializeNameAddr(msg.from) + '\r\n';
  out += 'To: ' + serializeNameAddr(msg.to) + '\r\n';
  out += 'Call-ID: ' + oneLine(msg.callId) + '\r\n';
  out += 'CSeq: ' + msg.cseq.seq + ' ' + oneLine(msg.cseq.method) + '\r\n';
  for (const c of msg.contact) out += 'Contact: ' + serializeContact(c) + '\r\n';
  for (const a of msg.wwwAuthenticate) out += 'WWW-Authenticate: ' + serializeAuthValue(a, 'challenge') + '\r\n';
  for (const a of msg.proxyAuthenticate) out += 'Proxy-Authenticate: ' + serializeAuthValue(a, 'challenge') + '\r\n';
  for (const a of msg.authorization) out += 'Authorization: ' + serializeAuthValue(a, 'credentials') + '\r\n';
  for (const a of msg.proxyAuthorization) out += 'Proxy-Authorization: ' + serializeAuthValue(a, 'credentials') + '\r\n';
  for (const h of msg.headers) {
    const canonical = canonicalHeaderName(h.name);
    if (canonical === 'content-length') continue; // written from the body below
    const name = h.name.length === 1 ? (LONG_NAMES[canonical] ?? h.name) : h.name;
    out += oneLine(name) + ': ' + oneLine(h.value) + '\r\n';
  }
  if (msg.contentType !== undefined) out += 'Content-Type: ' + oneLine(msg.contentType) + '\r\n';
  return out + 'Content-Length: ' + msg.body.length + '\r\n\r\n';
}

/** The message as bytes, ready for a transport. */
export function serializeMessage(msg: SipMessage): Uint8Array {
  const h = utf8enc.encode(head(msg));
  if (msg.body.length === 0) return h;
  const out = new Uint8Array(h.length + msg.body.length);
  out.set(h, 0);
  out.set(msg.body, h.length);
  return out;
}

/** The message as text (the body decoded as UTF-8), for logs and WebSocket text frames. */
export function serializeMessageToString(msg: SipMessage): string {
  return head(msg) + (msg.body.length === 0 ? '' : utf8dec.decode(msg.body));
}
