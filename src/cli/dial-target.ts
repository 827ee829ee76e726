/**
 * What a sip:, sips:, tel: or callto: link (or a pasted number) becomes before it goes to the
 * engine (`softphone dial`, the desktop's handler for those links). The same rules as the web
 * UI's dial pad (web/src/dial.ts, protocol-links.ts):
 *   - sip:/sips: URIs are kept whole (only whitespace goes); a link whose scheme or `@` came
 *     percent-encoded from a browser (`sip%3Aalice%40example.com`) is decoded once first;
 *   - tel: URIs (RFC 3966) and callto: links become their number, without parameters;
 *   - numbers lose their visual separators: "+1 (555) 123-4567" → "+15551234567";
 *   - user@host and plain names (an extension, `echo`) are kept;
 *   - any other scheme (http:, javascript:, ...) is refused: undefined.
 */

/** Spaces, dashes (ASCII and Unicode), dots, brackets and slashes people put in numbers. */
const VISUAL_SEPARATORS = /[\s\u00a0\u2000-\u200b\u2010-\u2015\u2212().\-/[\]]/g;
/** A phone number as written: digits, separators, and the dialable + * #. */
const LOOKS_LIKE_NUMBER = /^[+0-9\s\u00a0\u2000-\u200b\u2010-\u2015\u2212().\-/[\]*#]*$/;

function decodeOnce(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // a lone % that is not an escape: keep it as it came
  }
}

function cleanPlain(s: string): string | undefined {
  const t = s.trim();
  if (t === '') return undefined;
  if (t.includes('@')) return t.replace(/\s+/g, '');
  if (/[0-9]/.test(t) && LOOKS_LIKE_NUMBER.test(t)) {
    const plus = t.startsWith('+');
    const digits = t.replace(VISUAL_SEPARATORS, '').replace(/\+/g, '');
    return digits === '' ? undefined : (plus ? '+' : '') + digits;
  }
  // A name or an extension ("alice", "echo"): the engine's dialling rules decide.
  return /^[\p{L}\p{N}._*#+-]+$/u.test(t) && /[\p{L}\p{N}*#]/u.test(t) ? t : undefined;
}

/** The dialable target of a link or typed text, or undefined when it is not something to dial. */
export function dialTarget(link: string): string | undefined {
  let s = link.trim();
  // The whole link percent-encoded (its scheme too): decode it once.
  if (/^(?:sips?|tel|callto)%3a/i.test(s)) s = decodeOnce(s);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(s)?.[1]?.toLowerCase();
  if (scheme === 'sip' || scheme === 'sips') {
    let rest = s.slice(scheme.length + 1).replace(/^\/\//, '');
    // `sip:alice%40example.com`: the @ came encoded, so the rest was encoded by the browser.
    if (!rest.includes('@') && /%40/i.test(rest)) rest = decodeOnce(rest);
    rest = rest.replace(/\s+/g, '');
    return rest === '' ? undefined : `${scheme}:${rest}`;
  }
  if (scheme === 'tel' || scheme === 'callto') {
    let rest = decodeOnce(s.slice(scheme.length + 1)).replace(/^\/\//, '');
    if (scheme === 'tel') {
      rest = rest.split(';')[0] ?? '';
      if (!LOOKS_LIKE_NUMBER.test(rest)) return undefined;
    }
    return cleanPlain(rest);
  }
  // Another scheme is not a phone's. (A bare number or user@host has no `x:` prefix; a
  // host:port after an @ is fine.)
  if (scheme !== undefined && !s.slice(0, s.indexOf(':')).includes('@')) return undefined;
  return cleanPlain(s);
}
