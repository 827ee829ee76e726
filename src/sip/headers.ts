/**
 * Scanners for the typed header values the stack uses that are not addresses: Via (RFC 3261
 * §20.42, RFC 3581 rport), CSeq (§20.16) and the authentication headers (§20.7, §20.27,
 * §20.28, §20.44; RFC 7616). Addresses (From, To, Contact, Route, Record-Route) live in uri.ts.
 */
import type { AuthValue, CSeq, Params, Via } from './message.js';
import type { ParseResult } from './parse-result.js';
import { scanHeaderParams, scanHost, scanPos, viaFields } from './uri.js';
import {
  codesOf, describeChar, eqLower, fail, paramName, parseDigits, parseDigitsText, quotedEndC, scanError, skipPval, skipToken,
  skipWs, unquote,
} from './scan.js';

/** Transport tokens in their usual spelling, so the common ones are not re-allocated. */
function transportToken(s: string, cs: Uint16Array, start: number, end: number): string {
  // `| 0x20` compares letters case-insensitively; the range holds token characters only.
  const c0 = cs[start]! | 0x20;
  switch (end - start) {
    case 2: if (c0 === 0x77 && (cs[start + 1]! | 0x20) === 0x73) return 'WS'; break;
    case 3: {
      const c1 = cs[start + 1]! | 0x20, c2 = cs[start + 2]! | 0x20;
      if (c0 === 0x75 && c1 === 0x64 && c2 === 0x70) return 'UDP';
      if (c0 === 0x74 && c1 === 0x63 && c2 === 0x70) return 'TCP';
      if (c0 === 0x74 && c1 === 0x6c && c2 === 0x73) return 'TLS';
      if (c0 === 0x77 && c1 === 0x73 && c2 === 0x73) return 'WSS';
      break;
    }
    case 4: if (eqLower(cs, start, end, 'sctp')) return 'SCTP'; break;
  }
  return s.slice(start, end).toUpperCase();
}

/**
 * One via-parm starting at `i`: `SIP / 2.0 / UDP host[:port] *(;param)`, LWS allowed around
 * "/" and ":" (RFC 3261 §25.1 SLASH, COLON). Stops at a top-level comma or `end` (`scanPos.i`).
 */
export function scanVia(s: string, cs: Uint16Array, i: number, end: number): Via | undefined {
  i = skipWs(cs, i, end);
  let j = skipToken(cs, i, end);
  if (j - i !== 3 || (cs[i]! | 0x20) !== 0x73 || (cs[i + 1]! | 0x20) !== 0x69 || (cs[i + 2]! | 0x20) !== 0x70) {
    return fail('Via protocol name must be "SIP"', i);
  }
  i = skipWs(cs, j, end);
  if (i >= end || cs[i]! !== 0x2f) return fail('expected "/" after "SIP" in Via', i);
  i = skipWs(cs, i + 1, end);
  j = skipToken(cs, i, end);
  if (j === i) return fail('missing protocol version in Via', i);
  i = skipWs(cs, j, end);
  if (i >= end || cs[i]! !== 0x2f) return fail('expected "/" before the transport in Via', i);
  i = skipWs(cs, i + 1, end);
  j = skipToken(cs, i, end);
  if (j === i) return fail('missing transport in Via', i);
  const transport = transportToken(s, cs, i, j);
  i = skipWs(cs, j, end);
  if (i === j) return fail('expected whitespace before the Via sent-by', i);
  j = scanHost(cs, i, end);
  if (j < 0) return undefined;
  const host = s.slice(i, j);
  i = skipWs(cs, j, end);
  let port: number | undefined;
  if (i < end && cs[i]! === 0x3a) {
    i = skipWs(cs, i + 1, end);
    j = i;
    while (j < end) {
      const c = cs[j]!;
      if (c < 0x30 || c > 0x39) break;
      j++;
    }
    const p = parseDigits(cs, i, j, 65535);
    if (p < 0) return fail('bad port in Via sent-by', i);
    port = p;
    i = j;
  }
  const params: Params = new Map();
  i = scanHeaderParams(s, cs, i, end, params, true);
  if (i < 0) return undefined;
  const via: Via = { transport, host, params };
  if (port !== undefined) via.port = port;
  const { branch, received, rport } = viaFields;
  if (branch !== undefined) {
    if (branch === null) return fail('Via branch without a value', i);
    via.branch = branch;
  }
  if (received !== undefined) {
    if (received === null) return fail('Via received without a value', i);
    via.received = received;
  }
  if (rport !== undefined) {
    if (rport === null) via.rport = true;
    else {
      const n = parseDigitsText(rport, 0, rport.length, 65535);
      if (n < 0) return fail(`bad Via rport value ${JSON.stringify(rport)}`, i);
      via.rport = n;
    }
  }
  scanPos.i = i;
  return via;
}

/** A comma-separated Via value appended to `out`. */
export function scanViaList(s: string, cs: Uint16Array, i: number, end: number, out: Via[]): boolean {
  for (;;) {
    const via = scanVia(s, cs, i, end);
    if (via === undefined) return false;
    out.push(via);
    i = scanPos.i;
    if (i >= end) return true;
    i = skipWs(cs, i + 1, end);
    if (i >= end) {
      fail('empty Via value after ","', i);
      return false;
    }
  }
}

/** Largest CSeq accepted: RFC 3261 §8.1.1.5 makes it a 32-bit unsigned integer. */
const MAX_CSEQ = 0xffffffff;

/** CSeq = 1*DIGIT LWS Method (RFC 3261 §20.16). */
export function scanCSeq(s: string, cs: Uint16Array, i: number, end: number): CSeq | undefined {
  i = skipWs(cs, i, end);
  let j = i;
  while (j < end) {
    const c = cs[j]!;
    if (c < 0x30 || c > 0x39) break;
    j++;
  }
  if (j === i) return fail('CSeq must start with a sequence number', i);
  const seq = parseDigits(cs, i, j, MAX_CSEQ);
  if (seq < 0) return fail('CSeq sequence number above 2**32-1', i);
  i = skipWs(cs, j, end);
  if (i === j) return fail('expected whitespace after the CSeq number', i);
  j = skipToken(cs, i, end);
  if (j === i) return fail('missing CSeq method', i);
  const method = s.slice(i, j);
  if (skipWs(cs, j, end) !== end) return fail(`unexpected ${describeChar(cs[j]!)} after the CSeq method`, j);
  return { seq, method };
}

/**
 * challenge / credentials: `auth-scheme LWS auth-param *(COMMA auth-param)`, param names
 * lowercased, quoted values unquoted (RFC 3261 §25.1, RFC 7616 §3.3, §3.4).
 */
export function scanAuth(s: string, cs: Uint16Array, i: number, end: number): AuthValue | undefined {
  i = skipWs(cs, i, end);
  let j = skipToken(cs, i, end);
  if (j === i) return fail('missing authentication scheme', i);
  const scheme = eqLower(cs, i, j, 'digest') ? 'Digest' : s.slice(i, j);
  i = skipWs(cs, j, end);
  if (i === j) return fail('expected whitespace after the authentication scheme', i);
  const params = new Map<string, string>();
  for (;;) {
    j = skipToken(cs, i, end);
    if (j === i) return fail('expected an authentication parameter name', i);
    const name = paramName(s, cs, i, j);
    i = skipWs(cs, j, end);
    if (i >= end || cs[i]! !== 0x3d) return fail(`expected "=" after authentication parameter "${name}"`, i);
    i = skipWs(cs, i + 1, end);
    if (i < end && cs[i]! === 0x22) {
      const qe = quotedEndC(s, cs, i, end);
      if (qe < 0) return fail(`unterminated quoted value of "${name}"`, i);
      params.set(name, unquote(s, i, qe));
      i = qe;
    } else {
      j = skipPval(cs, i, end);
      // token68-ish values (base64 with "/" and "=") are tolerated in unknown schemes.
      while (j < end && (cs[j]! === 0x2f || cs[j]! === 0x3d)) j = skipPval(cs, j + 1, end);
      if (j === i) return fail(`empty value of "${name}"`, i);
      params.set(name, s.slice(i, j));
      i = j;
    }
    i = skipWs(cs, i, end);
    if (i >= end) break;
    if (cs[i]! !== 0x2c) return fail(`unexpected ${describeChar(cs[i]!)} in authentication parameters`, i);
    i = skipWs(cs, i + 1, end);
  }
  return { scheme, params };
}

function result<T>(v: T | undefined): ParseResult<T> {
  if (v !== undefined) return { ok: true, value: v };
  return { ok: false, error: { code: 'bad-header', message: scanError.message, offset: scanError.offset } };
}

/** Parse a Via header value (one or more comma-separated via-parms). Never throws. */
export function parseVia(input: string): ParseResult<Via[]> {
  if (typeof input !== 'string') return { ok: false, error: { code: 'bad-header', message: 'not a string' } };
  const out: Via[] = [];
  return result(scanViaList(input, codesOf(input), 0, input.length, out) ? out : undefined);
}

/** Parse a CSeq header value. Never throws. */
export function parseCSeq(input: string): ParseResult<CSeq> {
  if (typeof input !== 'string') return { ok: false, error: { code: 'bad-header', message: 'not a string' } };
  return result(scanCSeq(input, codesOf(input), 0, input.length));
}

/** Parse a WWW-Authenticate, Proxy-Authenticate, Authorization or Proxy-Authorization value. */
export function parseAuthValue(input: string): ParseResult<AuthValue> {
  if (typeof input !== 'string') return { ok: false, error: { code: 'bad-header', message: 'not a string' } };
  return result(scanAuth(input, codesOf(input), 0, input.length));
}
