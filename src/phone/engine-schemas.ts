/**
 * The shapes the engine hands out (accounts, calls, history, contacts, settings, events), as
 * zod schemas: the command registry validates with them, the API documents them (OpenAPI is
 * generated from these), and the TypeScript types are inferred from them, so the three agree.
 */
import * as z from 'zod';
import { ACCOUNT_TRANSPORTS, CALL_OUTCOMES, SETTING_KEYS } from './store/index.js';

export const RegistrationInfoSchema = z.object({
  /** The RFC 3261 §10.2 client's state; `disabled`: the account is off; `error`: its line could not start. */
  state: z.enum(['unregistered', 'registering', 'registered', 'retry-wait', 'unregistering', 'failed', 'disabled', 'error']),
  reason: z.string().optional(),
  status: z.number().int().optional(),
  expires: z.number().int().optional(),
});
export type RegistrationInfo = z.infer<typeof RegistrationInfoSchema>;

export const AccountSchema = z.object({
  id: z.number().int(),
  aor: z.string(),
  displayName: z.string().nullable(),
  authUser: z.string().nullable(),
  registrar: z.string().nullable(),
  outboundProxy: z.string().nullable(),
  transport: z.enum(ACCOUNT_TRANSPORTS as [string, ...string[]]),
  enabled: z.boolean(),
  isDefault: z.boolean(),
  hasPassword: z.boolean(),
  registration: RegistrationInfoSchema,
});
export type AccountInfo = z.infer<typeof AccountSchema>;

export const CallStatsSchema = z.object({
  lossPct: z.number(),
  jitterMs: z.number(),
  rttMs: z.number().nullable(),
});
export type CallStatsInfo = z.infer<typeof CallStatsSchema>;

/** One sound device of a call: as the settings name it (null: the default), by the sound system's own name once open. */
export const CallAudioDeviceSchema = z.object({
  device: z.string().nullable(),
  state: z.enum(['opening', 'open', 'failed']),
});

/**
 * Where a call's audio goes now: `browser`, the page attached to it (/api/audio); `system`,
 * the engine's sound devices ('audio.handset': 'system'); `none`, nowhere (silence). With
 * system audio, `input` and `output` are the devices and how they are doing, and `error` says
 * why one failed (missing, or its tool stopped): that side is silent and the call goes on.
 */
export const CallAudioSchema = z.object({
  handset: z.enum(['browser', 'system', 'none']),
  input: CallAudioDeviceSchema.optional(),
  output: CallAudioDeviceSchema.optional(),
  error: z.string().optional(),
});
export type CallAudioInfo = z.infer<typeof CallAudioSchema>;

export const CallInfoSchema = z.object({
  id: z.string(),
  accountId: z.number().int().nullable(),
  direction: z.enum(['outgoing', 'incoming']),
  state: z.enum(['calling', 'ringing', 'early', 'incoming', 'established', 'ended']),
  remote: z.object({ uri: z.string(), displayName: z.string().nullable(), contactName: z.string().nullable() }),
  startedAt: z.number(),
  answeredAt: z.number().nullable(),
  codec: z.string().nullable(),
  muted: z.boolean(),
  hold: z.object({ local: z.boolean(), remote: z.boolean() }),
  stats: CallStatsSchema.optional(),
  /** A blind transfer in progress or done: the NOTIFY status of the new call. */
  transfer: z.object({ target: z.string(), state: z.enum(['requested', 'accepted', 'succeeded', 'failed']), status: z.number().int().optional(), reason: z.string().optional() }).optional(),
  /** Where the call's audio goes, once its audio has started. */
  audio: CallAudioSchema.optional(),
  /** Once ended: why, and the outcome recorded in history. */
  end: z.object({ reason: z.string(), status: z.number().int().optional(), by: z.enum(['local', 'remote', 'network']), outcome: z.enum(CALL_OUTCOMES as [string, ...string[]]) }).optional(),
  /** The row of this call in history. */
  historyId: z.number().int().nullable(),
});
export type CallInfo = z.infer<typeof CallInfoSchema>;

export const HistoryEntrySchema = z.object({
  id: z.number().int(),
  accountId: z.number().int().nullable(),
  direction: z.enum(['in', 'out']),
  remoteUri: z.string(),
  remoteDisplayName: z.string().nullable(),
  localUri: z.string().nullable(),
  startedAt: z.number(),
  answeredAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
  outcome: z.enum(CALL_OUTCOMES as [string, ...string[]]).nullable(),
  reason: z.string().nullable(),
  codec: z.string().nullable(),
  callId: z.string().nullable(),
  seen: z.boolean(),
  /** The contact the remote party resolves to now (caller-ID rules), or null. */
  contactName: z.string().nullable(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

export const HistoryPageSchema = z.object({
  entries: z.array(HistoryEntrySchema),
  /** Pass as `before` for the next (older) page; null when this was the last. */
  next: z.string().nullable(),
  missedCount: z.number().int(),
});

const ContactNumberSchema = z.object({ label: z.string().min(1).max(64).default('other'), value: z.string().min(1).max(1024) });

export const ContactSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  organisation: z.string().nullable(),
  email: z.string().nullable(),
  favourite: z.boolean(),
  notes: z.string().nullable(),
  numbers: z.array(z.object({ label: z.string(), value: z.string() })),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type ContactInfo = z.infer<typeof ContactSchema>;

export const ContactInputSchema = z.object({
  name: z.string().trim().min(1).max(1024),
  organisation: z.string().max(1024).nullable().optional(),
  email: z.string().max(1024).nullable().optional(),
  favourite: z.boolean().optional(),
  notes: z.string().max(10_000).nullable().optional(),
  numbers: z.array(ContactNumberSchema).max(100).optional(),
});

export const ImportReportSchema = z.object({
  format: z.enum(['vcard', 'csv']),
  imported: z.number().int(),
  ids: z.array(z.number().int()),
  skipped: z.array(z.object({ line: z.number().int(), reason: z.string(), message: z.string() })),
  warnings: z.array(z.object({ line: z.number().int(), message: z.string() })),
});

const SystemAudioDeviceSchema = z.object({
  /** The name the settings take ('audio.inputDevice' …). */
  id: z.string(),
  /** For people: "Built-in Audio Analog Stereo". */
  name: z.string(),
  isDefault: z.boolean(),
});

/**
 * The engine's own sound devices (for 'audio.handset': 'system'): the sound system found here,
 * its inputs and outputs; `error` says why there are none (no sound system answers).
 */
export const SystemAudioDevicesSchema = z.object({
  backend: z.enum(['pulse', 'alsa']).nullable(),
  inputs: z.array(SystemAudioDeviceSchema),
  outputs: z.array(SystemAudioDeviceSchema),
  error: z.string().optional(),
});
export type SystemAudioDevices = z.infer<typeof SystemAudioDevicesSchema>;

/** Every setting by its dotted key (the store's SETTING_SPECS). */
export const SettingsSchema = z.object({
  'audio.codecs': z.array(z.string().regex(/^[A-Za-z0-9._-]{1,32}$/)).min(1),
  'audio.inputDevice': z.string().min(1).max(1024).nullable(),
  'audio.outputDevice': z.string().min(1).max(1024).nullable(),
  'audio.ringDevice': z.string().min(1).max(1024).nullable(),
  'audio.handset': z.enum(['browser', 'system']),
  'audio.inputLevel': z.number().int().min(0).max(100),
  'audio.outputLevel': z.number().int().min(0).max(100),
  'audio.ringtone': z.string().min(1).max(1024),
  'call.dtmfMode': z.enum(['rfc4733', 'info', 'inband']),
  'call.dnd': z.boolean(),
  'call.dndAction': z.enum(['reject', 'forward']),
  'call.dndForwardTarget': z.string().min(1).max(1024).nullable(),
  'call.autoAnswer': z.boolean(),
  'call.autoAnswerDelayMs': z.number().int().min(0).max(60_000),
  'history.retentionDays': z.number().int().min(0).max(36_500),
});
export type SettingsInfo = z.infer<typeof SettingsSchema>;
// The schema must name every key of the store (checked by the engine test).
export const SETTINGS_SCHEMA_KEYS: readonly string[] = SETTING_KEYS;

export const EngineStateSchema = z.object({
  accounts: z.array(AccountSchema),
  calls: z.array(CallInfoSchema),
  settings: SettingsSchema,
  missedCount: z.number().int(),
  /** Where direct SIP calls reach this phone (the direct line, no account): sip:softphone@127.0.0.1:5060. */
  directUri: z.string().nullable(),
});
export type EngineState = z.infer<typeof EngineStateSchema>;

export const OkSchema = z.object({ ok: z.literal(true) });
