/**
 * The command registry: one table of named commands, each with a zod input schema, an output
 * schema and a handler over the engine. The API routes, the CLI's engine mode and embedders
 * all run commands through `CommandRegistry.run`, which validates the input and turns every
 * failure into an EngineError (engine-errors.ts), so the faces differ only in transport.
 */
import * as z from 'zod';
import { exportVCards } from './contacts-export.js';
import { importContacts } from './contacts-import.js';
import type { PhoneEngine } from './engine.js';
import { EngineError, toEngineError } from './engine-errors.js';
import {
  AccountSchema,
  CallInfoSchema,
  ContactInputSchema,
  ContactSchema,
  EngineStateSchema,
  HistoryPageSchema,
  ImportReportSchema,
  OkSchema,
  SettingsSchema,
  SystemAudioDevicesSchema,
} from './engine-schemas.js';
import { ACCOUNT_TRANSPORTS } from './store/index.js';

export interface CommandDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  summary: string;
  input: I;
  output: O;
  run(engine: PhoneEngine, input: z.output<I>): Promise<z.input<O>> | z.input<O>;
}

function command<I extends z.ZodType, O extends z.ZodType>(def: CommandDef<I, O>): CommandDef<I, O> {
  return def;
}

const Id = z.coerce.number().int().positive();
const CallId = z.string().min(1).max(64);
const NoInput = z.object({}).strict();
const optionalText = (max = 1024) => z.string().max(max).nullable().optional();

const AccountInput = z.object({
  aor: z.string().min(3).max(1024),
  displayName: optionalText(),
  authUser: optionalText(),
  registrar: optionalText(),
  outboundProxy: optionalText(),
  transport: z.enum(ACCOUNT_TRANSPORTS as [string, ...string[]]).optional(),
  enabled: z.boolean().optional(),
  isDefault: z.boolean().optional(),
  /** Stored sealed, never returned. */
  password: z.string().min(1).max(4096).nullable().optional(),
});
type AccountInputT = z.output<typeof AccountInput>;
const asStoreAccount = (a: Partial<AccountInputT>) => a as Parameters<PhoneEngine['createAccount']>[0];

const SettingsPatch = SettingsSchema.partial().strict();

const contactsChanged = (engine: PhoneEngine, change: 'created' | 'updated' | 'deleted' | 'imported', ids: number[]) => engine.emit('contacts', { change, ids });

export const COMMANDS = {
  'state.get': command({ summary: 'Everything the UI shows at once', input: NoInput, output: EngineStateSchema, run: (e) => e.state() }),

  'accounts.list': command({ summary: 'List accounts with their registration state', input: NoInput, output: z.array(AccountSchema), run: (e) => e.listAccounts() }),
  'accounts.create': command({ summary: 'Create an account (registered at once when enabled)', input: AccountInput, output: AccountSchema, run: (e, i) => e.createAccount(asStoreAccount(i)) }),
  'accounts.update': command({
    summary: 'Change an account (its line restarts and registers again)',
    input: AccountInput.partial().extend({ id: Id }),
    output: AccountSchema,
    run: (e, { id, ...patch }) => e.updateAccount(id, asStoreAccount(patch)),
  }),
  'accounts.delete': command({
    summary: 'Delete an account (unregistered first; its calls stay in history)',
    input: z.object({ id: Id }),
    output: OkSchema,
    run: async (e, i) => {
      await e.deleteAccount(i.id);
      return { ok: true as const };
    },
  }),
  'accounts.setDefault': command({ summary: 'Make an account the default for dialling', input: z.object({ id: Id }), output: AccountSchema, run: (e, i) => e.setDefaultAccount(i.id) }),

  'calls.list': command({ summary: 'Calls in progress', input: NoInput, output: z.array(CallInfoSchema), run: (e) => e.listCalls() }),
  'calls.dial': command({
    summary: 'Place a call: echo, a sip: URI, user@host, or a number through an account',
    input: z.object({ target: z.string().trim().min(1).max(1024), accountId: Id.optional() }),
    output: CallInfoSchema,
    run: (e, i) => e.dial(i.target, i.accountId),
  }),
  'calls.answer': command({ summary: 'Answer a ringing call (calls up go on hold)', input: z.object({ id: CallId }), output: CallInfoSchema, run: (e, i) => e.answer(i.id) }),
  'calls.decline': command({ summary: 'Decline a ringing call (603)', input: z.object({ id: CallId }), output: CallInfoSchema, run: (e, i) => e.decline(i.id) }),
  'calls.hangup': command({ summary: 'End a call in any state (CANCEL, decline or BYE)', input: z.object({ id: CallId }), output: CallInfoSchema, run: (e, i) => e.hangup(i.id) }),
  'calls.hold': command({ summary: 'Put a call on hold (re-INVITE sendonly)', input: z.object({ id: CallId }), output: CallInfoSchema, run: (e, i) => e.hold(i.id) }),
  'calls.resume': command({ summary: 'Resume a held call (others go on hold)', input: z.object({ id: CallId }), output: CallInfoSchema, run: (e, i) => e.resume(i.id) }),
  'calls.switch': command({ summary: 'Make this call the active line: hold the others, resume it', input: z.object({ id: CallId }), output: CallInfoSchema, run: (e, i) => e.switchTo(i.id) }),
  'calls.mute': command({ summary: 'Mute or unmute the microphone of a call', input: z.object({ id: CallId, on: z.boolean() }), output: CallInfoSchema, run: (e, i) => e.mute(i.id, i.on) }),
  'calls.dtmf': command({
    summary: 'Send DTMF digits (RFC 4733, or SIP INFO)',
    input: z.object({ id: CallId, digits: z.string().regex(/^[0-9*#A-Da-d]{1,64}$/, 'digits are 0-9, *, #, A-D') }),
    output: CallInfoSchema,
    run: (e, i) => e.sendDtmf(i.id, i.digits.toUpperCase()),
  }),
  'calls.transfer': command({
    summary: 'Blind transfer (RFC 3515 REFER); the call ends when the new call is answered',
    input: z.object({ id: CallId, target: z.string().trim().min(1).max(1024) }),
    output: CallInfoSchema,
    run: (e, i) => e.transfer(i.id, i.target),
  }),

  'history.list': command({
    summary: 'Call history, newest first (q searches names and numbers)',
    input: z.object({ q: z.string().max(256).optional(), limit: z.coerce.number().int().min(1).max(1000).optional(), before: z.string().max(64).optional() }),
    output: HistoryPageSchema,
    run: (e, i) => e.history(i),
  }),
  'history.markSeen': command({
    summary: 'Mark missed calls as seen (the badge)',
    input: z.object({ upToId: Id.optional() }),
    output: z.object({ changed: z.number().int(), missedCount: z.number().int() }),
    run: (e, i) => e.markHistorySeen(i.upToId),
  }),

  'contacts.list': command({
    summary: 'Contacts by name (q searches names, numbers, emails)',
    input: z.object({ q: z.string().max(256).optional(), limit: z.coerce.number().int().min(1).max(100_000).optional() }),
    output: z.array(ContactSchema),
    run: (e, i) => (i.q && i.q.trim() ? e.store.contacts.search(i.q, { limit: i.limit ?? 50 }) : e.store.contacts.list({ limit: i.limit ?? 1000 })),
  }),
  'contacts.create': command({
    summary: 'Create a contact',
    input: ContactInputSchema,
    output: ContactSchema,
    run: (e, i) => {
      const c = e.store.contacts.create(i);
      contactsChanged(e, 'created', [c.id]);
      return c;
    },
  }),
  'contacts.update': command({
    summary: 'Change a contact (numbers, when given, replace the list)',
    input: ContactInputSchema.partial().extend({ id: Id }),
    output: ContactSchema,
    run: (e, { id, ...patch }) => {
      const c = e.store.contacts.update(id, patch);
      contactsChanged(e, 'updated', [id]);
      return c;
    },
  }),
  'contacts.delete': command({
    summary: 'Delete a contact',
    input: z.object({ id: Id }),
    output: OkSchema,
    run: (e, i) => {
      if (!e.store.contacts.delete(i.id)) throw new EngineError('not-found', `no contact with id ${i.id}`);
      contactsChanged(e, 'deleted', [i.id]);
      return { ok: true as const };
    },
  }),
  'contacts.import': command({
    summary: 'Import contacts from vCard or CSV text; duplicates are skipped',
    input: z.object({ format: z.enum(['vcard', 'csv']).optional(), text: z.string().min(1).max(20_000_000) }),
    output: ImportReportSchema,
    run: (e, i) => {
      const r = importContacts(e.store.contacts, i.text, i.format ? { format: i.format } : {});
      if (!r.ok) throw new EngineError(r.error.code === 'store-failed' ? 'internal' : 'unprocessable', r.error.message);
      if (r.value.imported) contactsChanged(e, 'imported', r.value.ids);
      return r.value;
    },
  }),
  'contacts.export': command({
    summary: 'Every contact as vCard 4.0 text',
    input: NoInput,
    output: z.string(),
    run: (e) => exportVCards(e.store.contacts.list({ limit: 100_000 })),
  }),

  'settings.get': command({ summary: 'Every setting', input: NoInput, output: SettingsSchema, run: (e) => e.getSettings() }),
  'settings.update': command({ summary: 'Change some settings (applied at once)', input: SettingsPatch, output: SettingsSchema, run: (e, i) => e.updateSettings(i) }),
  'settings.systemAudioDevices': command({
    summary: "The engine's own sound devices, for the system audio settings",
    input: NoInput,
    output: SystemAudioDevicesSchema,
    run: (e) => e.systemAudioDevices(),
  }),
} satisfies Record<string, CommandDef>;

export type CommandName = keyof typeof COMMANDS;
export type CommandInput<N extends CommandName> = z.input<(typeof COMMANDS)[N]['input']>;
export type CommandOutput<N extends CommandName> = z.output<(typeof COMMANDS)[N]['output']>;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

/** Runs commands against one engine: validate, run, normalise errors. */
export class CommandRegistry {
  readonly engine: PhoneEngine;

  constructor(engine: PhoneEngine) {
    this.engine = engine;
  }

  names(): CommandName[] {
    return Object.keys(COMMANDS) as CommandName[];
  }

  async run<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>>;
  async run(name: string, input: unknown): Promise<unknown>;
  async run(name: string, input: unknown): Promise<unknown> {
    if (!isCommandName(name)) throw new EngineError('not-found', `no command "${name}"`);
    const def = COMMANDS[name] as unknown as CommandDef;
    try {
      const parsed = def.input.parse(input ?? {});
      return await def.run(this.engine, parsed);
    } catch (err) {
      throw toEngineError(err);
    }
  }
}
