/**
 * Results and errors of the media layer. Parsers of network or file input return a
 * `MediaResult` (they never throw); programmer errors (a bad argument) throw `MediaError`.
 */

/** Why a parser rejected its input, with the byte offset where it gave up. */
export interface MediaParseError {
  /** Stable code, e.g. `rtp-too-short`, `wav-no-data-chunk`. */
  readonly code: string;
  readonly message: string;
  /** Byte offset in the input where the problem was found. */
  readonly offset: number;
}

export type MediaResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: MediaParseError };

export function ok<T>(value: T): MediaResult<T> {
  return { ok: true, value };
}

export function fail<T>(code: string, message: string, offset: number): MediaResult<T> {
  return { ok: false, error: { code, message, offset } };
}

/** A programmer error in the media layer (a bad argument, a wrong state), with a stable code. */
export class MediaError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MediaError';
    this.code = code;
  }
}
