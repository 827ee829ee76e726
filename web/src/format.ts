/** How times, durations, states and call quality read in the UI. Pure: no DOM. */
import type { ApiTime, CallInfo, CallStats, HistoryEntry, Registration } from './api-types.js';

/** Epoch milliseconds from an API time (ms, seconds, or ISO 8601), null when absent or unreadable. */
export function toMs(t: ApiTime | undefined): number | null {
  if (t === null || t === undefined || t === '') return null;
  if (typeof t === 'number') {
    if (!Number.isFinite(t)) return null;
    // Seconds since the epoch stay below 1e11 until the year 5138; milliseconds are above it.
    return t < 1e11 ? t * 1000 : t;
  }
  const n = Number(t);
  if (t.trim() !== '' && Number.isFinite(n)) return toMs(n);
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
}

/** A call timer: "0:07", "12:34", "1:02:03". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '0:00';
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A duration for screen readers: "1 minute 5 seconds". */
export function spokenDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const part = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  const parts: string[] = [];
  if (h) parts.push(part(h, 'hour'));
  if (m) parts.push(part(m, 'minute'));
  if (s || parts.length === 0) parts.push(part(s, 'second'));
  return parts.join(' ');
}

export type DayBucket = 'today' | 'yesterday' | 'this-week' | 'older' | 'future';

/** Which day group a time falls in, in the local time zone. */
export function dayBucket(ms: number, now: number): DayBucket {
  const startOfDay = (t: number) => {
    const d = new Date(t);
    d.setHours(0, 0, 0, 0);
    return d.getTime();
  };
  const today = startOfDay(now);
  const day = startOfDay(ms);
  if (day > today) return 'future';
  if (day === today) return 'today';
  // Calendar days, not 24 h steps, so a DST change does not move a call to the wrong day.
  const yesterday = new Date(today);
  yesterday.setDate(yesterday.getDate() - 1);
  if (day === yesterday.getTime()) return 'yesterday';
  const weekAgo = new Date(today);
  weekAgo.setDate(weekAgo.getDate() - 6);
  return day >= weekAgo.getTime() ? 'this-week' : 'older';
}

/** "14:05", "Yesterday 14:05", "Mon 14:05", "3 Mar 2025 14:05" in the browser's locale. */
export function formatWhen(ms: number | null, now: number, locale?: string): string {
  if (ms === null) return '';
  const d = new Date(ms);
  const time = d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  switch (dayBucket(ms, now)) {
    case 'today':
      return time;
    case 'yesterday':
      return `Yesterday ${time}`;
    case 'this-week':
      return `${d.toLocaleDateString(locale, { weekday: 'short' })} ${time}`;
    default: {
      const sameYear = d.getFullYear() === new Date(now).getFullYear();
      return `${d.toLocaleDateString(locale, sameYear ? { day: 'numeric', month: 'short' } : { day: 'numeric', month: 'short', year: 'numeric' })} ${time}`;
    }
  }
}

const OUTCOME_LABELS: Record<NonNullable<HistoryEntry['outcome']>, string> = {
  answered: 'Answered',
  missed: 'Missed',
  declined: 'Declined',
  failed: 'Failed',
  cancelled: 'Cancelled',
  busy: 'Busy',
};

/** "Answered", "Missed", "Failed: 404 Not Found". */
export function outcomeLabel(entry: Pick<HistoryEntry, 'outcome' | 'reason'>): string {
  if (entry.outcome === null) return 'In progress';
  const label = OUTCOME_LABELS[entry.outcome] ?? entry.outcome;
  return entry.outcome === 'failed' && entry.reason ? `${label}: ${entry.reason}` : label;
}

/** The history's in/out or the contract's incoming/outgoing, as one. */
export function isIncoming(direction: HistoryEntry['direction']): boolean {
  return direction === 'incoming' || direction === 'in';
}

/** What the call screen says about a call's state. */
export function callStateLabel(call: Pick<CallInfo, 'state' | 'direction' | 'hold'>): string {
  switch (call.state) {
    case 'calling':
      return 'Calling…';
    case 'ringing':
      return 'Ringing…';
    case 'early':
      return 'Ringing (early media)';
    case 'incoming':
      return 'Incoming call';
    case 'ended':
      return 'Call ended';
    case 'established':
      if (call.hold.local && call.hold.remote) return 'On hold (both sides)';
      if (call.hold.local) return 'On hold';
      if (call.hold.remote) return 'Held by the other party';
      return 'Connected';
    default:
      return String(call.state);
  }
}

export type QualityLevel = 'good' | 'fair' | 'poor';

/**
 * Loss, jitter and round trip in one line, with a level. Thresholds follow the usual VoIP rules
 * of thumb (ITU-T G.114 puts one-way delay above 150 ms as noticeable, i.e. RTT 300 ms; loss
 * above 1-3% is audible even with concealment).
 */
export function quality(stats: CallStats | undefined): { text: string; level: QualityLevel } | null {
  if (!stats) return null;
  const { lossPct, jitterMs } = stats;
  const rttMs = stats.rttMs ?? 0;
  const parts = [`Loss ${fixed(lossPct, 1)}%`, `Jitter ${fixed(jitterMs, 0)} ms`];
  if (Number.isFinite(rttMs) && rttMs > 0) parts.push(`RTT ${fixed(rttMs, 0)} ms`);
  let level: QualityLevel = 'good';
  if (lossPct > 5 || jitterMs > 60 || rttMs > 600) level = 'poor';
  else if (lossPct > 1 || jitterMs > 30 || rttMs > 300) level = 'fair';
  return { text: parts.join(' · '), level };
}

function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '–';
}

/** "Registered", "Failed: 403 Forbidden", "Retrying: 503 Service Unavailable". */
export function registrationLabel(reg: Registration | undefined, enabled = true): string {
  if (!enabled) return 'Disabled';
  if (!reg) return 'Unknown';
  const why = [reg.status, reg.reason].filter((x) => x !== undefined && x !== null && x !== '').join(' ');
  switch (reg.state) {
    case 'registered':
      return reg.expires ? `Registered (${reg.expires} s)` : 'Registered';
    case 'registering':
      return 'Registering…';
    case 'unregistering':
      return 'Unregistering…';
    case 'unregistered':
      return 'Not registered';
    case 'retry-wait':
      return why ? `Retrying after: ${why}` : 'Waiting to retry';
    case 'failed':
      return why ? `Failed: ${why}` : 'Failed';
    case 'error':
      return why ? `Error: ${why}` : 'Error';
    case 'disabled':
      return 'Disabled';
    default:
      return String(reg.state);
  }
}
