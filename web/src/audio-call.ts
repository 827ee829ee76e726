/** Which call the browser's microphone and speaker belong to: pure, for the app and tests. */
import type { CallInfo } from './api-types.js';

/**
 * The call whose audio the page carries: the established call not on hold (the engine keeps
 * one such call at a time), else a call with early media (ringback, announcements), else none.
 */
export function audioCallOf(calls: readonly CallInfo[]): CallInfo | undefined {
  return calls.find((c) => c.state === 'established' && !c.hold.local) ?? calls.find((c) => c.state === 'early');
}
