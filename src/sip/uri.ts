/**
 * SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966) and the name-addr / addr-spec forms
 * of From, To, Contact, Route and Record-Route (RFC 3261 §20.10).
 *
 * Values come out unescaped: `sip:%61lice@example.com` has user `alice`. The serialiser
 * (serializer.ts) escapes again whatever must be escaped.
 */
import type { NameAddr, OtherUri, Params, SipUri, TelUri, Uri } from './message.js';
import type { ParseResult } from './parse-result.js';
import {
  CLASS, HNV, PARAMCHAR, PASSWORD, PVAL, TOKEN, USER,
  codesOf, describeChar, fail, indexIn, lowerString, paramName, quotedEndC, scanError, skipHost, skipParamchar, skipPval,
  skipToken, skipUser, skipWs, sliceLower, trimEnd, unescapeRange, unquote, parseDigits,
} from './scan.js';

/** Where the last successful `scan*` call stopped. */
export const scanPos = { i: 0 };

function isAlpha(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ); returns the index of its colon or -1. */
function schemeEnd(cs: Uint16Array, start: number, end: number): number {
  if (start >= end || !isAlpha(cs[start]!)) return -1;
  for (let i = start + 1; i < end; i++) {
    const c = cs[i]!;
    if (c === 0x3a) return i;
    if (!(isAlpha(c) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e)) return -1;
  }
  return -1;
}

/** host = hostname / IPv4address / IPv6reference; returns the index after it or -1. */
export function scanHost(cs: Uint16Array, i: number, end: number): number {
  if (i < end && cs[i]! === 0x5b /* [ */) {
    let j = i + 1;
    for (; j < end; j++) {
      const c = cs[j]!;
      if (c === 0x5d /* ] */) break;
      const hex = (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
      if (!hex && c !== 0x3a && c !== 0x2e) {
        fail(`character ${describeChar(c)} not allowed in an IPv6 reference`, j);
        return -1;
      }
    }
    if (j >= end || j === i + 1) {
      fail('unterminated or empty IPv6 reference', i);
      return -1;
    }
    return j + 1;
  }
  const j = skipHost(cs, i, end);
  if (j === i) {
    fail(i < end ? `character ${describeChar(cs[i]!)} where a host was expected` : 'missing host', i);
    return -1;
  }
  return j;
}

/** URI parameters `;name[=value]` (escaped) into `params`; returns the index after them or -1. */
function scanUriParams(s: string, cs: Uint16Array, i: number, end: number, params: Params): number {
  while (i < end && cs[i]! === 0x3b /* ; */) {
    const start = i + 1;
    // Fast path, one pass: a name and an optional value of plain PARAMCHARs (no %-escape),
    // which is exactly what the general path below accepts without unescaping.
    const ne = skipParamchar(cs, start, end);
    if (ne > start) {
      const c = ne < end ? cs[ne]! : 0x3b;
      if (c === 0x3b || c === 0x3f) {
        params.set(paramName(s, cs, start, ne), null);
        i = ne;
        continue;
      }
      if (c === 0x3d) {
        const ve = skipParamchar(cs, ne + 1, end);
        const c2 = ve < end ? cs[ve]! : 0x3b;
        if (c2 === 0x3b || c2 === 0x3f) {
          params.set(paramName(s, cs, start, ne), s.slice(ne + 1, ve));
          i = ve;
          continue;
        }
      }
    }
    let eq = -1;
    let j = start;
    for (; j < end; j++) {
      const c = cs[j]!;
      if (c === 0x3b || c === 0x3f /* ? */) break;
      if (c === 0x3d /* = */ && eq < 0) eq = j;
    }
    const nameEnd = eq < 0 ? j : eq;
    if (nameEnd === start) {
      fail('empty URI parameter name', start);
      return -1;
    }
    const rawName = unescapeRange(s, cs, start, nameEnd, PARAMCHAR, 'a URI parameter name');
    if (rawName === undefined) return -1;
    let value: string | null = null;
    if (eq >= 0) {
      const v = unescapeRange(s, cs, eq + 1, j, PARAMCHAR, 'a URI parameter value');
      if (v === undefined) return -1;
      value = v;
    }
    params.set(lowerString(rawName), value);
    i = j;
  }
  return i;
}

/** URI headers `?name=value&...` into `headers`; returns the index after them or -1. */
function scanUriHeaders(s: string, cs: Uint16Array, i: number, end: number, headers: Map<string, string>): number {
  if (i >= end || cs[i]! !== 0x3f) return i;
  i++;
  for (;;) {
    let j = i;
    let eq = -1;
    for (; j < end; j++) {
      const c = cs[j]!;
      if (c === 0x26 /* & */) break;
      if (c === 0x3d && eq < 0) eq = j;
    }
    if (eq <= i) {
      fail('URI header without a name or "="', i);
      return -1;
    }
    const name = unescapeRange(s, cs, i, eq, HNV, 'a URI header name');
    if (name === undefined) return -1;
    const value = unescapeRange(s, cs, eq + 1, j, HNV, 'a URI header value');
    if (value === undefined) return -1;
    headers.set(name, value);
    if (j >= end) return j;
    i = j + 1;
  }
}

function scanSipUri(s: string, cs: Uint16Array, start: number, end: number, scheme: 'sip' | 'sips'): SipUri | undefined {
  // The user part is most often plain USER characters up to the "@"; when the run of them
  // stops elsewhere, the "@" (if any) is after the run, since USER excludes it.
  const run = skipUser(cs, start, end);
  if (run > start && run < end && cs[run]! === 0x40) return scanSipHost(s, cs, run + 1, end, scheme, s.slice(start, run), undefined);
  const at = run >= end ? -1 : indexIn(cs, 0x40 /* @ */, run, end);
  let user: string | undefined;
  let password: string | undefined;
  let i = start;
  if (at >= 0) {
    const colon = indexIn(cs, 0x3a /* : */, start, at);
    const userEnd = colon < 0 ? at : colon;
    if (userEnd === start) return fail('empty user part before "@"', start);
    user = unescapeRange(s, cs, start, userEnd, USER, 'the URI user part');
    if (user === undefined) return undefined;
    if (colon >= 0) {
      password = unescapeRange(s, cs, colon + 1, at, PASSWORD, 'the URI password');
      if (password === undefined) return undefined;
    }
    i = at + 1;
  }
  return scanSipHost(s, cs, i, end, scheme, user, password);
}

/** The hostport, parameters and headers of a SIP URI from `i` (after the userinfo, if any). */
function scanSipHost(s: string, cs: Uint16Array, i: number, end: number, scheme: 'sip' | 'sips', user: string | undefined, password: string | undefined): SipUri | undefined {
  const hostEnd = scanHost(cs, i, end);
  if (hostEnd < 0) return undefined;
  const host = s.slice(i, hostEnd);
  i = hostEnd;
  let port: number | undefined;
  if (i < end && cs[i]! === 0x3a) {
    let j = i + 1;
    while (j < end) {
      const c = cs[j]!;
      if (c < 0x30 || c > 0x39) break;
      j++;
    }
    const p = parseDigits(cs, i + 1, j, 65535);
    if (p < 0) return fail('bad port number', i + 1);
    port = p;
    i = j;
  }
  const params: Params = new Map();
  i = scanUriParams(s, cs, i, end, params);
  if (i < 0) return undefined;
  const headers = new Map<string, string>();
  i = scanUriHeaders(s, cs, i, end, headers);
  if (i < 0) return undefined;
  if (i !== end) return fail(`unexpected ${describeChar(cs[i]!)} in the URI`, i);
  const uri: SipUri = { scheme, host, params, headers };
  if (user !== undefined) uri.user = user;
  if (password !== undefined) uri.password = password;
  if (port !== undefined) uri.port = port;
  return uri;
}

function scanTelUri(s: string, cs: Uint16Array, start: number, end: number): TelUri | undefined {
  let semi = indexIn(cs, 0x3b /* ; */, start, end);
  if (semi < 0) semi = end;
  if (semi === start) return fail('empty telephone number', start);
  for (let i = start; i < semi; i++) {
    const c = cs[i]!;
    if (c >= 256 || (CLASS[c]! & PVAL) === 0) {
      if (c !== 0x23 /* # */ && c !== 0x28 && c !== 0x29) return fail(`character ${describeChar(c)} not allowed in a telephone number`, i);
    }
  }
  const params: Params = new Map();
  const i = scanUriParams(s, cs, semi, end, params);
  if (i < 0) return undefined;
  if (i !== end) return fail(`unexpected ${describeChar(cs[i]!)} in the tel URI`, i);
  return { scheme: 'tel', number: s.slice(start, semi), params };
}

/** The URI exactly filling `s[start, end)`; undefined with `scanError` set when it is not one. */
export function scanUri(s: string, cs: Uint16Array, start: number, end: number): Uri | undefined {
  const colon = schemeEnd(cs, start, end);
  if (colon < 0) return fail('missing or bad URI scheme', start);
  const len = colon - start;
  const c0 = cs[start]! | 0x20;
  if (c0 === 0x73 && (len === 3 || len === 4) && (cs[start + 1]! | 0x20) === 0x69 && (cs[start + 2]! | 0x20) === 0x70) {
    // The scheme is ALPHA *(ALPHA / DIGIT / "+" / "-" / "."), so `| 0x20` only folds letters.
    if (len === 3) return scanSipUri(s, cs, colon + 1, end, 'sip');
    if ((cs[start + 3]! | 0x20) === 0x73) return scanSipUri(s, cs, colon + 1, end, 'sips');
  }
  if (c0 === 0x74 && len === 3 && sliceLower(s, cs, start, colon) === 'tel') return scanTelUri(s, cs, colon + 1, end);
  if (colon + 1 >= end) return fail('empty URI after the scheme', colon + 1);
  for (let i = colon + 1; i < end; i++) {
    const c = cs[i]!;
    if (c <= 0x20 || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x7f) {
      return fail(`character ${describeChar(c)} not allowed in a URI`, i);
    }
  }
  const other: OtherUri = { scheme: sliceLower(s, cs, start, colon), value: s.slice(colon + 1, end) };
  return other;
}

/**
 * The Via parameters that become fields of `Via` (branch, received, rport): with `via` set,
 * `scanHeaderParams` leaves them here instead of in the Map (the last occurrence wins, as it
 * would in the Map), so that they are not set in the Map and deleted again.
 */
export const viaFields: { branch: string | null | undefined; received: string | null | undefined; rport: string | null | undefined } = {
  branch: undefined, received: undefined, rport: undefined,
};

/**
 * Header parameters `*( SEMI generic-param )` into `params`, names lowercased, values as
 * received (a quoted value keeps its quotes). Stops at a top-level comma or at `end`;
 * returns that index, or -1 with `scanError` set.
 */
export function scanHeaderParams(s: string, cs: Uint16Array, i: number, end: number, params: Params, via = false): number {
  if (via) viaFields.branch = viaFields.received = viaFields.rport = undefined;
  for (;;) {
    i = skipWs(cs, i, end);
    if (i >= end) return i;
    const c = cs[i]!;
    if (c === 0x2c /* , */) return i;
    if (c !== 0x3b) {
      fail(`unexpected ${describeChar(c)} where ";" or "," was expected`, i);
      return -1;
    }
    i = skipWs(cs, i + 1, end);
    const ne = skipToken(cs, i, end);
    if (ne === i) {
      fail('empty parameter name', i);
      return -1;
    }
    const name = paramName(s, cs, i, ne);
    i = skipWs(cs, ne, end);
    let value: string | null = null;
    if (i < end && cs[i]! === 0x3d) {
      i = skipWs(cs, i + 1, end);
      if (i < end && cs[i]! === 0x22) {
        const qe = quotedEndC(s, cs, i, end);
        if (qe < 0) {
          fail('unterminated quoted parameter value', i);
          return -1;
        }
        value = s.slice(i, qe);
        i = qe;
      } else {
        const ve = skipPval(cs, i, end);
        if (ve === i) {
          fail(`empty value for parameter "${name}"`, i);
          return -1;
        }
        value = s.slice(i, ve);
        i = ve;
      }
    }
    if (via) {
      // Interned names (paramName), so these are pointer comparisons.
      if (name === 'branch') {
        viaFields.branch = value;
        continue;
      }
      if (name === 'received') {
        viaFields.received = value;
        continue;
      }
      if (name === 'rport') {
        viaFields.rport = value;
        continue;
      }
    }
    params.set(name, value);
  }
}

// What the last native search for ">" found: no ">" in gtText[gtFrom, gtAt), and gtAt is the
// index of one or gtText.length. A list of "<" without ">" would otherwise search to the end
// of the message once per "<" (quadratic); with this, each character is searched once.
let gtText = '';
let gtFrom = 0;
let gtAt = 0;

/** Index of the first ">" in `s[from, end)`, or -1. */
function nextGt(s: string, cs: Uint16Array, from: number, end: number): number {
  if (!(from >= gtFrom && from <= gtAt && s === gtText)) {
    const k = s.indexOf('>', from);
    gtText = s;
    gtFrom = from;
    gtAt = k < 0 ? s.length : k;
  }
  return gtAt < end ? gtAt : -1;
}

/** True for characters of an unquoted display name: token characters and any non-ASCII. */
function isDisplayChar(c: number): boolean {
  return c >= 0x80 || (CLASS[c]! & TOKEN) !== 0;
}

/**
 * One name-addr or addr-spec with its header parameters, starting at `i`. Stops at a top-level
 * comma or `end` (index in `scanPos.i`). In an addr-spec (no angle brackets) the URI ends at
 * the first ";", "," or whitespace, and what follows are header parameters (§20.10).
 */
export function scanNameAddr(s: string, cs: Uint16Array, i: number, end: number): NameAddr | undefined {
  i = skipWs(cs, i, end);
  if (i >= end) return fail('empty address', i);
  let displayName: string | undefined;
  let c = cs[i]!;
  if (c === 0x22) {
    const qe = quotedEndC(s, cs, i, end);
    if (qe < 0) return fail('unterminated quoted display name', i);
    displayName = unquote(s, i, qe);
    i = skipWs(cs, qe, end);
    if (i >= end || cs[i]! !== 0x3c) return fail('expected "<" after the quoted display name', i);
    c = 0x3c;
  } else if (c !== 0x3c) {
    // Unquoted display name: *(token LWS) followed by "<", else this is an addr-spec.
    let j = i;
    for (;;) {
      const k = j;
      while (j < end && isDisplayChar(cs[j]!)) j++;
      if (j === k) break;
      j = skipWs(cs, j, end);
    }
    if (j < end && cs[j]! === 0x3c && j > i) {
      displayName = s.slice(i, trimEnd(cs, i, j));
      i = j;
      c = 0x3c;
    }
  }
  let uri: Uri | undefined;
  if (c === 0x3c) {
    const gt = nextGt(s, cs, i + 1, end);
    if (gt < 0) return fail('missing ">" after the URI', i);
    uri = scanUri(s, cs, i + 1, gt);
    if (uri === undefined) return undefined;
    i = gt + 1;
  } else {
    let j = i;
    while (j < end) {
      const ch = cs[j]!;
      if (ch === 0x3b || ch === 0x2c || ch === 0x20 || ch === 0x09) break;
      if (ch === 0x3f) return fail('a URI with "?" must be enclosed in "<" ">" (RFC 3261 §20.10)', j);
      j++;
    }
    uri = scanUri(s, cs, i, j);
    if (uri === undefined) return undefined;
    i = j;
  }
  const params: Params = new Map();
  i = scanHeaderParams(s, cs, i, end, params);
  if (i < 0) return undefined;
  scanPos.i = i;
  const na: NameAddr = { uri, params };
  if (displayName !== undefined) na.displayName = displayName;
  return na;
}

/** A comma-separated list of name-addrs (Contact, Route, Record-Route) appended to `out`. */
export function scanNameAddrList(s: string, cs: Uint16Array, i: number, end: number, out: NameAddr[]): boolean {
  for (;;) {
    const na = scanNameAddr(s, cs, i, end);
    if (na === undefined) return false;
    out.push(na);
    i = scanPos.i;
    if (i >= end) return true;
    i++; // the comma
    i = skipWs(cs, i, end);
    if (i >= end) {
      fail('empty value after ","', i);
      return false;
    }
  }
}

function result<T>(v: T | undefined): ParseResult<T> {
  if (v !== undefined) return { ok: true, value: v };
  return { ok: false, error: { code: 'bad-uri', message: scanError.message, offset: scanError.offset } };
}

/** Parse a URI (`sip:`, `sips:`, `tel:` or any other absolute URI). Never throws. */
export function parseUri(input: string): ParseResult<Uri> {
  if (typeof input !== 'string') return { ok: false, error: { code: 'bad-uri', message: 'not a string' } };
  return result(scanUri(input, codesOf(input), 0, input.length));
}

/**
 * Parse a From / To / Contact / Route style value: a name-addr (`"Bob" <sip:bob@b.example>;tag=1`)
 * or an addr-spec (`sip:bob@b.example;tag=1`, where `;tag=1` is a header parameter). Never throws.
 */
export function parseNameAddr(input: string): ParseResult<NameAddr> {
  if (typeof input !== 'string') return { ok: false, error: { code: 'bad-uri', message: 'not a string' } };
  const s = input;
  const na = scanNameAddr(s, codesOf(s), 0, s.length);
  if (na !== undefined && scanPos.i < s.length) {
    return { ok: false, error: { code: 'bad-uri', message: 'unexpected "," after the address', offset: scanPos.i } };
  }
  return result(na);
}

/** Parse a comma-separated list of name-addrs (a Contact, Route or Record-Route value). */
export function parseNameAddrList(input: string): ParseResult<NameAddr[]> {
  if (typeof input !== 'string') return { ok: false, error: { code: 'bad-uri', message: 'not a string' } };
  const out: NameAddr[] = [];
  return result(scanNameAddrList(input, codesOf(input), 0, input.length, out) ? out : undefined);
}
