/**
 * Character classes and small scanners shared by the message, URI and header parsers.
 *
 * Everything works on a string, its character codes (`cs`, a Uint16Array: see `codesOf`) and
 * a `[start, end)` range, so that no header value is copied before it is known to be needed;
 * characters are read from `cs`, text is sliced from the string. Internal scanners return
 * `undefined` on failure and leave the reason in `scanError` (one module-level slot: parsing
 * is synchronous, so nothing can interleave); public functions turn that into a `ParseResult`.
 */

export const scanError = { message: '', offset: 0 };

/**
 * The character codes of `s` (`cs[i] === s.charCodeAt(i)`). The scanners read these rather
 * than `s.charCodeAt`: an element of a Uint16Array costs a few instructions where charCodeAt
 * first dispatches on the string's representation. The text is still sliced from `s`.
 */
export function codesOf(s: string): Uint16Array {
  const cs = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) cs[i] = s.charCodeAt(i);
  return cs;
}

/** Record why a scan failed; always returns undefined so callers can `return fail(...)`. */
export function fail(message: string, offset: number): undefined {
  scanError.message = message;
  scanError.offset = offset;
  return undefined;
}

/** RFC 3261 §25.1 token characters: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" */
export const TOKEN = 1;
/** Characters of a generic parameter value that is not quoted: token / host (adds "[" "]" ":"). */
export const PVAL = 2;
/** unreserved = alphanum / mark (- _ . ! ~ * ' ( )) */
export const UNRESERVED = 4;
/** Unescaped characters of a SIP URI user part: unreserved / & = + $ , ; ? / */
export const USER = 8;
/** Unescaped characters of a password: unreserved / & = + $ , */
export const PASSWORD = 16;
/** Unescaped characters of a URI parameter: unreserved / [ ] / : & + $ */
export const PARAMCHAR = 32;
/** Unescaped characters of a URI header name or value: unreserved / [ ] / ? : + $ */
export const HNV = 64;
/** Characters of a hostname, an IPv4 address (alphanum - . and, leniently, _). */
export const HOST = 128;

export const CLASS = new Uint8Array(256);
{
  const add = (chars: string, flag: number): void => {
    for (let i = 0; i < chars.length; i++) CLASS[chars.charCodeAt(i)]! |= flag;
  };
  const alnum = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  add(alnum + "-.!%*_+`'~", TOKEN | PVAL);
  add('[]:', PVAL);
  const unreserved = alnum + "-_.!~*'()";
  add(unreserved, UNRESERVED | USER | PASSWORD | PARAMCHAR | HNV);
  add('&=+$,;?/', USER);
  add('&=+$,', PASSWORD);
  add('[]/:&+$', PARAMCHAR);
  add('[]/?:+$', HNV);
  add(alnum + '-._', HOST);
}

export function isClass(ch: number, flag: number): boolean {
  return ch < 256 && (CLASS[ch]! & flag) !== 0;
}

/** SP or HTAB (folding has been collapsed to SP before the value scanners run). */
export function isWs(ch: number): boolean {
  return ch === 0x20 || ch === 0x09;
}

export function skipWs(cs: Uint16Array, i: number, end: number): number {
  while (i < end) {
    const c = cs[i]!;
    if (c !== 0x20 && c !== 0x09) break;
    i++;
  }
  return i;
}

export function trimEnd(cs: Uint16Array, start: number, end: number): number {
  while (end > start) {
    const c = cs[end - 1]!;
    if (c !== 0x20 && c !== 0x09) break;
    end--;
  }
  return end;
}

/** Index of the first `ch` in `s[start, end)`, or -1. */
export function indexIn(cs: Uint16Array, ch: number, start: number, end: number): number {
  for (let i = start; i < end; i++) if (cs[i]! === ch) return i;
  return -1;
}

/** Index just past a run of characters of `flag`. */
export function skipClass(cs: Uint16Array, i: number, end: number, flag: number): number {
  while (i < end) {
    const c = cs[i]!;
    if (c >= 256 || (CLASS[c]! & flag) === 0) break;
    i++;
  }
  return i;
}

/*
 * The hot runs of one class, with the class as three 32-bit masks (characters 0x20-0x3f,
 * 0x40-0x5f, 0x60-0x7f; no class holds anything else) written into the code, so that a
 * character costs no load from CLASS. The masks were generated from CLASS, and the block after
 * these functions checks them against it once, when the module loads.
 */

/** `skipClass(cs, i, end, TOKEN)`. */
export function skipToken(cs: Uint16Array, i: number, end: number): number {
  while (i < end) {
    const c = cs[i]!;
    const m = c < 0x20 ? 0 : c < 0x40 ? 0x03ff6ca2 : c < 0x60 ? 0x87fffffe : c < 0x80 ? 0x47ffffff : 0;
    if (((m >>> (c & 31)) & 1) === 0) break;
    i++;
  }
  return i;
}

/** `skipClass(cs, i, end, PVAL)`. */
export function skipPval(cs: Uint16Array, i: number, end: number): number {
  while (i < end) {
    const c = cs[i]!;
    const m = c < 0x20 ? 0 : c < 0x40 ? 0x07ff6ca2 : c < 0x60 ? 0xaffffffe : c < 0x80 ? 0x47ffffff : 0;
    if (((m >>> (c & 31)) & 1) === 0) break;
    i++;
  }
  return i;
}

/** `skipClass(cs, i, end, USER)`. */
export function skipUser(cs: Uint16Array, i: number, end: number): number {
  while (i < end) {
    const c = cs[i]!;
    const m = c < 0x20 ? 0 : c < 0x40 ? 0xabffffd2 : c < 0x60 ? 0x87fffffe : c < 0x80 ? 0x47fffffe : 0;
    if (((m >>> (c & 31)) & 1) === 0) break;
    i++;
  }
  return i;
}

/** `skipClass(cs, i, end, PARAMCHAR)`. */
export function skipParamchar(cs: Uint16Array, i: number, end: number): number {
  while (i < end) {
    const c = cs[i]!;
    const m = c < 0x20 ? 0 : c < 0x40 ? 0x07ffefd2 : c < 0x60 ? 0xaffffffe : c < 0x80 ? 0x47fffffe : 0;
    if (((m >>> (c & 31)) & 1) === 0) break;
    i++;
  }
  return i;
}

/** `skipClass(cs, i, end, HOST)`. */
export function skipHost(cs: Uint16Array, i: number, end: number): number {
  while (i < end) {
    const c = cs[i]!;
    const m = c < 0x20 ? 0 : c < 0x40 ? 0x03ff6000 : c < 0x60 ? 0x87fffffe : c < 0x80 ? 0x07fffffe : 0;
    if (((m >>> (c & 31)) & 1) === 0) break;
    i++;
  }
  return i;
}

{
  // The masks above must say what CLASS says (checked once at load; cheap).
  const one = new Uint16Array(1);
  const pairs: [(cs: Uint16Array, i: number, end: number) => number, number][] = [
    [skipToken, TOKEN], [skipPval, PVAL], [skipUser, USER], [skipParamchar, PARAMCHAR], [skipHost, HOST],
  ];
  for (const [skip, flag] of pairs) {
    for (let c = 0; c < 256; c++) {
      one[0] = c;
      if ((skip(one, 0, 1) === 1) !== ((CLASS[c]! & flag) !== 0)) throw new Error(`scan.ts: class mask disagrees with CLASS at ${c}`);
    }
  }
}

/** The codes of a lower-case literal, for `eqFold`. */
export function foldCodes(lit: string): Uint16Array {
  return codesOf(lit);
}

/**
 * Whether `cs[a, a + lit.length)` spells the lower-case literal `lit` (from `foldCodes`) in any
 * case, comparing each code `| 0x20`. Only for token or URI-parameter characters, among which
 * `| 0x20` maps nothing but upper-case letters onto anything else. The caller checks the length.
 */
export function eqFold(cs: Uint16Array, a: number, lit: Uint16Array): boolean {
  for (let k = 0; k < lit.length; k++) if ((cs[a + k]! | 0x20) !== lit[k]) return false;
  return true;
}

/** Case-insensitive comparison of `s[start, end)` with a lowercase ASCII literal. */
export function eqLower(cs: Uint16Array, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let c = cs[start + i]!;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * A parameter name `s[a, b)` lowercased. The names SIP messages carry all the time come back as
 * the string literal (no new string, and its hash is already computed for the Map that stores
 * it); any other name as `sliceLower` would give it.
 *
 * `s[a, b)` must be token or URI-parameter characters (TOKEN or PARAMCHAR). Each is compared as
 * `c | 0x20`, packed four to a number: among those characters `| 0x20` maps only upper-case
 * letters (onto lower case), so equal packs mean equal names, case-insensitively.
 */
const SIP_INSTANCE = foldCodes('+sip.instance');

export function paramName(s: string, cs: Uint16Array, a: number, b: number): string {
  const len = b - a;
  if (len > 0 && len <= 9) {
    let w1 = 0;
    let w2 = 0;
    let w3 = 0;
    const e1 = len < 4 ? b : a + 4;
    for (let i = a; i < e1; i++) w1 = (w1 << 8) | (cs[i]! | 0x20);
    const e2 = len < 8 ? b : a + 8;
    for (let i = a + 4; i < e2; i++) w2 = (w2 << 8) | (cs[i]! | 0x20);
    if (len === 9) w3 = cs[a + 8]! | 0x20;
    switch (len) {
      case 1:
        if (w1 === 0x71) return 'q';
        break;
      case 2:
        if (w1 === 0x6c72) return 'lr';
        if (w1 === 0x6e63) return 'nc';
        break;
      case 3:
        if (w1 === 0x746167) return 'tag';
        if (w1 === 0x757269) return 'uri';
        if (w1 === 0x716f70) return 'qop';
        if (w1 === 0x74746c) return 'ttl';
        break;
      case 4:
        if (w1 === 0x75736572) return 'user';
        break;
      case 5:
        if (w1 === 0x72706f72 && w2 === 0x74) return 'rport';
        if (w1 === 0x7265616c && w2 === 0x6d) return 'realm';
        if (w1 === 0x6e6f6e63 && w2 === 0x65) return 'nonce';
        if (w1 === 0x6d616464 && w2 === 0x72) return 'maddr';
        if (w1 === 0x7374616c && w2 === 0x65) return 'stale';
        break;
      case 6:
        if (w1 === 0x6272616e && w2 === 0x6368) return 'branch';
        if (w1 === 0x636e6f6e && w2 === 0x6365) return 'cnonce';
        if (w1 === 0x6f706171 && w2 === 0x7565) return 'opaque';
        if (w1 === 0x6d657468 && w2 === 0x6f64) return 'method';
        if (w1 === 0x646f6d61 && w2 === 0x696e) return 'domain';
        break;
      case 7:
        if (w1 === 0x65787069 && w2 === 0x726573) return 'expires';
        break;
      case 8:
        if (w1 === 0x72656365 && w2 === 0x69766564) return 'received';
        if (w1 === 0x75736572 && w2 === 0x6e616d65) return 'username';
        if (w1 === 0x72657370 && w2 === 0x6f6e7365) return 'response';
        break;
      case 9:
        if (w1 === 0x7472616e && w2 === 0x73706f72 && w3 === 0x74) return 'transport';
        if (w1 === 0x616c676f && w2 === 0x72697468 && w3 === 0x6d) return 'algorithm';
        break;
    }
  } else if (len === 13 && cs[a]! === 0x2b && eqFold(cs, a, SIP_INSTANCE)) return '+sip.instance';
  return sliceLower(s, cs, a, b);
}

/** `str` lowercased, itself when it has no ASCII upper-case letter (as `sliceLower`). */
export function lowerString(str: string): string {
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return str.toLowerCase();
  }
  return str;
}

/** `parseDigits` over `s.charCodeAt` (which gives NaN past the end of `s`). */
export function parseDigitsText(s: string, start: number, end: number, max: number): number {
  if (start >= end) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
    if (n > max) return -1;
  }
  return n;
}

/** `s[start, end)` lowercased, without a second copy when it is lowercase already. */
export function sliceLower(s: string, cs: Uint16Array, start: number, end: number): string {
  for (let i = start; i < end; i++) {
    const c = cs[i]!;
    if (c >= 0x41 && c <= 0x5a) return s.slice(start, end).toLowerCase();
  }
  return s.slice(start, end);
}

/**
 * Decimal digits `s[start, end)` as a number; -1 when empty, not all digits, or above `max`.
 * Leading zeros are allowed (RFC 4475 §3.1.1.1 sends `Max-Forwards: 0068`).
 */
export function parseDigits(cs: Uint16Array, start: number, end: number, max: number): number {
  if (start >= end) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = cs[i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
    if (n > max) return -1;
  }
  return n;
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

const utf8 = new TextDecoder('utf-8');

/**
 * Check that every character of `s[start, end)` is in `flag` or is a valid `%HH` escape, and
 * return the unescaped text (escapes decoded as UTF-8, invalid sequences as U+FFFD).
 * Returns undefined (with `scanError` set) on a character that must have been escaped.
 */
export function unescapeRange(s: string, cs: Uint16Array, start: number, end: number, flag: number, what: string): string | undefined {
  let hasEscape = false;
  for (let i = start; i < end; i++) {
    const c = cs[i]!;
    if (c === 0x25) {
      if (i + 2 >= end) return fail(`truncated %-escape in ${what}`, i);
      if (hexVal(cs[i + 1]!) < 0 || hexVal(cs[i + 2]!) < 0) {
        return fail(`bad %-escape in ${what}`, i);
      }
      hasEscape = true;
      i += 2;
    } else if (c >= 256 || (CLASS[c]! & flag) === 0) {
      return fail(`character ${describeChar(c)} not allowed in ${what}`, i);
    }
  }
  if (!hasEscape) return s.slice(start, end);
  const bytes: number[] = [];
  let ascii = true;
  for (let i = start; i < end; i++) {
    const c = cs[i]!;
    if (c === 0x25) {
      const b = hexVal(cs[i + 1]!) * 16 + hexVal(cs[i + 2]!);
      if (b >= 0x80) ascii = false;
      bytes.push(b);
      i += 2;
    } else bytes.push(c);
  }
  return ascii ? String.fromCharCode(...bytes) : utf8.decode(new Uint8Array(bytes));
}

export function describeChar(c: number): string {
  if (c >= 0x21 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  return `0x${c.toString(16).padStart(2, '0')}`;
}

/**
 * End of a quoted-string whose opening quote is at `i` (index just past the closing quote),
 * or -1 when it is not terminated before `end`. Backslash escapes the next character.
 */
export function quotedEnd(s: string, i: number, end: number): number {
  for (let j = i + 1; j < end; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x5c) j++;
    else if (c === 0x22) return j + 1;
  }
  return -1;
}

/** `quotedEnd` over the text `s` and its character codes `cs`. */
export function quotedEndC(s: string, cs: Uint16Array, i: number, end: number): number {
  // The next '"' found natively ends the string unless a backslash precedes it. The search
  // may run past `end`, but only to the next '"' of `s`, and each '"' opens at most one
  // search, so the total stays linear in the length of `s`.
  const q = s.indexOf('"', i + 1);
  if (q >= 0 && q < end && cs[q - 1]! !== 0x5c) return q + 1;
  for (let j = i + 1; j < end; j++) {
    const c = cs[j]!;
    if (c === 0x5c) j++;
    else if (c === 0x22) return j + 1;
  }
  return -1;
}

/** The content of the quoted-string `s[start, end)` (quotes included) with quoted-pairs undone. */
export function unquote(s: string, start: number, end: number): string {
  const inner = s.slice(start + 1, end - 1);
  if (inner.indexOf('\\') < 0) return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c === '\\' && i + 1 < inner.length) {
      out += inner[i + 1];
      i++;
    } else out += c;
  }
  return out;
}
