/**
 * The browser handset's microphone and speaker: which ones this browser has
 * (`navigator.mediaDevices.enumerateDevices()`), which ones the person chose, and whether this
 * browser can choose a speaker at all.
 *
 * The choices are kept in this browser's localStorage, not in the engine: a browser's device
 * ids are its own (per browser profile and per site), so an id saved by one browser means
 * nothing to another browser or to the engine's system audio (which has its own settings,
 * PulseAudio/ALSA device names). null is the system default.
 */

export interface BrowserDevices {
  input: string | null;
  output: string | null;
}

export interface DeviceOption {
  id: string;
  label: string;
}

export interface DeviceList {
  inputs: DeviceOption[];
  outputs: DeviceOption[];
  /** What "System default" is right now, when the browser says (e.g. "Built-in Microphone"). */
  defaultInput: string | null;
  defaultOutput: string | null;
  /** The browser gave device names (it does once the page may use the microphone). */
  labelled: boolean;
}

const INPUT_KEY = 'softphone.browserInputDevice';
const OUTPUT_KEY = 'softphone.browserOutputDevice';

type Listener = (d: BrowserDevices) => void;
const listeners = new Set<Listener>();

function read(key: string): string | null {
  try {
    return localStorage.getItem(key) || null;
  } catch {
    return null;
  }
}

let current: BrowserDevices | null = null;

/** The microphone and speaker chosen in this browser. */
export function browserDevices(): BrowserDevices {
  current ??= { input: read(INPUT_KEY), output: read(OUTPUT_KEY) };
  return { ...current };
}

/** Saves a choice (null: the system default) and tells the subscribers. */
export function chooseBrowserDevice(kind: 'input' | 'output', id: string | null): void {
  current = { ...browserDevices(), [kind]: id };
  try {
    const key = kind === 'input' ? INPUT_KEY : OUTPUT_KEY;
    if (id) localStorage.setItem(key, id);
    else localStorage.removeItem(key);
  } catch {
    // Storage refused (private mode): the choice lasts until the page reloads.
  }
  const d = browserDevices();
  for (const fn of listeners) fn(d);
}

let watchingOtherTabs = false;

/** Calls `fn` when a choice changes, here or in another tab; returns the unsubscribe. */
export function onBrowserDevices(fn: Listener): () => void {
  if (!watchingOtherTabs) {
    watchingOtherTabs = true;
    window.addEventListener('storage', (e) => {
      if (e.key !== INPUT_KEY && e.key !== OUTPUT_KEY && e.key !== null) return;
      current = null;
      const d = browserDevices();
      for (const f of listeners) f(d);
    });
  }
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** How this browser can send the page's sound to a chosen speaker, if at all. */
export function outputChoice(): 'context' | 'element' | null {
  if (typeof AudioContext !== 'undefined' && 'setSinkId' in AudioContext.prototype) return 'context';
  if (typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype) return 'element';
  return null;
}

/** The browser's virtual "default" entry (Chromium) stands for the system default. */
const DEFAULT_ID = 'default';

function optionsOf(all: readonly MediaDeviceInfo[], kind: MediaDeviceKind, noun: string): { options: DeviceOption[]; defaultLabel: string | null } {
  let defaultLabel: string | null = null;
  const options: DeviceOption[] = [];
  const seen = new Set<string>();
  for (const d of all) {
    if (d.kind !== kind) continue;
    if (d.deviceId === DEFAULT_ID) {
      defaultLabel = d.label.replace(/^Default\s*-\s*/i, '') || null;
      continue;
    }
    // Before permission a browser lists one entry per kind with neither id nor name: nothing to choose.
    if (!d.deviceId || seen.has(d.deviceId)) continue;
    seen.add(d.deviceId);
    options.push({ id: d.deviceId, label: d.label || `${noun} ${options.length + 1} (${d.deviceId.slice(0, 8)}…)` });
  }
  return { options, defaultLabel };
}

/** The browser's audio inputs and outputs, "System default" left out (the caller offers it first). */
export async function listDevices(): Promise<DeviceList> {
  if (!navigator.mediaDevices?.enumerateDevices) return { inputs: [], outputs: [], defaultInput: null, defaultOutput: null, labelled: false };
  const all = await navigator.mediaDevices.enumerateDevices();
  const i = optionsOf(all, 'audioinput', 'Microphone');
  const o = optionsOf(all, 'audiooutput', 'Speaker');
  const labelled = all.some((d) => (d.kind === 'audioinput' || d.kind === 'audiooutput') && d.label !== '');
  return { inputs: i.options, outputs: o.options, defaultInput: i.defaultLabel, defaultOutput: o.defaultLabel, labelled };
}

/** Calls `fn` when devices come and go; returns the unsubscribe. */
export function onDeviceChange(fn: () => void): () => void {
  const md = navigator.mediaDevices;
  if (!md?.addEventListener) return () => {};
  md.addEventListener('devicechange', fn);
  return () => md.removeEventListener('devicechange', fn);
}

/**
 * Asks for the microphone once (the browser's prompt), only so that it lists device names;
 * the stream is stopped at once. Resolves to the problem in words, or null when allowed.
 */
export async function allowDeviceNames(): Promise<string | null> {
  if (!navigator.mediaDevices?.getUserMedia) return 'this page cannot use a microphone (it needs http://127.0.0.1 or https)';
  try {
    const s = await navigator.mediaDevices.getUserMedia({ audio: true });
    for (const t of s.getTracks()) t.stop();
    return null;
  } catch (e) {
    const name = e instanceof DOMException ? e.name : '';
    if (name === 'NotAllowedError' || name === 'SecurityError') return 'the microphone is blocked for this page (allow it in the browser’s site settings)';
    if (name === 'NotFoundError') return 'no microphone found';
    return e instanceof Error ? e.message : String(e);
  }
}
