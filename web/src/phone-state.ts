/**
 * The UI's picture of the phone: GET /api/state, kept current by the WebSocket events. A pure
 * reducer, so the event handling is tested under Node. It is tolerant of the events' exact
 * payloads (a whole Account or just its registration, a call id or the whole call), since the
 * engine and the UI are built side by side.
 */
import type { Account, CallInfo, CallStats, PhoneEvent, PhoneState, Registration, Settings } from './api-types.js';
import { partyName } from './dial.js';

export interface UiState extends PhoneState {
  /** Bumped when history or contacts change, so open lists fetch again. */
  historyVersion: number;
  contactsVersion: number;
  /** DTMF digits received per call, shown on the call screen. */
  dtmfReceived: Record<string, string>;
  /** The last call that ended, and why, for a moment's note on the dial pad. */
  lastEnded: { id: string; name: string; reason: string | null; outcome: string | null; at: number } | null;
  /** Ids of calls that ended lately: a late REST reply about one must not bring it back. */
  endedIds: string[];
}

export const EMPTY_STATE: UiState = {
  accounts: [],
  calls: [],
  settings: null,
  missedCount: 0,
  directUri: null,
  historyVersion: 0,
  contactsVersion: 0,
  dtmfReceived: {},
  lastEnded: null,
  endedIds: [],
};

/** How far along a call is; a call never goes back (calling → ringing → early → established). */
const CALL_PROGRESS: Record<string, number> = { calling: 0, incoming: 0, ringing: 1, early: 2, established: 3 };

export type UiAction = PhoneEvent | { type: 'accounts'; data: Account[] } | { type: 'account-saved'; data: Account } | { type: 'call-removed'; data: string };

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function idOf(x: Record<string, unknown>, ...keys: string[]): string | null {
  for (const k of keys) {
    const v = x[k];
    if (typeof v === 'string' || typeof v === 'number') return String(v);
  }
  return null;
}

const sameId = (a: unknown, b: unknown) => String(a) === String(b);

function upsert<T extends { id: string | number }>(list: T[], item: T): T[] {
  const i = list.findIndex((x) => sameId(x.id, item.id));
  if (i < 0) return [...list, item];
  const copy = list.slice();
  copy[i] = item;
  return copy;
}

function isCall(x: unknown): x is CallInfo {
  return isObject(x) && typeof x.id === 'string' && typeof x.state === 'string' && isObject(x.remote);
}

function isAccount(x: unknown): x is Account {
  return isObject(x) && (typeof x.id === 'string' || typeof x.id === 'number') && typeof x.aor === 'string';
}

function normaliseCall(c: CallInfo): CallInfo {
  return { ...c, hold: c.hold ?? { local: false, remote: false }, muted: Boolean(c.muted) };
}

export function phoneReducer(state: UiState, action: UiAction): UiState {
  const data = action.data;
  switch (action.type) {
    case 'state': {
      if (!isObject(data)) return state;
      const s = data as Partial<PhoneState>;
      return {
        ...state,
        accounts: Array.isArray(s.accounts) ? s.accounts.filter(isAccount) : state.accounts,
        calls: Array.isArray(s.calls) ? s.calls.filter(isCall).filter((c) => c.state !== 'ended').map(normaliseCall) : state.calls,
        settings: isObject(s.settings) ? (s.settings as Settings) : state.settings,
        missedCount: typeof s.missedCount === 'number' ? s.missedCount : state.missedCount,
        directUri: typeof s.directUri === 'string' ? s.directUri : state.directUri,
        historyVersion: state.historyVersion + 1,
        contactsVersion: state.contactsVersion + 1,
      };
    }
    case 'accounts': {
      // The engine sends { accounts: [...] } after any change; a bare list is taken too.
      const list = Array.isArray(data) ? data : isObject(data) && Array.isArray(data.accounts) ? data.accounts : null;
      return list ? { ...state, accounts: list.filter(isAccount) } : state;
    }
    case 'account-saved': {
      // A REST reply may arrive after a newer registration event: keep the registration we have.
      if (!isAccount(data)) return state;
      const have = state.accounts.find((a) => sameId(a.id, data.id));
      return { ...state, accounts: upsert(state.accounts, have ? { ...data, registration: have.registration } : data) };
    }
    case 'registration': {
      if (isAccount(data)) return { ...state, accounts: upsert(state.accounts, data) };
      if (!isObject(data)) return state;
      const id = idOf(data, 'accountId', 'id');
      if (id === null) return state;
      const reg = (isObject(data.registration) ? data.registration : data) as unknown as Registration;
      if (typeof reg.state !== 'string') return state;
      const { state: regState, reason, status, expires } = reg;
      return {
        ...state,
        accounts: state.accounts.map((a) => (sameId(a.id, id) ? { ...a, registration: { state: regState, reason, status, expires } } : a)),
      };
    }
    case 'call':
    case 'incoming': {
      const call = isObject(data) && isCall(data.call) ? data.call : data;
      if (!isCall(call)) return state;
      if (call.state === 'ended') {
        const gone = phoneReducer(state, { type: 'call-removed', data: call.id });
        // Worth a note: a call that ended without this side hanging up (busy, failed, no answer).
        const end = call.end;
        if (!end || end.by === 'local') return { ...gone, lastEnded: null };
        const name = partyName(call.remote.contactName, call.remote.displayName, call.remote.uri);
        const reason = [end.status, end.reason].filter((x) => x !== undefined && x !== '').join(' ') || null;
        return { ...gone, lastEnded: { id: call.id, name, reason, outcome: end.outcome ?? null, at: Date.now() } };
      }
      // A REST reply (dial, answer) can arrive after the events that overtook it: a call that
      // already ended, or a state behind the one known, is stale (seen: the dial's "calling"
      // reply landing after "established", leaving the screen on "Calling…").
      if (state.endedIds.includes(call.id)) return state;
      const before = state.calls.find((c) => c.id === call.id);
      if (before && (CALL_PROGRESS[call.state] ?? 0) < (CALL_PROGRESS[before.state] ?? 0)) return state;
      // A call update without stats keeps the last ones (stats come once a second on their own).
      const next = normaliseCall(call);
      if (next.stats === undefined && before?.stats) next.stats = before.stats;
      return { ...state, calls: upsert(state.calls, next) };
    }
    case 'call-removed': {
      const id = String(data);
      const { [id]: _gone, ...dtmfReceived } = state.dtmfReceived;
      return { ...state, calls: state.calls.filter((c) => c.id !== id), dtmfReceived, endedIds: [...state.endedIds.filter((x) => x !== id), id].slice(-50) };
    }
    case 'stats': {
      if (!isObject(data)) return state;
      const id = idOf(data, 'callId', 'id');
      const stats = (isObject(data.stats) ? data.stats : data) as unknown as CallStats;
      if (id === null || typeof stats.lossPct !== 'number') return state;
      const next = { lossPct: stats.lossPct, jitterMs: stats.jitterMs, rttMs: typeof stats.rttMs === 'number' ? stats.rttMs : null };
      return { ...state, calls: state.calls.map((c) => (c.id === id ? { ...c, stats: next } : c)) };
    }
    case 'dtmf': {
      if (!isObject(data)) return state;
      const id = idOf(data, 'callId', 'id');
      const digits = typeof data.digits === 'string' ? data.digits : typeof data.digit === 'string' ? data.digit : '';
      // Only received digits are shown; the ones this UI sent are echoed locally.
      if (id === null || digits === '' || data.direction === 'sent' || data.direction === 'out') return state;
      const before = state.dtmfReceived[id] ?? '';
      return { ...state, dtmfReceived: { ...state.dtmfReceived, [id]: (before + digits).slice(-32) } };
    }
    case 'history': {
      const missed = isObject(data) && typeof data.missedCount === 'number' ? data.missedCount : null;
      return { ...state, missedCount: missed ?? state.missedCount, historyVersion: state.historyVersion + 1 };
    }
    case 'contacts':
      return { ...state, contactsVersion: state.contactsVersion + 1 };
    case 'settings':
      return isObject(data) ? { ...state, settings: { ...(state.settings ?? {}), ...data } as Settings } : state;
    default:
      return state;
  }
}

/**
 * The call the call screen shows: the one the person chose if it still exists, else a ringing
 * one, else the established call not on hold, else the newest.
 */
export function focusedCall(calls: readonly CallInfo[], chosenId: string | null): CallInfo | null {
  if (calls.length === 0) return null;
  const chosen = chosenId !== null ? calls.find((c) => c.id === chosenId) : undefined;
  if (chosen) return chosen;
  return (
    calls.find((c) => c.state === 'incoming') ??
    calls.find((c) => c.state === 'established' && !c.hold.local) ??
    calls.find((c) => c.state !== 'established') ??
    calls[calls.length - 1] ??
    null
  );
}

/** The account calls go out from: the default, else the first enabled, else the first. */
export function defaultAccount(accounts: readonly Account[]): Account | null {
  return accounts.find((a) => a.isDefault) ?? accounts.find((a) => a.enabled) ?? accounts[0] ?? null;
}

/** Reconnect delays for the event socket: 0.5 s doubling to 30 s, with ±20 % jitter. */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 500 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.8 + 0.4 * random()));
}
