/**
 * Results of the parsers of network input (RFC 3261 §7, §25). Parsers never throw: they
 * return either a value or a `SipParseError` naming what was wrong and where.
 */
import type { SipRequest } from './message.js';

/** Stable machine-readable codes; the UAS maps them to responses (400, 505, 413, ...). */
export type SipParseErrorCode =
  | 'bad-start-line'
  | 'bad-version'
  | 'bad-uri'
  | 'bad-header'
  | 'missing-header'
  | 'bad-content-length'
  | 'too-large'
  | 'empty'
  /** A parser bug caught at the boundary; the fuzzer fails when it sees one. */
  | 'internal-error';

export interface SipParseError {
  code: SipParseErrorCode;
  /** Human readable: names what was wrong and where. */
  message: string;
  /**
   * Where the problem was found: a character offset into the header text (equal to the byte
   * offset while the header section is ASCII), or into the parsed string for parseUri & co.
   */
  offset?: number;
  /** The header concerned, as spelt in the message. */
  header?: string;
  /** The SIP-Version of the start line, when it was well formed but not SIP/2.0. */
  version?: string;
  /**
   * For a request whose Via, From, To, Call-ID and CSeq did parse: what a UAS needs to answer
   * it (400 with the reason, or 505 for `bad-version`). Absent otherwise.
   */
  partial?: Partial<SipRequest>;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: SipParseError };
