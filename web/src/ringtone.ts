/**
 * Ringtones synthesised with WebAudio, so the bundle carries no sound files. Browsers start an
 * AudioContext only after a user gesture, so app.tsx calls `unlockAudio()` on the first click
 * or key press; a call that rings before any gesture shows and notifies but stays silent.
 */

export const RINGTONES: readonly { id: string; name: string }[] = [
  { id: 'default', name: 'Classic trill' },
  { id: 'chime', name: 'Chime' },
  { id: 'pulse', name: 'Double pulse' },
  { id: 'none', name: 'Silent' },
];

let ctx: AudioContext | null = null;
/** The browser speaker chosen in Settings ('' the default), where AudioContext.setSinkId exists. */
let sink = '';

function applySink(): void {
  const c = ctx as (AudioContext & { setSinkId?: (id: string) => Promise<void>; sinkId?: unknown }) | null;
  if (!c?.setSinkId || (c.sinkId ?? '') === sink) return;
  c.setSinkId(sink).catch(() => c.setSinkId!('').catch(() => undefined));
}

/** Rings on this speaker (a browser sink id; null the system default) from now on. */
export function setRingtoneSink(id: string | null): void {
  sink = id ?? '';
  applySink();
}

/** Creates or resumes the AudioContext; call from a user gesture. */
export function unlockAudio(): void {
  try {
    if (!ctx) {
      ctx = new AudioContext();
      applySink();
    }
    if (ctx.state === 'suspended') void ctx.resume();
  } catch {
    ctx = null;
  }
}

function audio(): AudioContext | null {
  return ctx && ctx.state === 'running' ? ctx : null;
}

/** One tone burst: frequencies summed, with short ramps so it does not click. */
function burst(ac: AudioContext, out: AudioNode, at: number, length: number, freqs: number[], type: OscillatorType = 'sine'): void {
  const g = ac.createGain();
  g.gain.setValueAtTime(0, at);
  g.gain.linearRampToValueAtTime(1 / freqs.length, at + 0.01);
  g.gain.setValueAtTime(1 / freqs.length, at + length - 0.02);
  g.gain.linearRampToValueAtTime(0, at + length);
  g.connect(out);
  for (const f of freqs) {
    const o = ac.createOscillator();
    o.type = type;
    o.frequency.value = f;
    o.connect(g);
    o.start(at);
    o.stop(at + length + 0.01);
  }
}

/** An incoming call's ringtone, call waiting beeps, or an outgoing call's ringback. */
export type RingKind = 'ring' | 'waiting' | 'ringback';

/** One cycle of a pattern starting at `at`; returns the cycle's length in seconds. */
function pattern(ac: AudioContext, out: AudioNode, at: number, tone: string, kind: RingKind): number {
  if (kind === 'ringback') {
    // The far end rings without early media: 440+480 Hz for 2 s in 6 s (ITU-T E.180, North America).
    burst(ac, out, at, 2, [440, 480]);
    return 6;
  }
  if (kind === 'waiting') {
    // Call waiting: two short, quiet beeps (440 Hz), repeated every 8 s.
    burst(ac, out, at, 0.2, [440]);
    burst(ac, out, at + 0.35, 0.2, [440]);
    return 8;
  }
  switch (tone) {
    case 'chime':
      [659.25, 830.61, 987.77, 1318.5].forEach((f, i) => burst(ac, out, at + i * 0.18, 0.5, [f], 'triangle'));
      return 3;
    case 'pulse':
      burst(ac, out, at, 0.4, [440, 480]);
      burst(ac, out, at + 0.6, 0.4, [440, 480]);
      return 3;
    default:
      // A bell-like trill: 1300/1600 Hz alternating at 20 Hz for 1 s, twice, then a pause.
      for (let rep = 0; rep < 2; rep++) {
        for (let i = 0; i < 20; i++) burst(ac, out, at + rep * 1.3 + i * 0.05, 0.05, [i % 2 ? 1600 : 1300], 'sine');
      }
      return 4;
  }
}

/** Rings until stopped. `level` is 0-100 (the output level setting). */
export class Ringer {
  #timer: ReturnType<typeof setTimeout> | null = null;
  #gain: GainNode | null = null;
  #key = '';

  /** Starts (or keeps) ringing; a change of tone or kind restarts it. */
  start(kind: RingKind, tone: string, level: number): void {
    const key = `${kind}/${tone}/${level}`;
    if (this.#key === key && this.#timer !== null) return;
    this.stop();
    this.#key = key;
    if (tone === 'none' && kind === 'ring') return;
    const ac = audio();
    if (ac) {
      this.#begin(ac, kind, tone, level);
      return;
    }
    // Unlocked by a gesture a moment ago and still resuming (a call placed with a click
    // rings back within milliseconds): sound once it runs, if this is still what rings.
    const pending = ctx;
    if (pending && pending.state === 'suspended') {
      void pending.resume().then(() => {
        if (this.#key === key && this.#timer === null && pending.state === 'running') this.#begin(pending, kind, tone, level);
      }, () => undefined);
    }
  }

  #begin(ac: AudioContext, kind: RingKind, tone: string, level: number): void {
    const gain = ac.createGain();
    gain.gain.value = 0.3 * Math.max(0, Math.min(100, level)) / 100;
    gain.connect(ac.destination);
    this.#gain = gain;
    let next = ac.currentTime + 0.05;
    const loop = () => {
      const cycle = pattern(ac, gain, next, tone, kind);
      next += cycle;
      this.#timer = setTimeout(loop, Math.max(0, (next - ac.currentTime - 0.2) * 1000));
    };
    loop();
  }

  /** What rings now ('ring/default/80' …; '' for nothing), and whether it sounds (for tests). */
  get playing(): { key: string; sounding: boolean } {
    return { key: this.#key, sounding: this.#timer !== null };
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#key = '';
    if (this.#gain) {
      this.#gain.disconnect();
      this.#gain = null;
    }
  }

  /** Plays one cycle (the settings page's preview). */
  preview(tone: string, level: number): void {
    unlockAudio();
    const ac = ctx;
    if (!ac || tone === 'none') return;
    const play = () => {
      const gain = ac.createGain();
      gain.gain.value = 0.3 * level / 100;
      gain.connect(ac.destination);
      const length = pattern(ac, gain, ac.currentTime + 0.05, tone, 'ring');
      setTimeout(() => gain.disconnect(), length * 1000);
    };
    if (ac.state === 'running') play();
    else void ac.resume().then(play);
  }
}
