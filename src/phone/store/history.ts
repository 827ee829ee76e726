/**
 * Call history: one row per call, in or out, written when the call starts (or when it ends)
 * and completed as it is answered and ends. Times are ms since the epoch (UTC).
 */
import { callSearchKey, likeContains, searchPatterns } from './caller-id.js';
import type { SqliteDatabase } from './database.js';
import { StoreError } from './errors.js';
import { oneOf, optionalText, optionalTime, requireId, requireLimit, requireText, requireTime } from './validate.js';

export type CallDirection = 'in' | 'out';
export const CALL_DIRECTIONS: readonly CallDirection[] = ['in', 'out'];

/**
 * How a call ended. `missed`: an incoming call nobody answered (the caller gave up or it timed
 * out); `declined`: rejected by the user (or by DND); `cancelled`: an outgoing call we gave up
 * before an answer; `busy`: 486/600; `failed`: any other error, with the reason.
 */
export type CallOutcome = 'answered' | 'missed' | 'declined' | 'failed' | 'cancelled' | 'busy';
export const CALL_OUTCOMES: readonly CallOutcome[] = ['answered', 'missed', 'declined', 'failed', 'cancelled', 'busy'];

export interface CallRecord {
  id: number;
  accountId: number | null;
  direction: CallDirection;
  remoteUri: string;
  remoteDisplayName: string | null;
  localUri: string | null;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  /** endedAt - answeredAt, 0 for a call never answered, null while the call goes on. */
  durationMs: number | null;
  /** null while the call is in progress. */
  outcome: CallOutcome | null;
  /** The SIP status and reason, or why it failed: "486 Busy Here", "408 timeout". */
  reason: string | null;
  codec: string | null;
  /** The SIP Call-ID. */
  callId: string | null;
  /** For a missed call: whether the user has seen it (the missed-call badge). */
  seen: boolean;
}

export interface NewCall {
  accountId?: number | null;
  direction: CallDirection;
  remoteUri: string;
  remoteDisplayName?: string | null;
  localUri?: string | null;
  startedAt: number;
  answeredAt?: number | null;
  endedAt?: number | null;
  /** Computed from the times when absent. */
  durationMs?: number | null;
  outcome?: CallOutcome | null;
  reason?: string | null;
  codec?: string | null;
  callId?: string | null;
}

export type CallUpdate = Partial<Pick<NewCall, 'remoteDisplayName' | 'answeredAt' | 'endedAt' | 'durationMs' | 'outcome' | 'reason' | 'codec' | 'callId'>>;

/** Where the next page starts: the last call of the previous page. */
export interface HistoryCursor {
  startedAt: number;
  id: number;
}

export interface HistoryPage {
  calls: CallRecord[];
  /** Pass back as `before` for the next (older) page; null when this page was the last. */
  next: HistoryCursor | null;
}

export interface RecentOptions {
  /** Page size, 1-1000; default 50. */
  limit?: number;
  before?: HistoryCursor;
  outcome?: CallOutcome;
  direction?: CallDirection;
}

interface CallRow {
  id: number;
  account_id: number | null;
  direction: CallDirection;
  remote_uri: string;
  remote_display_name: string | null;
  local_uri: string | null;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  duration_ms: number | null;
  outcome: CallOutcome | null;
  reason: string | null;
  codec: string | null;
  call_id: string | null;
  seen: number;
}

function fromRow(r: CallRow): CallRecord {
  return {
    id: r.id,
    accountId: r.account_id,
    direction: r.direction,
    remoteUri: r.remote_uri,
    remoteDisplayName: r.remote_display_name,
    localUri: r.local_uri,
    startedAt: r.started_at,
    answeredAt: r.answered_at,
    endedAt: r.ended_at,
    durationMs: r.duration_ms,
    outcome: r.outcome,
    reason: r.reason,
    codec: r.codec,
    callId: r.call_id,
    seen: r.seen === 1,
  };
}

const COLUMNS = `id, account_id, direction, remote_uri, remote_display_name, local_uri, started_at, answered_at,
  ended_at, duration_ms, outcome, reason, codec, call_id, seen`;

function durationOf(c: { answeredAt: number | null; endedAt: number | null; durationMs?: number | null | undefined }): number | null {
  if (c.durationMs !== undefined && c.durationMs !== null) {
    if (!Number.isSafeInteger(c.durationMs) || c.durationMs < 0) {
      throw new StoreError('invalid-argument', `durationMs must be a non-negative integer, not ${c.durationMs}`);
    }
    return c.durationMs;
  }
  if (c.endedAt === null) return null;
  return c.answeredAt === null ? 0 : Math.max(0, c.endedAt - c.answeredAt);
}

export class CallHistory {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  /** Records a call (finished, or in progress when `outcome` is absent). */
  add(call: NewCall): CallRecord {
    const answeredAt = optionalTime(call.answeredAt, 'answeredAt');
    const endedAt = optionalTime(call.endedAt, 'endedAt');
    const row = {
      account_id: call.accountId === undefined || call.accountId === null ? null : requireId(call.accountId, 'accountId'),
      direction: oneOf(call.direction, CALL_DIRECTIONS, 'direction'),
      remote_uri: requireText(call.remoteUri, 'remoteUri'),
      remote_display_name: optionalText(call.remoteDisplayName, 'remoteDisplayName'),
      local_uri: optionalText(call.localUri, 'localUri'),
      started_at: requireTime(call.startedAt, 'startedAt'),
      answered_at: answeredAt,
      ended_at: endedAt,
      duration_ms: durationOf({ answeredAt, endedAt, durationMs: call.durationMs }),
      outcome: call.outcome === undefined || call.outcome === null ? null : oneOf(call.outcome, CALL_OUTCOMES, 'outcome'),
      reason: optionalText(call.reason, 'reason'),
      codec: optionalText(call.codec, 'codec'),
      call_id: optionalText(call.callId, 'callId'),
      search_key: '',
    };
    row.search_key = callSearchKey({ remoteDisplayName: row.remote_display_name, remoteUri: row.remote_uri });
    const info = this.#db
      .prepare(
        `INSERT INTO calls (account_id, direction, remote_uri, remote_display_name, local_uri, started_at, answered_at,
           ended_at, duration_ms, outcome, reason, codec, call_id, search_key)
         VALUES (@account_id, @direction, @remote_uri, @remote_display_name, @local_uri, @started_at, @answered_at,
           @ended_at, @duration_ms, @outcome, @reason, @codec, @call_id, @search_key)`,
      )
      .run(row);
    return this.#mustGet(Number(info.lastInsertRowid));
  }

  /**
   * Completes a call: sets the given fields (undefined ones are left alone) and recomputes
   * the duration from the times unless `durationMs` is given.
   */
  update(id: number, patch: CallUpdate): CallRecord {
    const current = this.#mustGet(requireId(id, 'id'));
    const next = { ...current };
    if (patch.remoteDisplayName !== undefined) next.remoteDisplayName = optionalText(patch.remoteDisplayName, 'remoteDisplayName');
    if (patch.answeredAt !== undefined) next.answeredAt = optionalTime(patch.answeredAt, 'answeredAt');
    if (patch.endedAt !== undefined) next.endedAt = optionalTime(patch.endedAt, 'endedAt');
    if (patch.outcome !== undefined) next.outcome = patch.outcome === null ? null : oneOf(patch.outcome, CALL_OUTCOMES, 'outcome');
    if (patch.reason !== undefined) next.reason = optionalText(patch.reason, 'reason');
    if (patch.codec !== undefined) next.codec = optionalText(patch.codec, 'codec');
    if (patch.callId !== undefined) next.callId = optionalText(patch.callId, 'callId');
    next.durationMs = durationOf({ answeredAt: next.answeredAt, endedAt: next.endedAt, durationMs: patch.durationMs });
    this.#db
      .prepare(
        `UPDATE calls SET remote_display_name = ?, answered_at = ?, ended_at = ?, duration_ms = ?, outcome = ?, reason = ?,
           codec = ?, call_id = ?, search_key = ? WHERE id = ?`,
      )
      .run(
        next.remoteDisplayName,
        next.answeredAt,
        next.endedAt,
        next.durationMs,
        next.outcome,
        next.reason,
        next.codec,
        next.callId,
        callSearchKey(next),
        id,
      );
    return this.#mustGet(id);
  }

  get(id: number): CallRecord | undefined {
    const r = this.#db.prepare(`SELECT ${COLUMNS} FROM calls WHERE id = ?`).get(id) as CallRow | undefined;
    return r && fromRow(r);
  }

  /** The most recent call with this SIP Call-ID. */
  findByCallId(callId: string): CallRecord | undefined {
    const r = this.#db.prepare(`SELECT ${COLUMNS} FROM calls WHERE call_id = ? ORDER BY id DESC LIMIT 1`).get(callId) as CallRow | undefined;
    return r && fromRow(r);
  }

  /** Newest first (by start time, then id), a page at a time. */
  recent(options: RecentOptions = {}): HistoryPage {
    const limit = requireLimit(options.limit ?? 50);
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.before) {
      where.push('(started_at < ? OR (started_at = ? AND id < ?))');
      params.push(options.before.startedAt, options.before.startedAt, options.before.id);
    }
    if (options.outcome !== undefined) {
      where.push('outcome = ?');
      params.push(oneOf(options.outcome, CALL_OUTCOMES, 'outcome'));
    }
    if (options.direction !== undefined) {
      where.push('direction = ?');
      params.push(oneOf(options.direction, CALL_DIRECTIONS, 'direction'));
    }
    const sql = `SELECT ${COLUMNS} FROM calls ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY started_at DESC, id DESC LIMIT ?`;
    const rows = this.#db.prepare(sql).all(...params, limit + 1) as CallRow[];
    const calls = rows.slice(0, limit).map(fromRow);
    const last = calls[calls.length - 1];
    return { calls, next: rows.length > limit && last ? { startedAt: last.startedAt, id: last.id } : null };
  }

  /**
   * Calls whose remote display name or URI contains `query`, ignoring case and accents
   * ("zoe" finds "Zoë"); a formatted number ("555-123") also matches by its digits. Newest
   * first. An empty query returns nothing.
   */
  search(query: string, options: { limit?: number } = {}): CallRecord[] {
    const limit = requireLimit(options.limit ?? 50);
    const patterns = searchPatterns(query);
    if (patterns.length === 0) return [];
    const sql = `SELECT ${COLUMNS} FROM calls WHERE ${patterns.map(() => "search_key LIKE ? ESCAPE '\\'").join(' OR ')}
      ORDER BY started_at DESC, id DESC LIMIT ?`;
    return (this.#db.prepare(sql).all(...patterns.map(likeContains), limit) as CallRow[]).map(fromRow);
  }

  /** Missed calls the user has not seen yet (the badge). */
  missedCount(): number {
    return Number(this.#db.prepare("SELECT count(*) FROM calls WHERE outcome = 'missed' AND seen = 0").pluck().get());
  }

  /** Marks every missed call (up to `upToId` when given) as seen; returns how many changed. */
  markMissedSeen(upToId?: number): number {
    const bound = upToId === undefined ? Number.MAX_SAFE_INTEGER : requireId(upToId, 'upToId');
    return this.#db.prepare("UPDATE calls SET seen = 1 WHERE outcome = 'missed' AND seen = 0 AND id <= ?").run(bound).changes;
  }

  /**
   * Calls left without an outcome (the engine stopped during them) become `failed` with the
   * given reason, ended at their last known time. The engine runs this once at start.
   */
  closeUnfinished(reason = 'engine stopped during the call'): number {
    return this.#db
      .prepare(
        `UPDATE calls SET outcome = 'failed', reason = coalesce(reason, ?),
           ended_at = coalesce(ended_at, answered_at, started_at),
           duration_ms = coalesce(ended_at, answered_at, started_at) - coalesce(answered_at, coalesce(ended_at, answered_at, started_at))
         WHERE outcome IS NULL`,
      )
      .run(reason).changes;
  }

  delete(id: number): boolean {
    return this.#db.prepare('DELETE FROM calls WHERE id = ?').run(id).changes === 1;
  }

  /** Deletes every call (or those started before `before`); returns how many. */
  clear(before?: number): number {
    if (before === undefined) return this.#db.prepare('DELETE FROM calls').run().changes;
    return this.#db.prepare('DELETE FROM calls WHERE started_at < ?').run(requireTime(before, 'before')).changes;
  }

  count(): number {
    return Number(this.#db.prepare('SELECT count(*) FROM calls').pluck().get());
  }

  #mustGet(id: number): CallRecord {
    const c = this.get(id);
    if (!c) throw new StoreError('not-found', `no call with id ${id}`);
    return c;
  }
}
