/**
 * The client side of SIP digest authentication (RFC 3261 §22.2-22.4, RFC 8760 §2.4): which
 * credentials answer which realm, nonce counts, stale nonces, detecting a wrong password, and
 * reusing the last challenge of a realm for later requests.
 *
 * One DigestClient serves one account (one set of credentials and the registrar, proxies and
 * peers it talks to). It keeps the last challenge of every realm that challenged it, separately
 * for WWW-Authenticate (answered in Authorization) and Proxy-Authenticate (answered in
 * Proxy-Authorization), and it answers every cached realm on every request it is asked about,
 * because a request that crosses an authenticating proxy to a registrar needs both at once.
 *
 *   request ──► 401/407 ──► respond(response, request) ──► { ok: true, authorization, proxyAuthorization }
 *                                   │                        caller replaces both lists on the
 *                                   │                        request, bumps CSeq, resends
 *                                   └──► { ok: false, code, reason } (give up: no loop)
 *   later request ──► authorize(request) ──► the same lists from the cached challenges, nc + 1
 *
 * The ACK of a 2xx to an authenticated INVITE, and a CANCEL, are not challenged (RFC 3261
 * §22.1); the caller copies the INVITE's credentials onto the ACK itself.
 */
import type { AuthValue } from '../message.js';
import { randomBytes, bytesToHex } from '@noble/hashes/utils.js';
import {
  buildDigestCredentials,
  digestAlgorithmStrength,
  parseDigestChallenge,
  DigestArgumentError,
  type DigestChallenge,
  type DigestProblem,
} from './digest.js';

/** One set of credentials. */
export interface DigestCredentials {
  /** The user part of the AOR; also the digest username when authUsername is not given. */
  username: string;
  password: string;
  /** The digest `username` when it differs from the AOR user (common with hosted PBXs). */
  authUsername?: string;
  /** The realm these credentials are for; undefined means any realm. */
  realm?: string;
}

export interface DigestClientOptions {
  /** Tried in order: the first with the challenge's realm, else the first without a realm. */
  credentials: readonly DigestCredentials[];
  /** The cnonce source. Defaults to 16 random bytes in hex from the runtime's Web Crypto;
   * tests inject a deterministic one. */
  cnonce?: () => string;
}

/** The request being authorised: its method, its Request-URI exactly as serialised (RFC 3261
 * §22.4: the `uri` parameter must equal it), and its body (hashed for qop=auth-int). */
export interface DigestRequest {
  method: string;
  uri: string;
  body?: Uint8Array;
}

/** The request that was challenged, with the credentials it carried: they tell an answer that
 * was refused (wrong password) from a reused nonce that had expired. */
export interface ChallengedRequest extends DigestRequest {
  authorization: readonly AuthValue[];
  proxyAuthorization: readonly AuthValue[];
}

/** The parts of a 401 or 407 the client reads. A forking proxy may put both kinds of
 * challenge in one response (RFC 3261 §16.7 step 7), so both lists are read whatever the
 * status. */
export interface DigestChallengeResponse {
  status: number;
  wwwAuthenticate: readonly AuthValue[];
  proxyAuthenticate: readonly AuthValue[];
}

export type DigestFailureCode =
  /** No Digest challenge at all (no header, or only other schemes such as Basic or Bearer). */
  | 'no-digest-challenge'
  /** Digest challenges, but none usable: no realm or nonce. */
  | 'malformed-challenge'
  /** Only algorithms we do not implement (e.g. AKAv1-MD5). */
  | 'unsupported-algorithm'
  /** A qop list with neither auth nor auth-int. */
  | 'unsupported-qop'
  /** No credentials for any challenged realm, and no credentials for any realm. */
  | 'no-credentials'
  /** Our answer to this realm's challenge was challenged again without stale=true. */
  | 'credentials-rejected'
  /** stale=true with the very nonce we had just used: a broken server; stop rather than loop. */
  | 'stale-loop';

export interface DigestFailure {
  ok: false;
  code: DigestFailureCode;
  reason: string;
  realm?: string;
}

/** A challenged realm left unanswered while others were answered. */
export interface DigestUnanswered {
  realm?: string;
  code: DigestFailureCode;
  reason: string;
}

export interface DigestCredentialsSet {
  /** Replace the request's Authorization values with these. */
  authorization: AuthValue[];
  /** Replace the request's Proxy-Authorization values with these. */
  proxyAuthorization: AuthValue[];
}

export interface DigestSuccess extends DigestCredentialsSet {
  ok: true;
  /** Realms answered because this response challenged them. */
  answered: string[];
  /** Challenges that could not be answered (other realms were). */
  unanswered: DigestUnanswered[];
}

export type DigestResult = DigestSuccess | DigestFailure;

type ChallengeKind = 'www' | 'proxy';

interface RealmState {
  kind: ChallengeKind;
  challenge: DigestChallenge;
  credentials: DigestCredentials;
  /** The last nonce count used with challenge.nonce. */
  nc: number;
  /** For the -sess algorithms: the cnonce that went into H(A1) for this nonce. */
  sessionCnonce?: string;
  /** `response` values sent in direct answer to a challenge of this realm (the last few). */
  answers: string[];
  /** stale=true challenges answered since the last non-stale one or the last authorize(). */
  staleRetries: number;
}

const MAX_ANSWERS_KEPT = 8;
/** stale=true answers in a row before we conclude the server will never accept a nonce. */
const MAX_STALE_RETRIES = 3;
const MAX_NONCE_COUNT = 0xffffffff;

function defaultCnonce(): string {
  return bytesToHex(randomBytes(16));
}

function keyOf(kind: ChallengeKind, realm: string): string {
  return `${kind}\u0000${realm}`;
}

function describe(kind: ChallengeKind, realm: string): string {
  return `${kind === 'proxy' ? 'proxy ' : ''}realm "${realm}"`;
}

export class DigestClient {
  readonly #credentials: readonly DigestCredentials[];
  readonly #cnonce: () => string;
  /** Keyed by kind and realm, in the order the realms first challenged us. */
  readonly #realms = new Map<string, RealmState>();

  constructor(opts: DigestClientOptions) {
    if (!Array.isArray(opts.credentials)) throw new DigestArgumentError('credentials must be an array');
    for (const c of opts.credentials) {
      if (typeof c.username !== 'string' || typeof c.password !== 'string') {
        throw new DigestArgumentError('each credential needs a username and a password string');
      }
    }
    this.#credentials = opts.credentials.map((c) => ({ ...c }));
    this.#cnonce = opts.cnonce ?? defaultCnonce;
  }

  /**
   * Answer a 401 or 407. On success the result holds the complete Authorization and
   * Proxy-Authorization lists for the retried request (every cached realm, the newly
   * challenged ones included); the caller replaces the request's lists with them and
   * increments CSeq (RFC 3261 §22.2). On failure, do not resend.
   *
   * Several challenges for one realm (RFC 8760 §2.4, e.g. SHA-256 and MD5): the strongest
   * algorithm we support is used, and among equals the topmost. RFC 8760 has the UAC use the
   * topmost supported header field unless local policy says otherwise; ours is to never let
   * a downgrade above a stronger offer win.
   */
  respond(response: DigestChallengeResponse, request: ChallengedRequest): DigestResult {
    if (response.status !== 401 && response.status !== 407) {
      throw new DigestArgumentError(`respond() takes a 401 or 407, not ${response.status}`);
    }

    // 1. Parse and pick one challenge per (kind, realm).
    const problems: DigestProblem[] = [];
    const chosen: { kind: ChallengeKind; challenge: DigestChallenge; index: number }[] = [];
    for (const [kind, values] of [['www', response.wwwAuthenticate], ['proxy', response.proxyAuthenticate]] as const) {
      values.forEach((value, index) => {
        const parsed = parseDigestChallenge(value);
        if (!parsed.ok) {
          problems.push(parsed.error);
          return;
        }
        const c = parsed.value;
        const same = chosen.findIndex((x) => x.kind === kind && x.challenge.realm === c.realm);
        if (same < 0) chosen.push({ kind, challenge: c, index });
        else if (digestAlgorithmStrength(c.algorithm) > digestAlgorithmStrength(chosen[same]!.challenge.algorithm)) {
          chosen[same] = { kind, challenge: c, index };
        }
      });
    }
    if (chosen.length === 0) return noUsableChallenge(problems, response.status);

    // 2. Decide for each realm, before changing any state.
    const plans: { kind: ChallengeKind; challenge: DigestChallenge; credentials: DigestCredentials }[] = [];
    const unanswered: DigestUnanswered[] = [];
    for (const { kind, challenge } of chosen) {
      const { realm } = challenge;
      const key = keyOf(kind, realm);
      const existing = this.#realms.get(key);
      const carried = (kind === 'www' ? request.authorization : request.proxyAuthorization).find(
        (v) => v.scheme.toLowerCase() === 'digest' && v.params.get('realm') === realm,
      );
      if (carried !== undefined && challenge.stale) {
        // RFC 7616 §3.3 stale: "the request from the client was rejected because the nonce
        // value was stale ... the client may wish to simply retry the request with a new
        // encrypted response, without re-prompting the user for a new username and password."
        if (carried.params.get('nonce') === challenge.nonce || (existing?.staleRetries ?? 0) >= MAX_STALE_RETRIES) {
          this.#realms.delete(key);
          return {
            ok: false,
            code: 'stale-loop',
            realm,
            reason: `${describe(kind, realm)} keeps answering stale=true; not retrying`,
          };
        }
      } else if (carried !== undefined && existing !== undefined) {
        // RFC 3261 §22.2: "If the credentials were rejected, the UAS will send another 401 ...
        // a UAC SHOULD NOT re-attempt requests with the credentials that have just been
        // rejected." Only our own answer to a challenge counts: credentials reused from a
        // cached challenge (authorize()) may simply carry an expired nonce, and get one retry.
        const response = carried.params.get('response');
        if (response !== undefined && existing.answers.includes(response)) {
          this.#realms.delete(key);
          const user = existing.credentials.authUsername ?? existing.credentials.username;
          return {
            ok: false,
            code: 'credentials-rejected',
            realm,
            reason: `wrong password or user "${user}" for ${describe(kind, realm)}`,
          };
        }
      }
      const credentials = this.#credentialsFor(realm);
      if (credentials === undefined) {
        unanswered.push({ realm, code: 'no-credentials', reason: `no credentials for ${describe(kind, realm)}` });
        continue;
      }
      plans.push({ kind, challenge, credentials });
    }
    if (plans.length === 0) {
      const realms = unanswered.map((u) => `"${u.realm}"`).join(', ');
      return {
        ok: false,
        code: 'no-credentials',
        realm: unanswered[0]?.realm,
        reason: `no credentials for realm ${realms} (and none for any realm)`,
      };
    }
    for (const p of problems.filter(isRealProblem)) unanswered.push({ code: p.code, reason: p.reason });

    // 3. Remember the new challenges; a new nonce restarts the nonce count.
    const answering = new Set<string>();
    for (const { kind, challenge, credentials } of plans) {
      const key = keyOf(kind, challenge.realm);
      const existing = this.#realms.get(key);
      const sameNonce = existing !== undefined && existing.challenge.nonce === challenge.nonce
        && existing.challenge.algorithm === challenge.algorithm;
      this.#realms.set(key, {
        kind,
        challenge,
        credentials,
        nc: sameNonce ? existing.nc : 0,
        sessionCnonce: sameNonce ? existing.sessionCnonce : undefined,
        answers: existing?.answers ?? [],
        staleRetries: challenge.stale ? (existing?.staleRetries ?? 0) + 1 : 0,
      });
      answering.add(key);
    }

    return {
      ok: true,
      ...this.#build(request, answering),
      answered: plans.map((p) => p.challenge.realm),
      unanswered,
    };
  }

  /**
   * Credentials for a new request from the cached challenges (preemptive authentication, e.g.
   * REGISTER refreshes), each with its nonce count incremented. Empty lists when no realm has
   * challenged yet. If the server has meanwhile expired the nonce, it challenges again and
   * respond() answers that challenge.
   */
  authorize(request: DigestRequest): DigestCredentialsSet {
    for (const state of this.#realms.values()) state.staleRetries = 0;
    return this.#build(request, new Set());
  }

  /** The realms with a cached challenge. */
  get realms(): { kind: 'www' | 'proxy'; realm: string }[] {
    return [...this.#realms.values()].map((s) => ({ kind: s.kind, realm: s.challenge.realm }));
  }

  /** Forget the cached challenge of one realm (both kinds), or of every realm. */
  forget(realm?: string): void {
    if (realm === undefined) this.#realms.clear();
    else for (const kind of ['www', 'proxy'] as const) this.#realms.delete(keyOf(kind, realm));
  }

  #credentialsFor(realm: string): DigestCredentials | undefined {
    return this.#credentials.find((c) => c.realm === realm) ?? this.#credentials.find((c) => c.realm === undefined);
  }

  #build(request: DigestRequest, answering: ReadonlySet<string>): DigestCredentialsSet {
    const out: DigestCredentialsSet = { authorization: [], proxyAuthorization: [] };
    for (const [key, state] of [...this.#realms]) {
      if (state.nc >= MAX_NONCE_COUNT) {
        // The nonce is used up; drop it and let the server challenge afresh.
        this.#realms.delete(key);
        continue;
      }
      state.nc += 1;
      const { challenge, credentials } = state;
      let cnonce: string | undefined;
      if (challenge.algorithm.endsWith('-sess')) {
        state.sessionCnonce ??= this.#nextCnonce();
        cnonce = state.sessionCnonce;
      } else if (challenge.qop !== undefined) {
        cnonce = this.#nextCnonce();
      }
      const value = buildDigestCredentials(challenge, {
        username: credentials.authUsername ?? credentials.username,
        password: credentials.password,
        method: request.method,
        uri: request.uri,
        body: request.body,
        cnonce,
        nc: state.nc,
      });
      if (answering.has(key)) {
        state.answers.push(value.params.get('response')!);
        if (state.answers.length > MAX_ANSWERS_KEPT) state.answers.shift();
      }
      (state.kind === 'www' ? out.authorization : out.proxyAuthorization).push(value);
    }
    return out;
  }

  #nextCnonce(): string {
    const cnonce = this.#cnonce();
    if (typeof cnonce !== 'string' || cnonce === '' || /["\\\r\n]/.test(cnonce)) {
      throw new DigestArgumentError('the cnonce source must return a non-empty string without quotes, backslashes or line breaks');
    }
    return cnonce;
  }
}

/** Problems other than "not Digest" (other schemes are simply not for us). */
function isRealProblem(p: DigestProblem): p is DigestProblem & { code: Exclude<DigestProblem['code'], 'not-digest'> } {
  return p.code !== 'not-digest';
}

function noUsableChallenge(problems: readonly DigestProblem[], status: number): DigestFailure {
  const header = status === 407 ? 'Proxy-Authenticate' : 'WWW-Authenticate';
  const real = problems.filter(isRealProblem);
  if (real.length === 0) {
    const others = problems.map((p) => p.reason).join('; ');
    return {
      ok: false,
      code: 'no-digest-challenge',
      reason: `${status} without a Digest challenge in ${header}${others ? ` (${others})` : ''}`,
    };
  }
  // Prefer the most telling problem: an algorithm or qop we lack says more than a malformed one.
  const first = real.find((p) => p.code === 'unsupported-algorithm') ?? real.find((p) => p.code === 'unsupported-qop') ?? real[0]!;
  return { ok: false, code: first.code, reason: real.map((p) => p.reason).join('; ') };
}
