/** Building and comparing URIs (RFC 3261 §19.1.4) without going through text. */
import type { SipUri, Uri } from './message.js';
import { isSipUri } from './message.js';

export function sipUri(init: { scheme?: 'sip' | 'sips'; user?: string; host: string; port?: number; params?: Record<string, string | null> }): SipUri {
  return {
    scheme: init.scheme ?? 'sip',
    user: init.user,
    host: init.host,
    port: init.port,
    params: new Map(Object.entries(init.params ?? {})),
    headers: new Map(),
  };
}

export function cloneUri<T extends Uri>(uri: T): T {
  if (isSipUri(uri)) return { ...uri, params: new Map(uri.params), headers: new Map(uri.headers) } as T;
  if ('params' in uri) return { ...uri, params: new Map((uri as { params: Map<string, string | null> }).params) } as T;
  return { ...uri };
}

/** The port a SIP URI means: its own, or the default of its scheme and transport (§19.1.2). */
export function effectivePort(uri: SipUri): number {
  if (uri.port !== undefined) return uri.port;
  return uri.scheme === 'sips' || uri.params.get('transport')?.toLowerCase() === 'tls' ? 5061 : 5060;
}

/**
 * RFC 3261 §19.1.4 comparison of SIP URIs: user and password case-sensitive, host and
 * parameter names case-insensitive, an absent port differs from an explicit default one,
 * user/ttl/method/maddr/transport must match when either has them, other parameters only
 * when both have them, headers must all match.
 */
export function sipUriEquals(a: SipUri, b: SipUri): boolean {
  if (a.scheme !== b.scheme) return false;
  if ((a.user ?? '') !== (b.user ?? '') || (a.password ?? '') !== (b.password ?? '')) return false;
  if (a.host.toLowerCase() !== b.host.toLowerCase()) return false;
  if (a.port !== b.port) return false;
  for (const name of ['user', 'ttl', 'method', 'maddr', 'transport']) {
    const va = a.params.get(name);
    const vb = b.params.get(name);
    if ((va ?? undefined)?.toLowerCase() !== (vb ?? undefined)?.toLowerCase()) return false;
  }
  for (const [name, va] of a.params) {
    if (b.params.has(name) && (va ?? '').toLowerCase() !== (b.params.get(name) ?? '').toLowerCase()) return false;
  }
  if (a.headers.size !== b.headers.size) return false;
  for (const [name, va] of a.headers) if (b.headers.get(name) !== va) return false;
  return true;
}

/** A lenient match used to find "our" binding in a registrar's answer: same user, host and
 * port (registrars may drop or add URI parameters). */
export function sameBinding(a: Uri, b: Uri): boolean {
  if (!isSipUri(a) || !isSipUri(b)) return false;
  return (a.user ?? '') === (b.user ?? '') && a.host.toLowerCase() === b.host.toLowerCase() && effectivePort(a) === effectivePort(b);
}
