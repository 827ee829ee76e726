/**
 * The engine's local API as the web UI sees it: the shapes of GET /api/state, the REST
 * resources and the WebSocket events. Kept free of DOM and fetch so the pure UI logic (and its
 * tests under Node) can use the types; the transport is in api.ts. A change in the contract is
 * an edit here and in api.ts, nowhere else.
 */

/** RFC 3261 §10.2 client states; `disabled`: the account is off; `error`: its line could not start. */
export type RegistrationState = 'unregistered' | 'registering' | 'registered' | 'retry-wait' | 'unregistering' | 'failed' | 'disabled' | 'error';

/** Ids: the engine uses integers for accounts, contacts and history, strings for calls. */
export type Id = string | number;

export interface Registration {
  state: RegistrationState;
  /** The server's reason phrase or a transport error, when registration failed. */
  reason?: string;
  /** The SIP status code of the last final response. */
  status?: number;
  /** Seconds the binding lasts, when registered. */
  expires?: number;
}

export type Transport = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

export interface Account {
  id: Id;
  aor: string;
  displayName: string | null;
  authUser: string | null;
  registrar: string | null;
  outboundProxy: string | null;
  transport: Transport;
  enabled: boolean;
  isDefault: boolean;
  hasPassword: boolean;
  registration: Registration;
}

/** POST /api/accounts and PATCH /api/accounts/:id; `password` omitted keeps the stored one; "" clears a field. */
export interface AccountInput {
  aor: string;
  displayName: string;
  authUser: string;
  registrar: string;
  outboundProxy: string;
  transport: Transport;
  enabled: boolean;
  password?: string;
}

export type CallDirection = 'outgoing' | 'incoming';
export type CallState = 'calling' | 'ringing' | 'early' | 'incoming' | 'established' | 'ended';

export interface CallStats {
  lossPct: number;
  jitterMs: number;
  /** Null until RTCP has measured a round trip. */
  rttMs: number | null;
}

/** A time from the API: epoch milliseconds, or an ISO 8601 string. */
export type ApiTime = number | string | null;

export interface CallInfo {
  id: string;
  accountId: Id | null;
  direction: CallDirection;
  state: CallState;
  remote: { uri: string; displayName: string | null; contactName: string | null };
  startedAt: ApiTime;
  answeredAt: ApiTime;
  codec: string | null;
  muted: boolean;
  hold: { local: boolean; remote: boolean };
  stats?: CallStats;
  /** A blind transfer in progress or done (the NOTIFY status of the new call). */
  transfer?: { target: string; state: 'requested' | 'accepted' | 'succeeded' | 'failed'; status?: number; reason?: string };
  /** Once ended: why, and the outcome recorded in history. */
  end?: { reason: string; status?: number; by: 'local' | 'remote' | 'network'; outcome: string };
}

export type CallOutcome = 'answered' | 'missed' | 'declined' | 'failed' | 'cancelled' | 'busy';

export interface HistoryEntry {
  id: Id;
  accountId: Id | null;
  /** The contract says outgoing/incoming; the store's in/out are accepted too. */
  direction: CallDirection | 'in' | 'out';
  remoteUri: string;
  remoteDisplayName: string | null;
  contactName: string | null;
  startedAt: ApiTime;
  answeredAt: ApiTime;
  endedAt: ApiTime;
  durationMs: number | null;
  /** Null while the call is still going. */
  outcome: CallOutcome | null;
  reason: string | null;
  codec: string | null;
}

export interface HistoryPage {
  calls: HistoryEntry[];
  /** Cursor for the next page (`before=`), null at the end. */
  next: string | number | null;
  /** Missed calls not yet seen, when the engine includes it. */
  missedCount?: number;
}

export interface ContactNumber {
  label: string;
  value: string;
}

export interface Contact {
  id: Id;
  name: string;
  organisation: string | null;
  email: string | null;
  favourite: boolean;
  notes: string | null;
  numbers: ContactNumber[];
}

export type ContactInput = Omit<Contact, 'id'>;

export interface ImportReport {
  imported: number;
  skipped: { line: number; reason: string; message: string }[];
  warnings?: { line: number; message: string }[];
}

export type DtmfMode = 'rfc4733' | 'info' | 'inband';
export type DndMode = 'reject' | 'forward';

export interface Settings {
  /** Codecs to offer, in order of preference. */
  codecs: string[];
  dtmfMode: DtmfMode;
  /** Device ids as the engine's audio backend names them; null is the system default. */
  inputDevice: string | null;
  outputDevice: string | null;
  /** Where the engine rings in 'system' mode; null: the output device. */
  ringDevice?: string | null;
  /** Where a call's audio goes while no page is attached to it: nowhere ('browser'), or the engine's system devices. */
  handset?: 'browser' | 'system';
  /** Percent, 0-100. */
  inputLevel: number;
  outputLevel: number;
  ringtone: string;
  dnd: { enabled: boolean; mode: DndMode; target: string | null };
  autoAnswer: { enabled: boolean; delayS: number };
  /** Devices the engine can use, when it reports them (not part of the first contract). */
  devices?: { inputs: AudioDevice[]; outputs: AudioDevice[] };
}

export interface AudioDevice {
  id: string;
  name: string;
  isDefault?: boolean;
}

/** The engine's own sound devices; `error` says why there are none. */
export interface SystemAudioDevices {
  backend: 'pulse' | 'alsa' | null;
  inputs: AudioDevice[];
  outputs: AudioDevice[];
  error?: string;
}

export interface PhoneState {
  accounts: Account[];
  calls: CallInfo[];
  settings: Settings | null;
  missedCount: number;
  /** Where other SIP phones reach this one directly (no account): sip:softphone@127.0.0.1:5060. */
  directUri: string | null;
}

export type PhoneEventType = 'state' | 'registration' | 'call' | 'incoming' | 'dtmf' | 'stats' | 'history' | 'contacts' | 'settings';

export interface PhoneEvent {
  type: PhoneEventType | string;
  data: unknown;
}

/** Codecs the settings page offers even when the engine's list leaves them out. */
export const KNOWN_CODECS = ['opus', 'G722', 'PCMU', 'PCMA'] as const;
