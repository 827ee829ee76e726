/**
 * Every conversation with the engine's local API: the token, REST calls and the event socket.
 * The token comes once in the URL fragment (`#token=…`), lives in sessionStorage for this tab,
 * and leaves the address bar at once, so it is not in bookmarks, history or screenshots.
 */
import type {
  Account,
  AccountInput,
  CallInfo,
  Contact,
  ContactInput,
  HistoryPage,
  ImportReport,
  PhoneEvent,
  PhoneState,
  Settings,
  SystemAudioDevices,
} from './api-types.js';
import { eventFromWire, historyPageFromWire, isDottedSettings, settingsFromWire, settingsToWire } from './api-wire.js';
import { reconnectDelay } from './phone-state.js';
import { parseFragment } from './protocol-links.js';

const TOKEN_KEY = 'softphone.token';

/** A failed request: the HTTP status and the engine's message. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/**
 * Reads the launch fragment: stores a token, strips the fragment from the address bar, and
 * returns a dial target if the page was opened by a sip:/tel: link.
 */
export function takeLaunchFragment(): { dial: string | null } {
  const { token, dial } = parseFragment(location.hash);
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  return { dial };
}

export function hasToken(): boolean {
  return sessionStorage.getItem(TOKEN_KEY) !== null;
}

function token(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token()}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'network', `The phone engine is not reachable (${e instanceof Error ? e.message : String(e)}).`);
  }
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('Content-Type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

/** The engine's error body ({ error: { code, message } }, { code, message } or text) as an ApiError. */
async function errorOf(res: Response): Promise<ApiError> {
  let code = `http-${res.status}`;
  let message = res.statusText || `HTTP ${res.status}`;
  try {
    const text = await res.text();
    try {
      const body = JSON.parse(text) as Record<string, unknown>;
      const err = (typeof body.error === 'object' && body.error !== null ? body.error : body) as Record<string, unknown>;
      if (typeof err.code === 'string') code = err.code;
      if (typeof err.message === 'string') message = err.message;
      else if (typeof body.error === 'string') message = body.error;
    } catch {
      if (text.trim()) message = text.trim().slice(0, 300);
    }
  } catch {
    // no body
  }
  if (res.status === 401) message = 'The engine did not accept this page’s token. Open the link the engine printed when it started.';
  return new ApiError(res.status, code, message);
}

const enc = (id: string | number) => encodeURIComponent(String(id));

/** The URL of one of the engine's WebSockets (`/api/events`, `/api/audio`), with the token. */
export function socketUrl(path: string, params: Record<string, string> = {}): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const q = new URLSearchParams({ ...params, token: token() });
  return `${scheme}://${location.host}${path}?${q.toString()}`;
}

/** Which settings form the engine speaks (api-wire.ts); learnt from the first settings seen. */
let settingsDotted = false;
function learnSettings(raw: unknown): Settings {
  if (isDottedSettings(raw)) settingsDotted = true;
  return settingsFromWire(raw) as Settings;
}

export const api = {
  state: async (): Promise<PhoneState> => {
    const s = await request<PhoneState>('GET', '/api/state');
    return { ...s, settings: s.settings ? learnSettings(s.settings) : null };
  },

  accounts: {
    list: () => request<Account[]>('GET', '/api/accounts'),
    create: (input: AccountInput) => request<Account>('POST', '/api/accounts', input),
    update: (id: string | number, patch: Partial<AccountInput>) => request<Account>('PATCH', `/api/accounts/${enc(id)}`, patch),
    remove: (id: string | number) => request<void>('DELETE', `/api/accounts/${enc(id)}`),
    makeDefault: (id: string | number) => request<Account>('POST', `/api/accounts/${enc(id)}/default`),
  },

  calls: {
    list: () => request<CallInfo[]>('GET', '/api/calls'),
    dial: (target: string, accountId?: string | number) =>
      request<CallInfo>('POST', '/api/calls', accountId !== undefined && accountId !== null ? { target, accountId } : { target }),
    answer: (id: string) => request<CallInfo>('POST', `/api/calls/${enc(id)}/answer`),
    decline: (id: string) => request<CallInfo>('POST', `/api/calls/${enc(id)}/decline`),
    hangup: (id: string) => request<CallInfo>('POST', `/api/calls/${enc(id)}/hangup`),
    hold: (id: string) => request<CallInfo>('POST', `/api/calls/${enc(id)}/hold`),
    resume: (id: string) => request<CallInfo>('POST', `/api/calls/${enc(id)}/resume`),
    switchTo: (id: string) => request<CallInfo>('POST', `/api/calls/${enc(id)}/switch`),
    mute: (id: string, on: boolean) => request<CallInfo>('POST', `/api/calls/${enc(id)}/mute`, { on }),
    dtmf: (id: string, digits: string) => request<void>('POST', `/api/calls/${enc(id)}/dtmf`, { digits }),
    transfer: (id: string, target: string) => request<void>('POST', `/api/calls/${enc(id)}/transfer`, { target }),
  },

  history: {
    list: async (opts: { q?: string; limit?: number; before?: string | number | null }): Promise<HistoryPage> => {
      const p = new URLSearchParams();
      if (opts.q) p.set('q', opts.q);
      if (opts.limit) p.set('limit', String(opts.limit));
      if (opts.before !== undefined && opts.before !== null) p.set('before', String(opts.before));
      const qs = p.toString();
      return historyPageFromWire(await request<unknown>('GET', `/api/history${qs ? `?${qs}` : ''}`));
    },
    markSeen: () => request<void>('POST', '/api/history/seen'),
  },

  contacts: {
    list: (q = '') => request<Contact[]>('GET', `/api/contacts${q ? `?q=${enc(q)}` : ''}`),
    create: (input: ContactInput) => request<Contact>('POST', '/api/contacts', input),
    update: (id: string | number, patch: Partial<ContactInput>) => request<Contact>('PATCH', `/api/contacts/${enc(id)}`, patch),
    remove: (id: string | number) => request<void>('DELETE', `/api/contacts/${enc(id)}`),
    import: (text: string, format?: 'vcard' | 'csv') => request<ImportReport>('POST', '/api/contacts/import', format ? { format, text } : { text }),
    /** The vCard export as a file download (a plain link cannot carry the Authorization header). */
    async download(): Promise<void> {
      const text = await request<string>('GET', '/api/contacts/export.vcf');
      const url = URL.createObjectURL(new Blob([text], { type: 'text/vcard' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = 'contacts.vcf';
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  },

  settings: {
    get: async () => learnSettings(await request<unknown>('GET', '/api/settings')),
    update: async (patch: Partial<Settings>) => learnSettings(await request<unknown>('PATCH', '/api/settings', settingsToWire(patch, settingsDotted))),
    /** The engine's own sound devices (for the system audio settings). */
    systemAudioDevices: () => request<SystemAudioDevices>('GET', '/api/settings/system-audio-devices'),
  },
};

export type ConnectionStatus =
  | { state: 'connecting' }
  | { state: 'open' }
  | { state: 'waiting'; retryAt: number; attempt: number }
  | { state: 'unauthorised' };

/**
 * The event socket. Reconnects with back-off (reconnectDelay) until closed; the first event
 * after every (re)connection is the full state, so nothing missed while away is lost.
 */
export function connectEvents(onEvent: (e: PhoneEvent) => void, onStatus: (s: ConnectionStatus) => void): () => void {
  let ws: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let attempt = 0;
  let closed = false;

  const open = () => {
    if (closed) return;
    onStatus({ state: 'connecting' });
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/api/events?token=${enc(token())}`);
    ws = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      attempt = 0;
      onStatus({ state: 'open' });
    };
    socket.onmessage = (m) => {
      if (typeof m.data !== 'string') return;
      try {
        const e = JSON.parse(m.data) as PhoneEvent;
        if (e && typeof e.type === 'string') {
          if (e.type === 'state' && typeof e.data === 'object' && e.data !== null) learnSettings((e.data as { settings?: unknown }).settings);
          if (e.type === 'settings') learnSettings(e.data);
          onEvent(eventFromWire(e));
        }
      } catch {
        // not an event: ignore it rather than drop the connection
      }
    };
    socket.onclose = (ev) => {
      if (closed || ws !== socket) return;
      // 1008 (policy) or 4401: the engine refused the token; retrying will not help.
      if (ev.code === 1008 || ev.code === 4401 || ev.code === 4403) {
        onStatus({ state: 'unauthorised' });
        return;
      }
      if (!opened) attempt += 1;
      const delay = reconnectDelay(attempt);
      onStatus({ state: 'waiting', retryAt: Date.now() + delay, attempt });
      timer = setTimeout(open, delay);
    };
  };
  open();
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    ws?.close();
  };
}
