/**
 * Errors of the engine's commands, with a stable `code` (STYLE.md §5). Every error a command
 * throws leaves the registry as an EngineError: invalid input, an unknown id, a conflict, a
 * call in the wrong state, or something the request asks that cannot be done (a number with
 * no account). The API maps codes to HTTP statuses in one place (api/errors.ts).
 */
import type { ZodError } from 'zod';
import { PhoneError } from './phone.js';
import { StoreError } from './store/index.js';

export type EngineErrorCode =
  /** The input did not match the command's schema (`issues` says where). */
  | 'invalid-argument'
  /** No account, call or contact with that id. */
  | 'not-found'
  /** A unique value is taken (an account for that AOR exists). */
  | 'conflict'
  /** The call (or line) is not in a state that allows this (answer an established call). */
  | 'invalid-state'
  /** Well-formed, but it cannot be done (dial a number with no account; the transfer was refused). */
  | 'unprocessable'
  /** The engine is closing or a needed service is missing. */
  | 'unavailable'
  /** Anything else: a bug or a failing store. */
  | 'internal';

export interface EngineIssue {
  path: (string | number)[];
  message: string;
}

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly issues: EngineIssue[] | undefined;
  constructor(code: EngineErrorCode, message: string, options: { cause?: unknown; issues?: EngineIssue[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EngineError';
    this.code = code;
    this.issues = options.issues;
  }
}

const STORE_CODES: Partial<Record<string, EngineErrorCode>> = {
  'invalid-argument': 'invalid-argument',
  'invalid-setting': 'invalid-argument',
  'not-found': 'not-found',
  conflict: 'conflict',
  'store-closed': 'unavailable',
};

const PHONE_CODES: Partial<Record<string, EngineErrorCode>> = {
  'bad-target': 'invalid-argument',
  'unknown-codec': 'invalid-argument',
  'no-account': 'unprocessable',
  'no-echo': 'unavailable',
  closed: 'unavailable',
};

/**
 * A zod validation error (the command registry validates with zod), told by its shape: an
 * `instanceof` would make the engine load zod at start, ~100 kB of code before the first
 * REGISTER, when only the API's commands use it (docs/bench-footprint.md).
 */
function isZodError(err: unknown): err is ZodError {
  return err instanceof Error && err.name === 'ZodError' && Array.isArray((err as { issues?: unknown }).issues);
}

/** Any error a command met, as an EngineError (the cause kept). */
export function toEngineError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  if (isZodError(err)) {
    const issues = err.issues.map((i) => ({ path: i.path.filter((p): p is string | number => typeof p !== 'symbol'), message: i.message }));
    const first = issues[0];
    const where = first && first.path.length ? `${first.path.join('.')}: ` : '';
    return new EngineError('invalid-argument', `invalid input: ${where}${first?.message ?? 'does not match the schema'}`, { cause: err, issues });
  }
  if (err instanceof StoreError) return new EngineError(STORE_CODES[err.code] ?? 'internal', err.message, { cause: err });
  if (err instanceof PhoneError) return new EngineError(PHONE_CODES[err.code] ?? 'internal', err.message, { cause: err });
  return new EngineError('internal', err instanceof Error ? err.message : String(err), { cause: err });
}
