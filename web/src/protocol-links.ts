/**
 * sip: and tel: links. The browser's registered handler opens `/#dial=%s`, with %s the whole
 * link percent-encoded (HTML §8.8.1.3, registerProtocolHandler). This module reads that
 * fragment; the dial pad is filled and the person presses Call (a link never dials by itself).
 */
import { cleanNumber } from './dial.js';

/** Schemes the HTML standard lets a page handle without the web+ prefix (both on its safelist). */
export const HANDLED_SCHEMES = ['sip', 'tel'] as const;

/** What a URL fragment carries: the API token and/or a target to dial. */
export interface LaunchFragment {
  token: string | null;
  dial: string | null;
}

/** Reads "#token=…", "#dial=…" or both ("#token=…&dial=…") from `location.hash`. */
export function parseFragment(hash: string): LaunchFragment {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get('token');
  const dialRaw = params.get('dial');
  return { token: token && token.length > 0 ? token : null, dial: dialRaw ? dialTarget(dialRaw) : null };
}

/**
 * The dial target in a link. URLSearchParams has already decoded one level; a handler URL may
 * arrive encoded twice, so a leftover %xx is decoded once more. sip:/sips: URIs are kept whole,
 * tel: URIs become their number.
 */
export function dialTarget(link: string): string | null {
  let s = link.trim();
  if (/%[0-9a-f]{2}/i.test(s)) {
    try {
      s = decodeURIComponent(s);
    } catch {
      // not percent-encoded after all: keep it as it came
    }
  }
  // Another scheme (http:, javascript:, ...) is not something a phone dials.
  if (/^[a-z][a-z0-9+.-]*:/i.test(s) && !/^(?:sips?|tel):/i.test(s)) return null;
  const cleaned = cleanNumber(s);
  // A URI, a number, user@host, or an extension name; anything else is not from a dial link.
  if (!/^(?:sips?:|[+0-9*#])/i.test(cleaned) && !cleaned.includes('@') && !/^[\p{L}\p{N}._-]+$/u.test(cleaned)) return null;
  return cleaned;
}
