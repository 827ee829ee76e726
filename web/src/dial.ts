/**
 * What a person types or pastes into the dial pad, made into something the engine can dial.
 * Phone numbers lose their visual separators ("+1 (555) 123-4567" → "+15551234567");
 * SIP URIs and user@host addresses are kept as written; tel: URIs become their number.
 */

/** Spaces, dashes (ASCII and Unicode), dots, brackets and slashes people put in numbers. */
const VISUAL_SEPARATORS = /[\s\u00a0\u2000-\u200b\u2010-\u2015\u2212().\-/[\]]/g;
/** A phone number as written: digits, separators, and the dialable + * #. */
const LOOKS_LIKE_NUMBER = /^[+0-9\s\u00a0\u2000-\u200b\u2010-\u2015\u2212().\-/[\]*#]*$/;

/** The cleaned, dialable form of `input`, or "" when nothing is left. */
export function cleanNumber(input: string): string {
  let s = input.trim();
  if (s === '') return '';
  if (/^sips?:/i.test(s)) return s.replace(/\s+/g, '');
  // tel: URIs (RFC 3966): the number, without its parameters (";ext=", ";phone-context=").
  const tel = /^tel:(.*)$/i.exec(s);
  if (tel) s = (tel[1] ?? '').split(';')[0] ?? '';
  if (s.includes('@')) return s.replace(/\s+/g, '');
  if (/[0-9]/.test(s) && LOOKS_LIKE_NUMBER.test(s)) {
    const plus = s.startsWith('+');
    const digits = s.replace(VISUAL_SEPARATORS, '').replace(/\+/g, '');
    return (plus ? '+' : '') + digits;
  }
  // A name or an extension like "alice" or "echo": the engine's dialling rules decide.
  return s;
}

/** True when the dial pad holds something worth sending to the engine. */
export function isDialable(input: string): boolean {
  return cleanNumber(input) !== '';
}

/** Whether dialling this needs an account: numbers and extensions do; `echo`, sip:/sips:
 * URIs and user@host addresses are called directly (the engine's dialling rules). */
export function needsAccount(input: string): boolean {
  const t = cleanNumber(input);
  return !(t.toLowerCase() === 'echo' || /^sips?:/i.test(t) || t.includes('@'));
}

/** The part of a SIP or tel URI a person recognises: "sip:alice@example.com" → "alice". */
export function uriUser(uri: string): string {
  const m = /^(?:sips?|tel):([^@;?]*)/i.exec(uri.trim());
  if (!m) return uri;
  const user = m[1] ?? '';
  if (user === '') return uri.replace(/^sips?:/i, '');
  try {
    return decodeURIComponent(user);
  } catch {
    return user;
  }
}

/** The best name for the far end: the contact's name, then the display name, then the URI's user. */
export function partyName(contactName: string | null | undefined, displayName: string | null | undefined, uri: string): string {
  const c = contactName?.trim();
  if (c) return c;
  const d = displayName?.trim();
  if (d) return d;
  return uriUser(uri);
}

/** The letters printed under the dial pad's digits (ITU E.161). */
export const KEYPAD: readonly { digit: string; letters: string }[] = [
  { digit: '1', letters: '' },
  { digit: '2', letters: 'ABC' },
  { digit: '3', letters: 'DEF' },
  { digit: '4', letters: 'GHI' },
  { digit: '5', letters: 'JKL' },
  { digit: '6', letters: 'MNO' },
  { digit: '7', letters: 'PQRS' },
  { digit: '8', letters: 'TUV' },
  { digit: '9', letters: 'WXYZ' },
  { digit: '*', letters: '' },
  { digit: '0', letters: '+' },
  { digit: '#', letters: '' },
];

export function isDtmfDigit(key: string): boolean {
  return /^[0-9*#A-Da-d]$/.test(key);
}
