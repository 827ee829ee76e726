/** History: every call, searchable, with call back; viewing it clears the missed-call badge. */
import { useEffect, useState } from 'preact/hooks';
import type { HistoryEntry, Id } from '../api-types.js';
import { api } from '../api.js';
import { partyName } from '../dial.js';
import { formatDuration, formatWhen, isIncoming, outcomeLabel, toMs } from '../format.js';
import { Button, Icon, useDebounced, useNow } from './ui.js';

const PAGE = 50;

interface Props {
  version: number;
  missedCount: number;
  onCall: (target: string, accountId: Id | null) => void;
  onError: (message: string) => void;
}

export function HistoryView({ version, missedCount, onCall, onError }: Props) {
  const [query, setQuery] = useState('');
  const q = useDebounced(query.trim(), 250);
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [next, setNext] = useState<string | number | null>(null);
  const now = useNow(60_000);

  useEffect(() => {
    let live = true;
    api.history.list({ q, limit: PAGE }).then(
      (page) => {
        if (!live) return;
        setEntries(page.calls);
        setNext(page.next ?? null);
      },
      (e: Error) => live && onError(e.message),
    );
    return () => {
      live = false;
    };
  }, [q, version]);

  // Seeing the list is seeing the missed calls.
  useEffect(() => {
    if (missedCount > 0) api.history.markSeen().catch(() => {});
  }, [missedCount]);

  const more = () => {
    if (next === null) return;
    api.history.list({ q, limit: PAGE, before: next }).then(
      (page) => {
        setEntries((e) => [...(e ?? []), ...page.calls]);
        setNext(page.next ?? null);
      },
      (e: Error) => onError(e.message),
    );
  };

  return (
    <section class="view" aria-labelledby="history-title">
      <div class="view-head">
        <h1 id="history-title">History</h1>
      </div>
      <input class="search" type="search" aria-label="Search history by name or number" placeholder="Search name or number" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
      {entries === null ? (
        <p class="muted">Loading…</p>
      ) : entries.length === 0 ? (
        <p class="empty">{q ? `No calls match “${q}”.` : 'No calls yet.'}</p>
      ) : (
        <ul class="list" aria-label="Calls">
          {entries.map((h) => {
            const name = partyName(h.contactName, h.remoteDisplayName, h.remoteUri);
            const incoming = isIncoming(h.direction);
            const bad = h.outcome !== 'answered';
            const started = toMs(h.startedAt);
            const ended = toMs(h.endedAt);
            const label = `${incoming ? 'Incoming' : 'Outgoing'} call ${incoming ? 'from' : 'to'} ${name}, ${outcomeLabel(h)}`;
            return (
              <li key={h.id} class={`row history-row outcome-${h.outcome}`} aria-label={label}>
                <span class={`dir ${bad ? 'dir-bad' : ''}`} title={incoming ? 'Incoming' : 'Outgoing'}>
                  <Icon name={incoming ? 'incoming' : 'outgoing'} />
                </span>
                <div class="row-main">
                  <strong>{name}</strong>
                  <span class="muted small">{h.remoteUri}</span>
                  <span class={`outcome ${bad ? 'outcome-bad' : ''}`}>
                    {outcomeLabel(h)}
                    {h.outcome === 'answered' ? ` · ${formatDuration(h.durationMs ?? (ended !== null && toMs(h.answeredAt) !== null ? ended - (toMs(h.answeredAt) ?? 0) : 0))}` : ''}
                    {h.codec && h.outcome === 'answered' ? ` · ${h.codec}` : ''}
                  </span>
                </div>
                <div class="row-side">
                  <time class="muted small" dateTime={started !== null ? new Date(started).toISOString() : undefined} title={started !== null ? new Date(started).toLocaleString() : undefined}>
                    {formatWhen(started, now)}
                  </time>
                  <Button icon="phone" label={`Call ${name} back`} variant="answer" onClick={() => onCall(h.remoteUri, h.accountId)} />
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {next !== null && entries?.length ? (
        <button type="button" class="btn more" onClick={more}>
          Show older calls
        </button>
      ) : null}
    </section>
  );
}
