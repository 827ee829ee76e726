/**
 * The engine's one event stream and its one encoding. Every face (the API's WebSocket, the
 * CLI's engine mode, an embedder) reads the same `{ type, data }` objects; `encodeEvent` is
 * the JSON the API sends.
 */
import type { AccountInfo, CallInfo, EngineState, HistoryEntry, RegistrationInfo, SettingsInfo } from './engine-schemas.js';

export interface EngineEventMap {
  [key: string]: unknown;
  /** The whole state (the API sends it first on every WebSocket). */
  state: EngineState;
  /** An account's registration changed. */
  registration: { accountId: number; registration: RegistrationInfo };
  /** Accounts were created, changed, deleted or the default moved: the new list. */
  accounts: { accounts: AccountInfo[] };
  /** A call changed: state, hold, mute, codec, transfer, or it ended. */
  call: CallInfo;
  /** A call is ringing here (answer or decline it). */
  incoming: CallInfo;
  /** A DTMF digit from the peer of a call. */
  dtmf: { callId: string; digit: string; via: 'rfc4733' | 'info' };
  /** Quality of an established call, once a second. */
  stats: { callId: string; lossPct: number; jitterMs: number; rttMs: number | null };
  /** A history row was written or changed; the missed-call badge with it. */
  history: { entry: HistoryEntry | null; missedCount: number };
  /** Contacts changed (created, updated, deleted, imported). */
  contacts: { change: 'created' | 'updated' | 'deleted' | 'imported'; ids: number[] };
  /** Settings changed: all of them. */
  settings: SettingsInfo;
}

export type EngineEventType = 'state' | 'registration' | 'accounts' | 'call' | 'incoming' | 'dtmf' | 'stats' | 'history' | 'contacts' | 'settings';
export type EngineEvent = { [K in EngineEventType]: { type: K; data: EngineEventMap[K] } }[EngineEventType];

export const ENGINE_EVENT_TYPES: readonly EngineEventType[] = ['state', 'registration', 'accounts', 'call', 'incoming', 'dtmf', 'stats', 'history', 'contacts', 'settings'];

/** The one wire encoding of an event: `{"type":"call","data":{...}}`. */
export function encodeEvent(event: EngineEvent): string {
  return JSON.stringify({ type: event.type, data: event.data });
}
