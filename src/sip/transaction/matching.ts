/**
 * The matching rules of RFC 3261 §17.1.3 (responses to client transactions) and §17.2.3
 * (requests to server transactions), including the RFC 2543 fallback for requests whose top
 * Via branch lacks the magic cookie.
 */
import type { SipRequest, SipResponse, Uri, Via } from '../message.js';
import { isSipUri, isTelUri, tagOf } from '../message.js';

/** §8.1.1.7: "The branch ID inserted by an element compliant with this specification MUST
 * always begin with the characters "z9hG4bK"." */
export const MAGIC_COOKIE = 'z9hG4bK';

export function hasMagicCookie(branch: string | undefined): branch is string {
  return branch !== undefined && branch.startsWith(MAGIC_COOKIE) && branch.length > MAGIC_COOKIE.length;
}

/**
 * §17.1.3: a response matches a client transaction when the branch of its top Via equals the
 * branch of the request's top Via and its CSeq method equals the request's method (so the
 * responses to a CANCEL, which shares the INVITE's branch, go to the CANCEL's transaction).
 */
export function clientKey(branch: string, method: string): string {
  return `${branch}\u0000${method}`;
}

export function clientKeyOfResponse(response: SipResponse): string | undefined {
  const branch = response.via[0]?.branch;
  return branch === undefined ? undefined : clientKey(branch, response.cseq.method);
}

/** The sent-by of a Via (host:port), host lowercased as hosts compare case-insensitively. */
export function sentBy(via: Via): string {
  return `${via.host.toLowerCase()}:${via.port ?? ''}`;
}

/**
 * §17.2.3, magic-cookie branch: "the branch parameter in the request is equal to the one in
 * the top Via header field of the request that created the transaction, the sent-by value in
 * the top Via of the request is equal to the one in the request that created the transaction,
 * and the method of the request matches the one that created the transaction, except for ACK,
 * where the method of the request that created the transaction is INVITE." `method` overrides
 * the method (CANCEL looks for the INVITE it cancels, §9.2). Undefined without a cookie.
 */
export function serverKey(request: SipRequest, method: string = request.method): string | undefined {
  const top = request.via[0];
  if (!top || !hasMagicCookie(top.branch)) return undefined;
  const m = method === 'ACK' ? 'INVITE' : method;
  return `${top.branch}\u0000${sentBy(top)}\u0000${m}`;
}

/**
 * §17.2.3, RFC 2543 fallback. `original` created the transaction; `incoming` just arrived.
 * - INVITE (or any non-ACK): "the Request-URI, To tag, From tag, Call-ID, CSeq, and top Via
 *   header field match those of the INVITE request which created the transaction."
 * - ACK: "the Request-URI, From tag, Call-ID, CSeq number (not the method), and top Via header
 *   field match those of the INVITE request which created the transaction, and the To tag of
 *   the ACK matches the To tag of the response sent by the server transaction."
 * - `asMethod` = 'INVITE' for a CANCEL looking for the INVITE it cancels (§9.2: the same
 *   rules, except for the method).
 */
export function matches2543(
  original: SipRequest,
  incoming: SipRequest,
  opts: { responseToTag?: string; asMethod?: string } = {},
): boolean {
  const method = opts.asMethod ?? incoming.method;
  if (!(original.callId === incoming.callId
    && original.cseq.seq === incoming.cseq.seq
    && tagOf(original.from) === tagOf(incoming.from)
    && uriEquals(original.uri, incoming.uri)
    && viaEquals(original.via[0], incoming.via[0]))) return false;
  if (incoming.method === 'ACK') {
    return original.method === 'INVITE' && opts.responseToTag !== undefined && tagOf(incoming.to) === opts.responseToTag;
  }
  return original.method === method && tagOf(original.to) === tagOf(incoming.to)
    && (opts.asMethod !== undefined || original.cseq.method === incoming.cseq.method);
}

/** Via equality for the fallback: what the sender put there. `received` and `rport` are left
 * out, as this side writes them (§18.2.1, RFC 3581) and a NAT rebinding may change them. */
export function viaEquals(a: Via | undefined, b: Via | undefined): boolean {
  if (!a || !b) return a === b;
  return a.transport.toUpperCase() === b.transport.toUpperCase()
    && a.host.toLowerCase() === b.host.toLowerCase()
    && a.port === b.port
    && a.branch === b.branch
    && paramsEqual(a.params, b.params, false);
}

/** URI equality after RFC 3261 §19.1.4, the parts the fallback needs: scheme; user and
 * password case-sensitively; host case-insensitively; port (an omitted port does not equal an
 * explicit default); user, ttl, method, maddr and transport parameters must agree when present
 * in either; other parameters when present in both; URI headers all agree. */
export function uriEquals(a: Uri, b: Uri): boolean {
  if (a.scheme.toLowerCase() !== b.scheme.toLowerCase()) return false;
  if (isSipUri(a) && isSipUri(b)) {
    if (a.user !== b.user || a.password !== b.password) return false;
    if (a.host.toLowerCase() !== b.host.toLowerCase() || a.port !== b.port) return false;
    for (const name of ['user', 'ttl', 'method', 'maddr', 'transport']) {
      if (lower(a.params.get(name)) !== lower(b.params.get(name))) return false;
    }
    if (!paramsEqual(a.params, b.params, true)) return false;
    if (a.headers.size !== b.headers.size) return false;
    for (const [k, v] of a.headers) if (b.headers.get(k) !== v) return false;
    return true;
  }
  if (isTelUri(a) && isTelUri(b)) {
    return a.number.replace(/[-.()]/g, '') === b.number.replace(/[-.()]/g, '') && paramsEqual(a.params, b.params, false);
  }
  if ('value' in a && 'value' in b) return a.value === b.value;
  return false;
}

/** Parameter maps equal (values case-insensitively). With `onlyShared`, a parameter present
 * on one side only is ignored. */
function paramsEqual(a: Map<string, string | null>, b: Map<string, string | null>, onlyShared: boolean): boolean {
  if (!onlyShared && a.size !== b.size) return false;
  for (const [k, v] of a) {
    if (!b.has(k)) {
      if (onlyShared) continue;
      return false;
    }
    if (lower(v) !== lower(b.get(k))) return false;
  }
  return true;
}

function lower(v: string | null | undefined): string | null | undefined {
  return typeof v === 'string' ? v.toLowerCase() : v;
}

