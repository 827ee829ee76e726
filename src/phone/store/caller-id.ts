/**
 * Normalising what identifies a caller, so that a contact's "+1 (555) 123-4567" is found from
 * an INVITE's `sip:+15551234567@pbx;user=phone`, and text search ignores case and accents.
 *
 * The matching rule (used by `Contacts.resolveCaller`), strongest first:
 *
 * 1. **Address**: a SIP URI whose user part is not a number (`sip:alice@example.com`) matches a
 *    contact URI with the same `user@host`, compared case-insensitively (RFC 3261 §19.1.4 makes
 *    the user part case-sensitive, but no person stores "Alice" and "alice" as two contacts),
 *    ignoring the scheme (sip/sips), port, URI parameters and headers.
 * 2. **Number**: anything whose user part is a number, after removing the visual separators
 *    space, `-`, `.`, `(`, `)` and `/` (RFC 3966 §5.1.1 lists `-`, `.`, `(`, `)`): a bare number,
 *    a `tel:` URI, or a `sip:`/`sips:` URI with a numeric user (`sip:5551234567@pbx` is the
 *    number 5551234567, whatever the host). Numbers match when their digits are equal, with
 *    or without a leading `+`: `+1 (555) 123-4567` == `+15551234567` == `15551234567`.
 * 3. **Suffix** (fallback, numbers only): when both numbers have at least
 *    `MIN_SUFFIX_DIGITS` (7) digits, they match when their last min(`SUFFIX_DIGITS` (9),
 *    length a, length b) digits are equal. This absorbs what a PBX adds or drops in front of a
 *    number: a country code (`+15551234567` vs `5551234567`), a trunk prefix (`+44 20 7946 0958`
 *    vs `020 7946 0958`), an international prefix (`0044…`), an outside-line digit (`9…`).
 *    Numbers shorter than 7 digits (extensions such as `201`) only ever match exactly. The
 *    price is a possible false match between two numbers that differ only in a country or
 *    area code; an exact match always wins over a suffix match.
 *
 * Within a tier, the longest common suffix wins, then a favourite, then the oldest contact.
 */

export const MIN_SUFFIX_DIGITS = 7;
export const SUFFIX_DIGITS = 9;

/** What a caller string identifies: a phone number (digits, no '+') or a `user@host` address. */
export type CallerKey = { kind: 'number'; digits: string; international: boolean } | { kind: 'address'; address: string };

const VISUAL_SEPARATORS = /[\s\-.()/\u00a0]/g;

/** `+1 (555) 123-4567` → `{ digits: '15551234567', international: true }`; not a number → null. */
export function parseNumber(text: string): { digits: string; international: boolean } | null {
  const compact = text.replace(VISUAL_SEPARATORS, '');
  const m = /^(\+?)(\d+)$/.exec(compact);
  if (!m || m[2] === undefined) return null;
  return { digits: m[2], international: m[1] === '+' };
}

function percentDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Reads a caller string: a bare number, `user@host`, a `sip:`/`sips:`/`tel:` URI, or a name-addr
 * (`"Alice" <sip:alice@example.com>;tag=x`). Returns null when it names neither a number nor
 * an address (empty, or a bare word).
 */
export function parseCaller(input: string): CallerKey | null {
  let text = input.trim();
  const angle = /<([^>]*)>/.exec(text);
  if (angle?.[1] !== undefined) text = angle[1].trim();
  const scheme = /^(sips?|tel):/i.exec(text);
  if (scheme?.[1]?.toLowerCase() === 'tel') {
    const n = parseNumber(percentDecode(text.slice(4).split(';')[0] ?? ''));
    return n ? { kind: 'number', ...n } : null;
  }
  if (scheme) text = text.slice(scheme[0].length);
  const at = text.indexOf('@');
  if (at < 0) {
    // A bare number, or a sip: URI without a user part (sip:example.com), or a word.
    const n = parseNumber(percentDecode(text.split(';')[0] ?? ''));
    return n ? { kind: 'number', ...n } : null;
  }
  const user = percentDecode((text.slice(0, at).split(';')[0] ?? '').split(':')[0] ?? '');
  const host = (text.slice(at + 1).split(/[;?>]/)[0] ?? '').replace(/:\d+$/, '').toLowerCase();
  const n = parseNumber(user);
  if (n) return { kind: 'number', ...n };
  if (user === '' || host === '') return null;
  return { kind: 'address', address: `${user.toLowerCase()}@${host}` };
}

/** The columns stored beside a contact number so resolveCaller can use indexes. */
export interface NumberKeys {
  /** All digits, no '+'; null when the value is not a number. */
  digits: string | null;
  /** The last MIN_SUFFIX_DIGITS digits, when there are at least that many. */
  tail: string | null;
  /** `user@host` lowercased, for a URI with a non-numeric user. */
  address: string | null;
}

export function numberKeys(value: string): NumberKeys {
  const key = parseCaller(value);
  if (!key) return { digits: null, tail: null, address: null };
  if (key.kind === 'address') return { digits: null, tail: null, address: key.address };
  return { digits: key.digits, tail: tailOf(key.digits), address: null };
}

export function tailOf(digits: string): string | null {
  return digits.length >= MIN_SUFFIX_DIGITS ? digits.slice(-MIN_SUFFIX_DIGITS) : null;
}

/**
 * The length of the suffix rule's comparison when two digit strings match by rule 3, or 0.
 * (Equal digit strings are rule 2 and are handled before this.)
 */
export function suffixMatchLength(a: string, b: string): number {
  const n = Math.min(SUFFIX_DIGITS, a.length, b.length);
  if (n < MIN_SUFFIX_DIGITS) return 0;
  return a.slice(-n) === b.slice(-n) ? n : 0;
}

/**
 * Text folded for search: Unicode compatibility decomposition, combining marks removed,
 * lower case. "Zoë Åström" → "zoe astrom". Letters that do not decompose (ø, ł, ß) are kept.
 */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The searchable key of a name/number: folded text plus the digits of any numbers in it. */
export function searchKey(...parts: (string | null | undefined)[]): string {
  const words: string[] = [];
  for (const part of parts) {
    if (!part) continue;
    words.push(foldText(part));
    const key = parseCaller(part);
    if (key?.kind === 'number') words.push(key.digits);
  }
  return words.join('\n');
}

/**
 * How a search query is matched against `searchKey`: the folded query as a substring, and, when
 * the query is a (partial, formatted) number such as "555-123", its digits too.
 */
export function searchPatterns(query: string): string[] {
  const folded = foldText(query.trim());
  const patterns = folded === '' ? [] : [folded];
  const n = parseNumber(query.trim());
  if (n && n.digits !== folded) patterns.push(n.digits);
  return patterns;
}

/** Escapes `%`, `_` and the escape character for `LIKE ? ESCAPE '\'`. */
export function likeContains(pattern: string): string {
  return `%${pattern.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The search key of a contact: its name, organisation, email and every number or URI. */
export function contactSearchKey(c: { name: string; organisation: string | null; email: string | null; numbers: readonly { value: string }[] }): string {
  return searchKey(c.name, c.organisation, c.email, ...c.numbers.map((n) => n.value));
}

/** The search key of a call: the remote party's display name and URI. */
export function callSearchKey(c: { remoteDisplayName: string | null; remoteUri: string }): string {
  return searchKey(c.remoteDisplayName, c.remoteUri);
}
