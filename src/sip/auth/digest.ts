/**
 * Digest access authentication, the pure computations: parsing a challenge, the hash
 * functions, and building the credentials that answer it (RFC 3261 §22.4, RFC 7616 §3.4,
 * RFC 8760 §2). No state lives here; nonce counts, realms and retries are in
 * digest-client.ts.
 *
 *   A1   = username ":" realm ":" password                           (MD5, SHA-256, ...)
 *   A1   = H(username ":" realm ":" password) ":" nonce ":" cnonce   (the -sess variants)
 *   A2   = method ":" uri                                            (qop=auth or no qop)
 *   A2   = method ":" uri ":" H(body)                                (qop=auth-int)
 *   resp = H(H(A1) ":" nonce ":" nc ":" cnonce ":" qop ":" H(A2))     (qop present)
 *   resp = H(H(A1) ":" nonce ":" H(A2))                              (RFC 2069, no qop)
 *
 * The password is only ever an input to H(A1); nothing here returns or stores it.
 */
import { md5 } from '@noble/hashes/legacy.js';
import { sha256, sha512_256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { AuthValue } from '../message.js';

/** The algorithms of the IANA "HTTP Digest Algorithm Values" registry that RFC 8760 §2.1
 * allows in SIP, spelled as that registry spells them. */
export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess' | 'SHA-512-256' | 'SHA-512-256-sess';

export type DigestQop = 'auth' | 'auth-int';

const ALGORITHMS: readonly DigestAlgorithm[] = ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess', 'SHA-512-256', 'SHA-512-256-sess'];

/** The registry name for an `algorithm` parameter value (compared case-insensitively), or
 * undefined when we do not implement it (e.g. AKAv1-MD5). An absent parameter means MD5
 * (RFC 7616 §3.3: "If this is not present, it is assumed to be "MD5"."). */
export function parseDigestAlgorithm(value: string | undefined): DigestAlgorithm | undefined {
  if (value === undefined) return 'MD5';
  const lower = value.toLowerCase();
  return ALGORITHMS.find((a) => a.toLowerCase() === lower);
}

/** Higher is stronger. The -sess variant of a hash ranks with its base hash, so the order of
 * the challenges decides between them. */
export function digestAlgorithmStrength(algorithm: DigestAlgorithm): number {
  if (algorithm.startsWith('SHA-512-256')) return 3;
  if (algorithm.startsWith('SHA-256')) return 2;
  return 1;
}

function isSess(algorithm: DigestAlgorithm): boolean {
  return algorithm.endsWith('-sess');
}

const encoder = new TextEncoder();

/** H(data) as lowercase hex (RFC 7616 §3.3: the digest is "represented as a sequence of
 * hexadecimal digits", lowercase). Strings are hashed as their UTF-8 octets. */
export function digestHash(algorithm: DigestAlgorithm, data: string | Uint8Array): string {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  if (algorithm.startsWith('SHA-512-256')) return bytesToHex(sha512_256(bytes));
  if (algorithm.startsWith('SHA-256')) return bytesToHex(sha256(bytes));
  return bytesToHex(md5(bytes));
}

/** A Digest challenge from WWW-Authenticate or Proxy-Authenticate, checked and typed. */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  algorithm: DigestAlgorithm;
  /** True when the challenge named the algorithm; the answer echoes it only then, so servers
   * that predate the parameter (RFC 2069) see what they sent. */
  algorithmGiven: boolean;
  opaque?: string;
  /** The qop options offered; undefined when the challenge has no qop (RFC 2069 mode). */
  qop?: string[];
  /** RFC 7616 §3.3: the previous request was refused only because its nonce was stale. */
  stale: boolean;
  /** RFC 7616 §3.4.4: the server wants the username hashed. */
  userhash: boolean;
}

export type DigestProblemCode =
  | 'not-digest'
  | 'malformed-challenge'
  | 'unsupported-algorithm'
  | 'unsupported-qop';

export interface DigestProblem {
  code: DigestProblemCode;
  reason: string;
}

export type ParseChallengeResult = { ok: true; value: DigestChallenge } | { ok: false; error: DigestProblem };

/**
 * Check one challenge. Network input: every problem is a result, never a throw.
 */
export function parseDigestChallenge(value: AuthValue): ParseChallengeResult {
  if (value.scheme.toLowerCase() !== 'digest') {
    return { ok: false, error: { code: 'not-digest', reason: `scheme ${value.scheme} is not Digest` } };
  }
  const realm = value.params.get('realm');
  const nonce = value.params.get('nonce');
  if (realm === undefined) {
    return { ok: false, error: { code: 'malformed-challenge', reason: 'Digest challenge without a realm' } };
  }
  if (nonce === undefined || nonce === '') {
    return { ok: false, error: { code: 'malformed-challenge', reason: `Digest challenge for realm "${realm}" without a nonce` } };
  }
  const algorithmParam = value.params.get('algorithm');
  const algorithm = parseDigestAlgorithm(algorithmParam);
  if (algorithm === undefined) {
    return {
      ok: false,
      error: { code: 'unsupported-algorithm', reason: `unsupported digest algorithm "${algorithmParam}" for realm "${realm}"` },
    };
  }
  const qopParam = value.params.get('qop');
  let qop: string[] | undefined;
  if (qopParam !== undefined) {
    // RFC 3261 §25.1: qop-options = "qop" EQUAL LDQUOT qop-value *("," qop-value) RDQUOT
    qop = qopParam.split(',').map((q) => q.trim().toLowerCase()).filter((q) => q !== '');
    if (!qop.includes('auth') && !qop.includes('auth-int')) {
      return { ok: false, error: { code: 'unsupported-qop', reason: `unsupported qop "${qopParam}" for realm "${realm}"` } };
    }
  }
  const challenge: DigestChallenge = {
    realm,
    nonce,
    algorithm,
    algorithmGiven: algorithmParam !== undefined,
    stale: value.params.get('stale')?.toLowerCase() === 'true',
    userhash: value.params.get('userhash')?.toLowerCase() === 'true',
  };
  const opaque = value.params.get('opaque');
  if (opaque !== undefined) challenge.opaque = opaque;
  if (qop !== undefined) challenge.qop = qop;
  return { ok: true, value: challenge };
}

/** The qop to answer with: `auth` when offered (it does not depend on the body, so any proxy
 * that rewrites nothing still verifies it), else `auth-int`; undefined for RFC 2069 mode. */
export function chooseQop(challenge: DigestChallenge): DigestQop | undefined {
  if (challenge.qop === undefined) return undefined;
  return challenge.qop.includes('auth') ? 'auth' : 'auth-int';
}

/** Everything the response hash is computed from. */
export interface DigestResponseInput {
  algorithm: DigestAlgorithm;
  /** The digest username (the auth user, not the AOR user), unhashed. */
  username: string;
  realm: string;
  password: string;
  nonce: string;
  method: string;
  /** The digest-uri: the Request-URI exactly as it will be serialised (RFC 3261 §22.4). */
  uri: string;
  /** Required for qop and for the -sess algorithms. */
  cnonce?: string;
  /** Nonce count as a number; written as 8 lowercase hex digits. Required with qop. */
  nc?: number;
  qop?: DigestQop;
  /** The message body, for qop=auth-int (an empty body when absent). */
  body?: Uint8Array;
}

/** The `nc` parameter: "the hexadecimal count of the number of requests (including the
 * current request) that the client has sent with the nonce value", 8 hex digits. */
export function formatNonceCount(nc: number): string {
  if (!Number.isInteger(nc) || nc < 1 || nc > 0xffffffff) {
    throw new DigestArgumentError(`nonce count ${nc} is not an integer in 1..ffffffff`);
  }
  return nc.toString(16).padStart(8, '0');
}

/** H(A1). For the -sess variants this needs the nonce and cnonce of the first request made
 * with that nonce (RFC 7616 §3.4.2). */
export function computeHA1(input: Pick<DigestResponseInput, 'algorithm' | 'username' | 'realm' | 'password' | 'nonce' | 'cnonce'>): string {
  const base = digestHash(input.algorithm, `${input.username}:${input.realm}:${input.password}`);
  if (!isSess(input.algorithm)) return base;
  if (input.cnonce === undefined) throw new DigestArgumentError(`${input.algorithm} needs a cnonce`);
  return digestHash(input.algorithm, `${base}:${input.nonce}:${input.cnonce}`);
}

/** The `response` parameter value. Throws DigestArgumentError only when the inputs are
 * inconsistent (qop without cnonce or nc): a programmer error, not a network one. */
export function computeDigestResponse(input: DigestResponseInput): string {
  const { algorithm, nonce, method, uri, qop } = input;
  const ha1 = computeHA1(input);
  const a2 = qop === 'auth-int'
    ? `${method}:${uri}:${digestHash(algorithm, input.body ?? new Uint8Array(0))}`
    : `${method}:${uri}`;
  const ha2 = digestHash(algorithm, a2);
  if (qop === undefined) return digestHash(algorithm, `${ha1}:${nonce}:${ha2}`);
  if (input.cnonce === undefined || input.nc === undefined) {
    throw new DigestArgumentError(`qop=${qop} needs a cnonce and a nonce count`);
  }
  return digestHash(algorithm, `${ha1}:${nonce}:${formatNonceCount(input.nc)}:${input.cnonce}:${qop}:${ha2}`);
}

/** RFC 7616 §3.4.4: username = H(unq(username) ":" unq(realm)) when userhash=true. */
export function computeUserhash(algorithm: DigestAlgorithm, username: string, realm: string): string {
  return digestHash(algorithm, `${username}:${realm}`);
}

/**
 * Credentials (the value of Authorization or Proxy-Authorization) answering `challenge`.
 * Parameter values are unquoted, as everywhere in AuthValue; see DIGEST_TOKEN_PARAMS for
 * which ones the serialiser must leave unquoted.
 */
export function buildDigestCredentials(
  challenge: DigestChallenge,
  input: { username: string; password: string; method: string; uri: string; body?: Uint8Array; cnonce?: string; nc?: number },
): AuthValue {
  const qop = chooseQop(challenge);
  const needsCnonce = qop !== undefined || isSess(challenge.algorithm);
  if (needsCnonce && input.cnonce === undefined) {
    throw new DigestArgumentError(`answering realm "${challenge.realm}" needs a cnonce`);
  }
  const response = computeDigestResponse({
    algorithm: challenge.algorithm,
    username: input.username,
    realm: challenge.realm,
    password: input.password,
    nonce: challenge.nonce,
    method: input.method,
    uri: input.uri,
    cnonce: needsCnonce ? input.cnonce : undefined,
    nc: qop !== undefined ? (input.nc ?? 1) : undefined,
    qop,
    body: input.body,
  });
  const params = new Map<string, string>();
  params.set('username', challenge.userhash ? computeUserhash(challenge.algorithm, input.username, challenge.realm) : input.username);
  params.set('realm', challenge.realm);
  params.set('nonce', challenge.nonce);
  params.set('uri', input.uri);
  params.set('response', response);
  if (challenge.algorithmGiven) params.set('algorithm', challenge.algorithm);
  if (needsCnonce && input.cnonce !== undefined) params.set('cnonce', input.cnonce);
  if (challenge.opaque !== undefined) params.set('opaque', challenge.opaque);
  if (qop !== undefined) {
    params.set('qop', qop);
    params.set('nc', formatNonceCount(input.nc ?? 1));
  }
  if (challenge.userhash) params.set('userhash', 'true');
  return { scheme: 'Digest', params };
}

/**
 * Digest parameters whose values are tokens and must be written without quotes. RFC 3261
 * §25.1: `algorithm` is a token, `message-qop` is `"qop" EQUAL qop-value` (a token, unlike
 * the quoted qop-options of a challenge), `nc` is 8LHEX, `stale` is "true"/"false"; RFC 7616
 * §3.4 adds `userhash`. Every other parameter (username, realm, nonce, uri, response, cnonce,
 * opaque) is a quoted-string. Some registrars reject `qop="auth"` in credentials.
 */
export const DIGEST_TOKEN_PARAMS: ReadonlySet<string> = new Set(['algorithm', 'qop', 'nc', 'stale', 'userhash']);

/** Placeholder written instead of secret-derived values in traces. */
export const REDACTED = '<redacted>';

/**
 * A copy of an Authorization / Proxy-Authorization value fit for a log: `response`, the only
 * value derived from the password (and enough to guess a weak one offline), is replaced by
 * REDACTED; realm, username, nonce, nc and cnonce stay, because they are what one needs to
 * debug a rejection. A trace of whole messages should still replace these header values
 * wholesale, as the UA glue does.
 */
export function redactAuthValue(value: AuthValue): AuthValue {
  const params = new Map(value.params);
  if (params.has('response')) params.set('response', REDACTED);
  return { scheme: value.scheme, params };
}

/** Thrown for programmer errors only (inconsistent arguments), never for network input. */
export class DigestArgumentError extends Error {
  readonly code = 'ERR_SIP_DIGEST_ARGUMENT';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DigestArgumentError';
  }
}
