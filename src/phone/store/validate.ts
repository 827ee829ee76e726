/** Argument checks shared by the repositories; each failure is a `StoreError('invalid-argument')`. */
import { StoreError } from './errors.js';

export function requireText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new StoreError('invalid-argument', `${what} must be a non-empty string`);
  return value;
}

/** Optional text: undefined, null and '' (after trimming) all store as NULL. */
export function optionalText(value: unknown, what: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new StoreError('invalid-argument', `${what} must be a string or null`);
  return value.trim() === '' ? null : value;
}

/** A time in ms since the epoch. */
export function optionalTime(value: unknown, what: string): number | null {
  if (value === undefined || value === null) return null;
  return requireTime(value, what);
}

export function requireTime(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new StoreError('invalid-argument', `${what} must be a time in ms since the epoch (a non-negative integer), not ${String(value)}`);
  }
  return value;
}

export function requireId(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new StoreError('invalid-argument', `${what} must be a positive integer id, not ${String(value)}`);
  }
  return value;
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new StoreError('invalid-argument', `${what} must be one of ${allowed.join(', ')}, not ${String(value)}`);
  }
  return value as T;
}

export function requireLimit(value: unknown, max = 1000): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new StoreError('invalid-argument', `limit must be an integer 1-${max}, not ${String(value)}`);
  }
  return value;
}
