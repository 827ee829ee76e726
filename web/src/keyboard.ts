/**
 * The keyboard map: which key does what, given what is on screen. Pure, so the map is tested
 * without a browser; app.tsx feeds it keydown events and runs the action.
 */
import { isDtmfDigit } from './dial.js';

export type ShortcutAction =
  | { type: 'answer' }
  | { type: 'decline' }
  | { type: 'hangup' }
  | { type: 'mute' }
  | { type: 'hold' }
  | { type: 'switch' }
  | { type: 'keypad' }
  | { type: 'transfer' }
  | { type: 'focus-dial' }
  | { type: 'back' }
  | { type: 'help' }
  | { type: 'dtmf'; digit: string }
  | { type: 'dial-digit'; digit: string };

export interface KeyInput {
  key: string;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
  /** Focus is in a text field, select or textarea: letters belong to it. */
  inEditable: boolean;
}

export interface KeyContext {
  /** A call is ringing in (state incoming). */
  incoming: boolean;
  /** A call is in progress: calling, ringing, early or established. */
  active: boolean;
  /** The focused call is established. */
  established: boolean;
  /** More than one call line exists. */
  lines: number;
  /** The phone (dial pad or call) screen is showing. */
  phoneScreen: boolean;
}

/** The shortcuts, as the help dialog and the README list them. */
export const SHORTCUTS: readonly { keys: string; does: string }[] = [
  { keys: 'A', does: 'Answer the ringing call' },
  { keys: 'X', does: 'Decline the ringing call' },
  { keys: 'H', does: 'Hang up' },
  { keys: 'M', does: 'Mute or unmute the microphone' },
  { keys: 'P', does: 'Put on hold or resume' },
  { keys: 'S', does: 'Switch to the other line' },
  { keys: 'T', does: 'Transfer the call' },
  { keys: 'K', does: 'Show or hide the keypad in a call' },
  { keys: 'D', does: 'Go to the dial pad' },
  { keys: '0-9 * #', does: 'Type a number, or send DTMF in a call' },
  { keys: 'Esc', does: 'Back, or close a dialog' },
  { keys: '?', does: 'Show these shortcuts' },
];

export function keyAction(input: KeyInput, ctx: KeyContext): ShortcutAction | null {
  if (input.ctrlKey || input.metaKey || input.altKey) return null;
  if (input.key === 'Escape') return { type: 'back' };
  if (input.inEditable) return null;
  const key = input.key.length === 1 ? input.key.toLowerCase() : input.key;
  switch (key) {
    case 'a':
      return ctx.incoming ? { type: 'answer' } : null;
    case 'x':
      return ctx.incoming ? { type: 'decline' } : null;
    case 'h':
      return ctx.active ? { type: 'hangup' } : null;
    case 'm':
      return ctx.established ? { type: 'mute' } : null;
    case 'p':
      return ctx.established ? { type: 'hold' } : null;
    case 's':
      return ctx.lines > 1 ? { type: 'switch' } : null;
    case 't':
      return ctx.established ? { type: 'transfer' } : null;
    case 'k':
      return ctx.established ? { type: 'keypad' } : null;
    case 'd':
      return { type: 'focus-dial' };
    case '?':
      return { type: 'help' };
  }
  // Letters A-D are DTMF too, but here they are shortcuts: only digits, * and # send tones.
  if (input.key.length === 1 && isDtmfDigit(input.key) && /[0-9*#]/.test(input.key)) {
    if (ctx.established) return { type: 'dtmf', digit: input.key };
    if (ctx.phoneScreen && !ctx.active) return { type: 'dial-digit', digit: input.key };
  }
  return null;
}
