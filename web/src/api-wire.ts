/**
 * The engine's wire forms, turned into the UI's shapes and back. The brief's contract and the
 * engine as built differ in a few places; both are accepted here, so the rest of the UI has one
 * shape to read:
 * - settings: nested (`dnd: { enabled, mode, target }`, `autoAnswer.delayS`) or the store's
 *   dotted keys (`call.dnd`, `call.dndAction`, `call.autoAnswerDelayMs`, `audio.codecs`, ...);
 * - a history page: `{ calls, next }` or `{ entries, next, missedCount }`;
 * - events whose data carries settings (state, settings).
 * Pure: no DOM, tested under Node.
 */
import type { HistoryEntry, HistoryPage, PhoneEvent, Settings } from './api-types.js';

type Wire = Record<string, unknown>;

function isObject(x: unknown): x is Wire {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown, def: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : def);
const bool = (v: unknown): boolean => v === true;

/** True when `raw` uses the store's dotted keys. */
export function isDottedSettings(raw: unknown): boolean {
  return isObject(raw) && Object.keys(raw).some((k) => k.startsWith('audio.') || k.startsWith('call.'));
}

/** Settings in the UI's shape from either wire form; keys absent stay absent (for partial events). */
export function settingsFromWire(raw: unknown): Partial<Settings> {
  if (!isObject(raw)) return {};
  if (!isDottedSettings(raw)) return raw as Partial<Settings>;
  const out: Partial<Settings> = {};
  const has = (k: string) => Object.hasOwn(raw, k);
  if (Array.isArray(raw['audio.codecs'])) out.codecs = raw['audio.codecs'].filter((c): c is string => typeof c === 'string');
  if (has('call.dtmfMode')) out.dtmfMode = raw['call.dtmfMode'] as Settings['dtmfMode'];
  if (has('audio.inputDevice')) out.inputDevice = str(raw['audio.inputDevice']);
  if (has('audio.outputDevice')) out.outputDevice = str(raw['audio.outputDevice']);
  if (has('audio.ringDevice')) out.ringDevice = str(raw['audio.ringDevice']);
  if (has('audio.handset')) out.handset = raw['audio.handset'] === 'system' ? 'system' : 'browser';
  if (has('audio.inputLevel')) out.inputLevel = num(raw['audio.inputLevel'], 100);
  if (has('audio.outputLevel')) out.outputLevel = num(raw['audio.outputLevel'], 100);
  if (has('audio.ringtone')) out.ringtone = str(raw['audio.ringtone']) ?? 'default';
  if (has('call.dnd') || has('call.dndAction') || has('call.dndForwardTarget')) {
    out.dnd = {
      enabled: bool(raw['call.dnd']),
      mode: raw['call.dndAction'] === 'forward' ? 'forward' : 'reject',
      target: str(raw['call.dndForwardTarget']),
    };
  }
  if (has('call.autoAnswer') || has('call.autoAnswerDelayMs')) {
    out.autoAnswer = { enabled: bool(raw['call.autoAnswer']), delayS: Math.round(num(raw['call.autoAnswerDelayMs'], 0) / 1000) };
  }
  if (isObject(raw.devices)) out.devices = raw.devices as Settings['devices'];
  return out;
}

/** A settings change in the wire form the engine uses (`dotted`), or the nested form. */
export function settingsToWire(patch: Partial<Settings>, dotted: boolean): Wire {
  if (!dotted) return patch as Wire;
  const out: Wire = {};
  if (patch.codecs) out['audio.codecs'] = patch.codecs;
  if (patch.dtmfMode) out['call.dtmfMode'] = patch.dtmfMode;
  if (patch.inputDevice !== undefined) out['audio.inputDevice'] = patch.inputDevice;
  if (patch.outputDevice !== undefined) out['audio.outputDevice'] = patch.outputDevice;
  if (patch.ringDevice !== undefined) out['audio.ringDevice'] = patch.ringDevice;
  if (patch.handset !== undefined) out['audio.handset'] = patch.handset;
  if (patch.inputLevel !== undefined) out['audio.inputLevel'] = Math.round(patch.inputLevel);
  if (patch.outputLevel !== undefined) out['audio.outputLevel'] = Math.round(patch.outputLevel);
  if (patch.ringtone !== undefined) out['audio.ringtone'] = patch.ringtone;
  if (patch.dnd) {
    out['call.dnd'] = patch.dnd.enabled;
    out['call.dndAction'] = patch.dnd.mode;
    out['call.dndForwardTarget'] = patch.dnd.target;
  }
  if (patch.autoAnswer) {
    out['call.autoAnswer'] = patch.autoAnswer.enabled;
    out['call.autoAnswerDelayMs'] = Math.round(patch.autoAnswer.delayS * 1000);
  }
  return out;
}

/** A history page from `{ calls, next }` or `{ entries, next, missedCount }`. */
export function historyPageFromWire(raw: unknown): HistoryPage {
  if (!isObject(raw)) return { calls: [], next: null };
  const list = Array.isArray(raw.calls) ? raw.calls : Array.isArray(raw.entries) ? raw.entries : [];
  const next = typeof raw.next === 'string' || typeof raw.next === 'number' ? raw.next : null;
  const page: HistoryPage = { calls: list as HistoryEntry[], next };
  if (typeof raw.missedCount === 'number') page.missedCount = raw.missedCount;
  return page;
}

/** An event with its settings (in `state` and `settings`) in the UI's shape. */
export function eventFromWire(e: PhoneEvent): PhoneEvent {
  if (e.type === 'settings') return { type: e.type, data: settingsFromWire(e.data) };
  if (e.type === 'state' && isObject(e.data) && isObject(e.data.settings)) {
    return { type: e.type, data: { ...e.data, settings: settingsFromWire(e.data.settings) } };
  }
  return e;
}
