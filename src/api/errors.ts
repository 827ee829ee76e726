/**
 * The one place where errors become HTTP statuses (STYLE.md §5):
 * every command failure is an EngineError with a code; the body is always
 * `{ error: { code, message, issues? } }`.
 */
import type { EngineErrorCode } from '../phone/engine-errors.js';
import { EngineError, toEngineError } from '../phone/engine-errors.js';

export const STATUS_OF: Readonly<Record<EngineErrorCode, 400 | 404 | 409 | 422 | 500 | 503>> = {
  'invalid-argument': 400,
  'not-found': 404,
  conflict: 409,
  'invalid-state': 409,
  unprocessable: 422,
  unavailable: 503,
  internal: 500,
};

export interface ErrorBody {
  error: { code: string; message: string; issues?: { path: (string | number)[]; message: string }[] };
}

export function errorResponse(err: unknown): { status: number; body: ErrorBody } {
  const e = err instanceof SyntaxError ? new EngineError('invalid-argument', `the request body is not valid JSON: ${err.message}`) : toEngineError(err);
  return {
    status: STATUS_OF[e.code],
    body: { error: { code: e.code, message: e.message, ...(e.issues ? { issues: e.issues } : {}) } },
  };
}

/** Refusals of the guard (security.ts): not errors of a command. */
export function refusal(status: 401 | 403 | 404, code: string, message: string): { status: number; body: ErrorBody } {
  return { status, body: { error: { code, message } } };
}
