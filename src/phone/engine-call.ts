/**
 * One call as the engine keeps it: the Call, its line (account), its history row, and what
 * CallInfo shows (contact name, stats, transfer, end). Writes the history row as the call
 * starts, is answered and ends; the outcome rules are `outcomeOf`.
 */
import type { RingKind } from '../media/ring-tones.js';
import type { Call, CallEndInfo } from './call.js';
import type { CallInfo, CallStatsInfo, HistoryEntry } from './engine-schemas.js';
import type { CallOutcome, CallRecord, PhoneStore } from './store/index.js';
import { serializeUri } from '../sip/serializer.js';

/** What a call's end means for history (the store's outcomes, history.ts). */
export function outcomeOf(direction: 'outgoing' | 'incoming', answered: boolean, end: CallEndInfo): CallOutcome {
  if (answered) return 'answered';
  if (direction === 'incoming') {
    // Refused here (by the user, by DND, or redirected): declined; the caller gave up or the
    // network failed before anyone answered: missed.
    return end.by === 'local' ? 'declined' : 'missed';
  }
  if (end.cause === 'cancelled' && end.by === 'local') return 'cancelled';
  if (end.cause === 'busy') return 'busy';
  if (end.cause === 'declined') return 'declined';
  return 'failed';
}

export function historyEntry(store: PhoneStore, row: CallRecord): HistoryEntry {
  return { ...row, contactName: contactNameOf(store, row.remoteUri) };
}

export function contactNameOf(store: PhoneStore, uri: string): string | null {
  try {
    return store.contacts.resolveCaller(uri)?.contact.name ?? null;
  } catch {
    return null;
  }
}

export class EngineCall {
  readonly call: Call;
  readonly accountId: number | null;
  readonly remoteUri: string;
  historyId: number | null = null;
  contactName: string | null;
  stats: CallStatsInfo | undefined;
  transfer: CallInfo['transfer'];
  /** Where the call's audio goes (the engine's CallAudioHub says). */
  audio: CallInfo['audio'];
  end: CallInfo['end'];
  /** Set when DND refused the call: the history reason. */
  refusedBecause: string | undefined;
  autoAnswer: ReturnType<typeof setTimeout> | undefined;
  /** The ringtone while this incoming call rings, or the ringback while this outgoing one does (PhoneEngineOptions.ringer). */
  ringing: { stop(): void; kind: RingKind } | undefined;

  constructor(call: Call, accountId: number | null, store: PhoneStore) {
    this.call = call;
    this.accountId = accountId;
    this.remoteUri = serializeUri(call.remote.uri);
    this.contactName = contactNameOf(store, this.remoteUri);
  }

  get id(): string {
    return this.call.id;
  }

  info(): CallInfo {
    const c = this.call;
    return {
      id: c.id,
      accountId: this.accountId,
      direction: c.direction,
      state: c.state,
      remote: { uri: this.remoteUri, displayName: c.remote.displayName ?? null, contactName: this.contactName },
      startedAt: c.startedAt,
      answeredAt: c.answeredAt ?? null,
      codec: c.codec ?? null,
      muted: c.muted,
      hold: c.onHold,
      ...(this.stats ? { stats: this.stats } : {}),
      ...(this.transfer ? { transfer: this.transfer } : {}),
      ...(this.audio ? { audio: this.audio } : {}),
      ...(this.end ? { end: this.end } : {}),
      historyId: this.historyId,
    };
  }

  /** The history row, written as the call starts (no outcome yet: closeUnfinished catches a crash). */
  recordStart(store: PhoneStore, localUri: string | null): CallRecord {
    const row = store.history.add({
      accountId: this.accountId,
      direction: this.call.direction === 'outgoing' ? 'out' : 'in',
      remoteUri: this.remoteUri,
      remoteDisplayName: this.call.remote.displayName ?? null,
      localUri,
      startedAt: this.call.startedAt,
      callId: this.call.sipCallId ?? null,
    });
    this.historyId = row.id;
    return row;
  }

  recordAnswer(store: PhoneStore): CallRecord | undefined {
    if (this.historyId === null) return undefined;
    return store.history.update(this.historyId, { answeredAt: this.call.answeredAt ?? Date.now(), codec: this.call.codec ?? null, callId: this.call.sipCallId ?? null });
  }

  recordCodec(store: PhoneStore): void {
    if (this.historyId !== null && this.call.codec) store.history.update(this.historyId, { codec: this.call.codec });
  }

  recordEnd(store: PhoneStore, end: CallEndInfo): CallRecord | undefined {
    const answered = this.call.answeredAt !== undefined;
    const outcome = outcomeOf(this.call.direction, answered, end);
    const reason = this.refusedBecause ?? (outcome === 'answered' ? end.reason : end.status && !end.reason.includes(String(end.status)) ? `${end.reason} (${end.status})` : end.reason);
    this.end = { reason, by: end.by, outcome, ...(end.status !== undefined ? { status: end.status } : {}) };
    if (this.historyId === null) return undefined;
    return store.history.update(this.historyId, {
      endedAt: Date.now(),
      answeredAt: this.call.answeredAt ?? null,
      outcome,
      reason,
      codec: this.call.codec ?? null,
      callId: this.call.sipCallId ?? null,
    });
  }
}
