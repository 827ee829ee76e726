/**
 * SIP message parser (RFC 3261 §7, §25), hand-written over character codes.
 *
 * The header section is split from the body in bytes (Content-Length counts bytes, §20.14)
 * and only the header section is decoded to text. Header lines are scanned in place; the
 * headers the stack uses become typed values (Via, From, To, Call-ID, CSeq, Contact,
 * Max-Forwards, Route, Record-Route, Content-Type, the authentication headers), every other
 * header is kept verbatim, in order. Folded lines (LWS continuation, §7.3.1) are collapsed.
 *
 * Parsing never throws, whatever the input: errors come back as a `SipParseError` with a
 * stable `code`. Errors found after the start line do not stop the scan, so that a request
 * whose Via, From, To, Call-ID and CSeq are readable carries them in `error.partial`: enough
 * for a UAS to answer 400 (or 505 for `bad-version`, §8.2.2 / §21.5.6).
 */
import type { AuthValue, ContactValue, CSeq, Header, NameAddr, SipMessage, SipRequest, SipResponse, Uri, Via } from './message.js';
import type { ParseResult, SipParseError, SipParseErrorCode } from './parse-result.js';
import { scanAuth, scanCSeq, scanViaList } from './headers.js';
import { scanNameAddr, scanNameAddrList, scanPos, scanUri } from './uri.js';
import { codesOf, eqFold, foldCodes, parseDigits, parseDigitsText, scanError, skipToken, skipWs, trimEnd } from './scan.js';

export type { ParseResult, SipParseError, SipParseErrorCode } from './parse-result.js';
export { parseUri, parseNameAddr, parseNameAddrList } from './uri.js';
export { parseVia, parseCSeq, parseAuthValue } from './headers.js';

export interface ParseOptions {
  /** Largest message accepted, in bytes (or characters for string input). Default 65536. */
  maxSize?: number;
}

export const DEFAULT_MAX_SIZE = 65536;

const utf8 = new TextDecoder('utf-8');
const utf8enc = new TextEncoder();
const EMPTY = new Uint8Array(0);

// Header identities, found without lowercasing the name.
const H_OTHER = 0, H_VIA = 1, H_FROM = 2, H_TO = 3, H_CALL_ID = 4, H_CSEQ = 5, H_CONTACT = 6,
  H_MAX_FORWARDS = 7, H_ROUTE = 8, H_RECORD_ROUTE = 9, H_CONTENT_TYPE = 10, H_CONTENT_LENGTH = 11,
  H_WWW_AUTHENTICATE = 12, H_PROXY_AUTHENTICATE = 13, H_AUTHORIZATION = 14, H_PROXY_AUTHORIZATION = 15;

/**
 * Which header `s[a, b)` (a run of token characters) names. Each character is compared as
 * `c | 0x20`, which among token characters maps only the upper-case letters (onto the lower
 * case ones), so the comparison is case-insensitive. Written out by hand: this runs for every
 * header line, and a generic comparison loop costs several times more here.
 */
const L_MAX_FORWARDS = foldCodes('max-forwards'), L_CONTENT_TYPE = foldCodes('content-type'),
  L_RECORD_ROUTE = foldCodes('record-route'), L_AUTHORIZATION = foldCodes('authorization'),
  L_CONTENT_LENGTH = foldCodes('content-length'), L_WWW_AUTHENTICATE = foldCodes('www-authenticate'),
  L_PROXY_AUTHENTICATE = foldCodes('proxy-authenticate'), L_PROXY_AUTHORIZATION = foldCodes('proxy-authorization');

function headerId(cs: Uint16Array, a: number, b: number): number {
  const c0 = cs[a]! | 0x20;
  switch (b - a) {
    case 1:
      switch (c0) {
        case 0x76: return H_VIA; // v
        case 0x66: return H_FROM; // f
        case 0x74: return H_TO; // t
        case 0x69: return H_CALL_ID; // i
        case 0x6d: return H_CONTACT; // m
        case 0x6c: return H_CONTENT_LENGTH; // l
        case 0x63: return H_CONTENT_TYPE; // c
      }
      return H_OTHER;
    case 2: // to
      return c0 === 0x74 && (cs[a + 1]! | 0x20) === 0x6f ? H_TO : H_OTHER;
    case 3: // via
      return c0 === 0x76 && (cs[a + 1]! | 0x20) === 0x69 && (cs[a + 2]! | 0x20) === 0x61 ? H_VIA : H_OTHER;
    case 4: // from, cseq
      if (c0 === 0x66) {
        return (cs[a + 1]! | 0x20) === 0x72 && (cs[a + 2]! | 0x20) === 0x6f && (cs[a + 3]! | 0x20) === 0x6d ? H_FROM : H_OTHER;
      }
      return c0 === 0x63 && (cs[a + 1]! | 0x20) === 0x73 && (cs[a + 2]! | 0x20) === 0x65 && (cs[a + 3]! | 0x20) === 0x71 ? H_CSEQ : H_OTHER;
    case 5: // route
      return c0 === 0x72 && (cs[a + 1]! | 0x20) === 0x6f && (cs[a + 2]! | 0x20) === 0x75 &&
        (cs[a + 3]! | 0x20) === 0x74 && (cs[a + 4]! | 0x20) === 0x65 ? H_ROUTE : H_OTHER;
    case 7: // call-id, contact
      if (c0 !== 0x63) return H_OTHER;
      if ((cs[a + 1]! | 0x20) === 0x61) {
        return (cs[a + 2]! | 0x20) === 0x6c && (cs[a + 3]! | 0x20) === 0x6c && cs[a + 4]! === 0x2d &&
          (cs[a + 5]! | 0x20) === 0x69 && (cs[a + 6]! | 0x20) === 0x64 ? H_CALL_ID : H_OTHER;
      }
      return (cs[a + 1]! | 0x20) === 0x6f && (cs[a + 2]! | 0x20) === 0x6e && (cs[a + 3]! | 0x20) === 0x74 &&
        (cs[a + 4]! | 0x20) === 0x61 && (cs[a + 5]! | 0x20) === 0x63 && (cs[a + 6]! | 0x20) === 0x74 ? H_CONTACT : H_OTHER;
    case 12: // max-forwards, content-type, record-route
      if (c0 === 0x6d) return eqFold(cs, a, L_MAX_FORWARDS) ? H_MAX_FORWARDS : H_OTHER;
      if (c0 === 0x63) return eqFold(cs, a, L_CONTENT_TYPE) ? H_CONTENT_TYPE : H_OTHER;
      return c0 === 0x72 && eqFold(cs, a, L_RECORD_ROUTE) ? H_RECORD_ROUTE : H_OTHER;
    case 13: return c0 === 0x61 && eqFold(cs, a, L_AUTHORIZATION) ? H_AUTHORIZATION : H_OTHER;
    case 14: return c0 === 0x63 && eqFold(cs, a, L_CONTENT_LENGTH) ? H_CONTENT_LENGTH : H_OTHER;
    case 16: return c0 === 0x77 && eqFold(cs, a, L_WWW_AUTHENTICATE) ? H_WWW_AUTHENTICATE : H_OTHER;
    case 18: return c0 === 0x70 && eqFold(cs, a, L_PROXY_AUTHENTICATE) ? H_PROXY_AUTHENTICATE : H_OTHER;
    case 19: return c0 === 0x70 && eqFold(cs, a, L_PROXY_AUTHORIZATION) ? H_PROXY_AUTHORIZATION : H_OTHER;
  }
  return H_OTHER;
}

/** The message under construction; typed fields stay undefined until their header is seen. */
interface Draft {
  request: boolean;
  method: string;
  uri: Uri | undefined;
  status: number;
  reason: string;
  via: Via[];
  from: NameAddr | undefined;
  to: NameAddr | undefined;
  callId: string | undefined;
  cseq: CSeq | undefined;
  maxForwards: number | undefined;
  contact: ContactValue[];
  route: NameAddr[];
  recordRoute: NameAddr[];
  contentType: string | undefined;
  contentLength: number;
  wwwAuthenticate: AuthValue[];
  proxyAuthenticate: AuthValue[];
  authorization: AuthValue[];
  proxyAuthorization: AuthValue[];
  headers: Header[];
  error: SipParseError | undefined;
  /** Offset of the header text within the input, added to error offsets. */
  base: number;
}

function setError(d: Draft, code: SipParseErrorCode, message: string, offset: number, header?: string): void {
  if (d.error !== undefined) return;
  const e: SipParseError = { code, message, offset: d.base + offset };
  if (header !== undefined) e.header = header;
  d.error = e;
}

function headerError(d: Draft, s: string, cs: Uint16Array, nameStart: number, nameEnd: number, what: string): void {
  if (d.error !== undefined) return;
  const name = s.slice(nameStart, nameEnd);
  setError(d, 'bad-header', `bad ${name} header: ${what} (at offset ${d.base + scanError.offset})`, scanError.offset, name);
}

/** One header line, name `s[a, ne)` and value `s[vs, ve)` (LWS trimmed, no CR or LF inside). */
function parseHeaderLine(d: Draft, s: string, cs: Uint16Array, a: number, ne: number, vs: number, ve: number): void {
  const id = headerId(cs, a, ne);
  switch (id) {
    case H_VIA:
      if (!scanViaList(s, cs, vs, ve, d.via)) headerError(d, s, cs, a, ne, scanError.message);
      return;
    case H_FROM:
    case H_TO: {
      const isFrom = id === H_FROM;
      if ((isFrom ? d.from : d.to) !== undefined) {
        setError(d, 'bad-header', `more than one ${isFrom ? 'From' : 'To'} header`, a, s.slice(a, ne));
        return;
      }
      const na = scanNameAddr(s, cs, vs, ve);
      if (na === undefined) headerError(d, s, cs, a, ne, scanError.message);
      else if (scanPos.i < ve) {
        scanError.offset = scanPos.i;
        headerError(d, s, cs, a, ne, 'more than one address');
      } else if (isFrom) d.from = na;
      else d.to = na;
      return;
    }
    case H_CALL_ID:
      if (d.callId !== undefined) return setError(d, 'bad-header', 'more than one Call-ID header', a, s.slice(a, ne));
      if (vs === ve) return setError(d, 'bad-header', 'empty Call-ID', vs, s.slice(a, ne));
      for (let i = vs; i < ve; i++) {
        const c = cs[i]!;
        if (c <= 0x20 || c === 0x7f) return setError(d, 'bad-header', 'Call-ID contains whitespace or a control character', i, s.slice(a, ne));
      }
      d.callId = s.slice(vs, ve);
      return;
    case H_CSEQ: {
      if (d.cseq !== undefined) return setError(d, 'bad-header', 'more than one CSeq header', a, s.slice(a, ne));
      const cseq = scanCSeq(s, cs, vs, ve);
      if (cseq === undefined) headerError(d, s, cs, a, ne, scanError.message);
      else d.cseq = cseq;
      return;
    }
    case H_CONTACT:
      if (ve - vs === 1 && cs[vs]! === 0x2a /* * */) {
        d.contact.push('*');
        return;
      }
      if (!scanNameAddrList(s, cs, vs, ve, d.contact as NameAddr[])) headerError(d, s, cs, a, ne, scanError.message);
      return;
    case H_MAX_FORWARDS: {
      if (d.maxForwards !== undefined) return setError(d, 'bad-header', 'more than one Max-Forwards header', a, s.slice(a, ne));
      // Max-Forwards = 1*DIGIT, "an integer in the range 0-255" (RFC 3261 §20.22).
      const n = parseDigits(cs, vs, ve, 255);
      if (n < 0) return setError(d, 'bad-header', `Max-Forwards must be a number from 0 to 255, got ${JSON.stringify(s.slice(vs, ve))}`, vs, s.slice(a, ne));
      d.maxForwards = n;
      return;
    }
    case H_ROUTE:
      if (!scanNameAddrList(s, cs, vs, ve, d.route)) headerError(d, s, cs, a, ne, scanError.message);
      return;
    case H_RECORD_ROUTE:
      if (!scanNameAddrList(s, cs, vs, ve, d.recordRoute)) headerError(d, s, cs, a, ne, scanError.message);
      return;
    case H_CONTENT_TYPE:
      if (d.contentType !== undefined) return setError(d, 'bad-header', 'more than one Content-Type header', a, s.slice(a, ne));
      if (vs === ve) return setError(d, 'bad-header', 'empty Content-Type', vs, s.slice(a, ne));
      d.contentType = s.slice(vs, ve);
      return;
    case H_CONTENT_LENGTH: {
      if (d.contentLength >= 0) return setError(d, 'bad-content-length', 'more than one Content-Length header', a, s.slice(a, ne));
      const n = parseDigits(cs, vs, ve, 0x7fffffff);
      if (n < 0) return setError(d, 'bad-content-length', `Content-Length must be a non-negative number, got ${JSON.stringify(s.slice(vs, ve))}`, vs, s.slice(a, ne));
      d.contentLength = n;
      return;
    }
    case H_WWW_AUTHENTICATE:
      return authLine(d, s, cs, a, ne, vs, ve, d.wwwAuthenticate);
    case H_PROXY_AUTHENTICATE:
      return authLine(d, s, cs, a, ne, vs, ve, d.proxyAuthenticate);
    case H_AUTHORIZATION:
      return authLine(d, s, cs, a, ne, vs, ve, d.authorization);
    case H_PROXY_AUTHORIZATION:
      return authLine(d, s, cs, a, ne, vs, ve, d.proxyAuthorization);
    default:
      d.headers.push({ name: s.slice(a, ne), value: s.slice(vs, ve) });
  }
}

function authLine(d: Draft, s: string, cs: Uint16Array, a: number, ne: number, vs: number, ve: number, out: AuthValue[]): void {
  const v = scanAuth(s, cs, vs, ve);
  if (v === undefined) headerError(d, s, cs, a, ne, scanError.message);
  else out.push(v);
}

/** Whether `s[a, a + 4)` is "SIP/" in any case. */
function isSipSlash(cs: Uint16Array, a: number): boolean {
  return (cs[a]! | 0x20) === 0x73 && (cs[a + 1]! | 0x20) === 0x69 &&
    (cs[a + 2]! | 0x20) === 0x70 && cs[a + 3]! === 0x2f;
}

/** Whether `s[a, b)` is a well-formed SIP-Version: "SIP" "/" 1*DIGIT "." 1*DIGIT (§25.1). */
function isVersion(cs: Uint16Array, a: number, b: number): boolean {
  if (b - a < 7 || !isSipSlash(cs, a)) return false;
  let i = a + 4;
  const d1 = i;
  while (i < b && cs[i]! >= 0x30 && cs[i]! <= 0x39) i++;
  if (i === d1 || i >= b || cs[i]! !== 0x2e) return false;
  const d2 = ++i;
  while (i < b && cs[i]! >= 0x30 && cs[i]! <= 0x39) i++;
  return i > d2 && i === b;
}

function is20(cs: Uint16Array, a: number, b: number): boolean {
  return b - a === 7 && isSipSlash(cs, a) && cs[a + 4]! === 0x32 && cs[a + 5]! === 0x2e && cs[a + 6]! === 0x30;
}

/**
 * The start line `s[0, end)`; returns false for a line that is not a SIP start line at all
 * (the message is then dropped); a wrong version or Request-URI is recorded and scanning goes on.
 */
function parseStartLine(d: Draft, s: string, cs: Uint16Array, end: number): boolean {
  if (end >= 4 && isSipSlash(cs, 0)) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    const sp = s.indexOf(' ', 0);
    if (sp < 0 || sp >= end || !isVersion(cs, 0, sp)) return startLineError(d, 'malformed SIP-Version in the status line', 0);
    let i = sp + 1;
    // Read from `s`: `i + 3` may be past the end of the line, and of the header section.
    const code = parseDigitsText(s, i, i + 3, 999);
    if (code < 100 || code > 699 || (i + 3 < end && cs[i + 3]! !== 0x20)) {
      return startLineError(d, `bad status code ${JSON.stringify(s.slice(i, Math.min(end, i + 12)))}`, i);
    }
    i += 3;
    d.request = false;
    d.status = code;
    d.reason = i < end ? s.slice(i + 1, end) : '';
    if (!is20(cs, 0, sp)) {
      setError(d, 'bad-version', `unsupported SIP version ${s.slice(0, sp)}`, 0);
      d.error!.version = s.slice(0, sp);
    }
    return true;
  }
  // Request-Line = Method SP Request-URI SP SIP-Version: exactly one SP each (RFC 4475 §3.1.2.9).
  const sp1 = s.indexOf(' ', 0);
  if (sp1 <= 0 || sp1 >= end) return startLineError(d, 'not a SIP request or status line', 0);
  if (skipToken(cs, 0, sp1) !== sp1) return startLineError(d, 'the method is not a token', 0);
  const sp2 = s.indexOf(' ', sp1 + 1);
  if (sp2 < 0 || sp2 >= end) return startLineError(d, 'the request line needs Method SP Request-URI SP SIP-Version', sp1);
  if (sp2 === sp1 + 1) return startLineError(d, 'more than one SP after the method', sp1);
  const vStart = sp2 + 1;
  if (!isVersion(cs, vStart, end)) {
    return startLineError(d, `malformed SIP-Version ${JSON.stringify(s.slice(vStart, end))} in the request line`, vStart);
  }
  d.request = true;
  d.method = s.slice(0, sp1);
  const uri = scanUri(s, cs, sp1 + 1, sp2);
  if (uri === undefined) {
    setError(d, 'bad-uri', `bad Request-URI: ${scanError.message} (at offset ${d.base + scanError.offset})`, scanError.offset);
  } else if ((uri.scheme === 'sip' || uri.scheme === 'sips') && 'headers' in uri && uri.headers.size > 0) {
    // RFC 3261 §19.1.1 (table 1): headers are not allowed in a Request-URI; RFC 4475 §3.1.2.11.
    setError(d, 'bad-uri', 'the Request-URI carries URI headers ("?..."), which RFC 3261 §19.1.1 forbids', sp1 + 1);
  } else d.uri = uri;
  if (!is20(cs, vStart, end)) {
    setError(d, 'bad-version', `unsupported SIP version ${s.slice(vStart, end)}`, vStart);
    d.error!.version = s.slice(vStart, end);
  }
  return true;
}

function startLineError(d: Draft, message: string, offset: number): false {
  setError(d, 'bad-start-line', message, offset);
  return false;
}

/** A value spanning folded lines, continuation line breaks collapsed to one SP (§7.3.1). */
function trimEndString(s: string, start: number, end: number): number {
  while (end > start) {
    const c = s.charCodeAt(end - 1);
    if (c !== 0x20 && c !== 0x09) break;
    end--;
  }
  return end;
}

function unfold(s: string, a: number, b: number): string {
  // Linear on purpose: a regex with LWS on both sides of the line break backtracks
  // quadratically on long whitespace runs (found by the fuzzer).
  let out = '';
  let from = a;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x0a && c !== 0x0d) continue;
    out += s.slice(from, trimEndString(s, from, i)) + ' ';
    let j = i + 1;
    while (j < b) {
      const d = s.charCodeAt(j);
      if (d !== 0x0a && d !== 0x0d && d !== 0x20 && d !== 0x09) break;
      j++;
    }
    from = j;
    i = j - 1;
  }
  return out + s.slice(from, b);
}

/** Scan the header lines of `s[i, limit)` (`limit` is just after the last line's LF). */
function parseHeaders(d: Draft, s: string, cs: Uint16Array, i: number, limit: number): void {
  lfNext = 0;
  while (i < limit) {
    let lf = lfFrom(s, i);
    if (lf < 0 || lf >= limit) lf = limit;
    // Continuation lines start with SP or HTAB.
    let foldedEnd = -1;
    while (lf + 1 < limit) {
      const c = cs[lf + 1]!;
      if (c !== 0x20 && c !== 0x09) break;
      let next = lfFrom(s, lf + 1);
      if (next < 0 || next >= limit) next = limit;
      foldedEnd = next;
      lf = next;
    }
    let lineEnd = lf;
    if (lineEnd > i && cs[lineEnd - 1]! === 0x0d) lineEnd--;
    if (foldedEnd < 0) parseHeaderField(d, s, cs, i, lineEnd);
    else {
      const line = unfold(s, i, lineEnd);
      const base = d.base;
      d.base += i;
      parseHeaderField(d, line, codesOf(line), 0, line.length);
      d.base = base;
    }
    i = lf + 1;
  }
}

/** One header field `s[a, b)`: name, optional LWS, colon, value. */
function parseHeaderField(d: Draft, s: string, cs: Uint16Array, a: number, b: number): void {
  const ne0 = skipToken(cs, a, b);
  const ne = ne0;
  let colon = skipWs(cs, ne0, b);
  if (ne === a || colon >= b || cs[colon]! !== 0x3a) {
    if (ne === a && a < b && (cs[a]! === 0x20 || cs[a]! === 0x09)) {
      return setError(d, 'bad-header', 'continuation line without a header before it', a);
    }
    return setError(d, 'bad-header', `malformed header line ${JSON.stringify(s.slice(a, Math.min(b, a + 40)))}: expected "name: value"`, a);
  }
  colon++;
  const vs = skipWs(cs, colon, b);
  const ve = trimEnd(cs, vs, b);
  parseHeaderLine(d, s, cs, a, ne, vs, ve);
}

/** Index of the LF that ends the header section's empty line in bytes, or -1. */
function findHeaderEndBytes(b: Uint8Array, from: number): number {
  let i = from;
  for (;;) {
    const lf = b.indexOf(10, i);
    if (lf < 0) return -1;
    const n = b[lf + 1];
    if (n === 10) return lf + 1;
    if (n === 13 && b[lf + 2] === 10) return lf + 2;
    i = lf + 1;
  }
}

/**
 * The LFs of the header section in order, as findHeaderEndString met them, so that
 * parseHeaders does not search for them again. `lfFull`: there were more than `lfs` holds,
 * and those after the last one kept are searched for again.
 */
const lfs = new Int32Array(256);
let lfCount = 0;
let lfFull = false;
/** Index in `lfs` of the first LF parseHeaders has not passed yet. */
let lfNext = 0;

/** `s.indexOf('\n', from)` for the `s` findHeaderEndString last scanned, read from `lfs`. */
function lfFrom(s: string, from: number): number {
  while (lfNext < lfCount && lfs[lfNext]! < from) lfNext++;
  if (lfNext < lfCount) return lfs[lfNext]!;
  // Every LF before the end of the header section is in `lfs` unless it was full.
  return lfFull ? s.indexOf('\n', from) : -1;
}

function findHeaderEndString(s: string, from: number): number {
  let i = from;
  lfCount = 0;
  lfFull = false;
  for (;;) {
    const lf = s.indexOf('\n', i);
    if (lf < 0) return -1;
    if (lfCount < lfs.length) lfs[lfCount++] = lf;
    else lfFull = true;
    const n = s.charCodeAt(lf + 1);
    if (n === 10) return lf + 1;
    if (n === 13 && s.charCodeAt(lf + 2) === 10) return lf + 2;
    i = lf + 1;
  }
}

/** Reused for the character codes of each message's header section (grown on demand). */
let codes = new Uint16Array(4096);
/** Scratch for the ASCII check of string input. */
let ascii = new Uint8Array(4096);

/**
 * The codes of `s[0, n)` in `codes`. From bytes that decoded one character per byte they are
 * the bytes themselves (`bytes[start, start + n)`), copied natively; a string is encoded
 * natively as UTF-8 and, when that gave one byte per character (ASCII), copied the same way.
 * Anything else is copied character by character.
 */
function headerCodes(s: string, n: number, bytes: Uint8Array | undefined, start: number): Uint16Array {
  if (codes.length < n) codes = new Uint16Array(Math.max(n, 2 * codes.length));
  if (bytes !== undefined) {
    codes.set(bytes.subarray(start, start + n));
    return codes;
  }
  if (ascii.length < n) ascii = new Uint8Array(Math.max(n, 2 * ascii.length));
  const r = utf8enc.encodeInto(n === s.length ? s : s.slice(0, n), ascii);
  if (r.read === n && r.written === n) {
    codes.set(ascii.subarray(0, n));
    return codes;
  }
  for (let i = 0; i < n; i++) codes[i] = s.charCodeAt(i);
  return codes;
}

function newDraft(base: number): Draft {
  return {
    request: true, method: '', uri: undefined, status: 0, reason: '',
    via: [], from: undefined, to: undefined, callId: undefined, cseq: undefined, maxForwards: undefined,
    contact: [], route: [], recordRoute: [], contentType: undefined, contentLength: -1,
    wwwAuthenticate: [], proxyAuthenticate: [], authorization: [], proxyAuthorization: [],
    headers: [], error: undefined, base,
  };
}

function failed(e: SipParseError): { ok: false; error: SipParseError } {
  return { ok: false, error: e };
}

/**
 * Parse one SIP message (a datagram, or one message framed from a stream). Bytes after the
 * body that Content-Length announces are discarded (RFC 3261 §18.3); a body shorter than it
 * is an error. Without Content-Length the body is the rest of the input. Never throws.
 */
export function parseMessage(input: Uint8Array | string, opts?: ParseOptions): ParseResult<SipMessage> {
  try {
    return parse(input, opts);
  } catch (e) {
    // Not reached by any input the tests and the fuzzer produce; kept so that a parser bug
    // can never turn a hostile datagram into an exception in the transport.
    return failed({ code: 'internal-error', message: `parser bug: ${String(e)}` });
  }
}

function parse(input: Uint8Array | string, opts?: ParseOptions): ParseResult<SipMessage> {
  const maxSize = opts?.maxSize ?? DEFAULT_MAX_SIZE;
  const text = typeof input === 'string' ? input : undefined;
  const bytes = input instanceof Uint8Array ? input : undefined;
  if (text === undefined && bytes === undefined) return failed({ code: 'empty', message: 'input is neither bytes nor a string' });
  const len = input.length;
  if (len > maxSize) {
    return failed({ code: 'too-large', message: `message of ${len} ${text !== undefined ? 'characters' : 'bytes'} exceeds the limit of ${maxSize}` });
  }
  // RFC 3261 §7.5: CRLFs before the start line are ignored (keep-alives on streams).
  let start = 0;
  if (text !== undefined) {
    while (start < len && (text.charCodeAt(start) === 13 || text.charCodeAt(start) === 10)) start++;
  } else {
    while (start < len && (bytes![start] === 13 || bytes![start] === 10)) start++;
  }
  if (start >= len) return failed({ code: 'empty', message: 'no message (empty or only line breaks)' });

  let s: string;
  let hdrEnd: number; // index in `s` just after the LF of the empty line ending the headers
  let bodyStart: number; // index of the first body byte (in `bytes`) or character (in `s`)
  let asciiBytes = false; // `s` is `bytes[start, ...]` one character per byte, each its code
  if (text !== undefined) {
    s = start > 0 ? text.slice(start) : text;
    const e = findHeaderEndString(s, 0);
    hdrEnd = e < 0 ? -1 : e + 1;
    bodyStart = hdrEnd;
  } else {
    // Fast path: decode everything at once; when every byte became one character (ASCII, or
    // single invalid bytes turned into U+FFFD) character offsets are byte offsets, and the
    // header end can be found with the string search. Otherwise split in bytes first.
    const whole = utf8.decode(start > 0 ? bytes!.subarray(start) : bytes);
    if (whole.length === len - start) {
      s = whole;
      // One character per byte: ASCII, or invalid bytes that became U+FFFD (whose code is
      // then not the byte: those messages take the character-by-character copy of codes).
      asciiBytes = s.indexOf('\uFFFD') < 0;
      const e = findHeaderEndString(s, 0);
      hdrEnd = e < 0 ? -1 : e + 1;
      bodyStart = e < 0 ? -1 : start + e + 1;
    } else {
      lfCount = 0;
      lfFull = true; // parseHeaders searches `s` itself
      const e = findHeaderEndBytes(bytes!, start);
      s = utf8.decode(bytes!.subarray(start, e < 0 ? len : e + 1));
      hdrEnd = e < 0 ? -1 : s.length;
      bodyStart = e < 0 ? -1 : e + 1;
    }
  }
  const d = newDraft(start);
  const limit = hdrEnd < 0 ? s.length : hdrEnd;
  // The scanners read the codes of the header section `s[0, limit)` from `cs`, never past it.
  const cs = headerCodes(s, limit, asciiBytes ? bytes : undefined, start);

  let lineLf = s.indexOf('\n');
  if (lineLf < 0 || lineLf >= limit) lineLf = limit;
  let lineEnd = lineLf;
  if (lineEnd > 0 && cs[lineEnd - 1]! === 0x0d) lineEnd--;
  if (!parseStartLine(d, s, cs, lineEnd)) return failed(d.error!);

  // The empty line that ends the headers: at `hdrEnd` its LF; the header lines end before it.
  let headersLimit = limit;
  if (hdrEnd >= 0) {
    headersLimit = hdrEnd - 1; // the empty line's LF
    if (headersLimit > 0 && cs[headersLimit - 1]! === 0x0d) headersLimit--;
  }
  if (lineLf + 1 < headersLimit) parseHeaders(d, s, cs, lineLf + 1, headersLimit);
  if (hdrEnd < 0) setError(d, 'bad-header', 'no empty line after the header section (truncated message?)', limit);

  const partialOk = d.request && d.via.length > 0 && d.from !== undefined && d.to !== undefined &&
    d.callId !== undefined && d.cseq !== undefined;
  if (d.error === undefined) {
    const missing = d.via.length === 0 ? 'Via' : d.from === undefined ? 'From' : d.to === undefined ? 'To'
      : d.callId === undefined ? 'Call-ID' : d.cseq === undefined ? 'CSeq' : undefined;
    if (missing !== undefined) {
      return failed({ code: 'missing-header', message: `mandatory header ${missing} is missing (RFC 3261 §8.1.1)`, header: missing });
    }
    // RFC 3261 §8.1.1.5: the CSeq method MUST match that of the request.
    if (d.request && d.cseq!.method !== d.method) {
      setError(d, 'bad-header', `CSeq method ${d.cseq!.method} does not match the request method ${d.method} (RFC 3261 §8.1.1.5)`, 0, 'CSeq');
    }
  }

  let body = EMPTY;
  if (d.error === undefined && bodyStart >= 0) {
    let bodyBytes: Uint8Array;
    if (bytes === undefined) {
      const rest = s.slice(bodyStart);
      bodyBytes = rest.length === 0 ? EMPTY : utf8enc.encode(rest);
    } else bodyBytes = bytes.subarray(bodyStart);
    if (d.contentLength >= 0) {
      if (d.contentLength > bodyBytes.length) {
        setError(d, 'bad-content-length', `Content-Length ${d.contentLength} is larger than the ${bodyBytes.length} body bytes received (RFC 3261 §18.3)`, limit, 'Content-Length');
      } else if (d.contentLength > 0) body = bodyBytes.slice(0, d.contentLength);
    } else if (bodyBytes.length > 0) body = bodyBytes.slice();
  }

  if (d.error !== undefined) {
    if (partialOk) {
      const partial: Partial<SipRequest> = {
        type: 'request', method: d.method, via: d.via, from: d.from, to: d.to, callId: d.callId, cseq: d.cseq,
      };
      if (d.uri !== undefined) partial.uri = d.uri;
      d.error.partial = partial;
    }
    return failed(d.error);
  }

  if (d.request) {
    const req: SipRequest = {
      type: 'request', method: d.method, uri: d.uri!,
      via: d.via, from: d.from!, to: d.to!, callId: d.callId!, cseq: d.cseq!, maxForwards: d.maxForwards,
      contact: d.contact, route: d.route, recordRoute: d.recordRoute, contentType: d.contentType,
      wwwAuthenticate: d.wwwAuthenticate, proxyAuthenticate: d.proxyAuthenticate,
      authorization: d.authorization, proxyAuthorization: d.proxyAuthorization,
      headers: d.headers, body,
    };
    return { ok: true, value: req };
  }
  const res: SipResponse = {
    type: 'response', status: d.status, reason: d.reason,
    via: d.via, from: d.from!, to: d.to!, callId: d.callId!, cseq: d.cseq!, maxForwards: d.maxForwards,
    contact: d.contact, route: d.route, recordRoute: d.recordRoute, contentType: d.contentType,
    wwwAuthenticate: d.wwwAuthenticate, proxyAuthenticate: d.proxyAuthenticate,
    authorization: d.authorization, proxyAuthorization: d.proxyAuthorization,
    headers: d.headers, body,
  };
  return { ok: true, value: res };
}
