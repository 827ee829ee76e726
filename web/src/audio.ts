/**
 * The browser as the handset: microphone and speaker bridged to the engine over localhost.
 * The transport (localhost WebRTC, or a WebSocket with an AudioWorklet) is chosen and built by
 * a later change; until then no bridge is attached and the call screen says so. Whatever
 * provides the bridge calls `setAudioBridge()`; the UI reads `audioBridgeStatus()` only.
 */

export interface AudioBridge {
  /** Short words for the call screen, e.g. "browser audio (WebRTC, 12 ms)". */
  describe(): string;
  /** Starts carrying audio for an established call. */
  attach(callId: string): Promise<void>;
  /** Stops carrying audio for a call (hang up, hold, switch). */
  detach(callId: string): void;
}

let bridge: AudioBridge | null = null;

export function setAudioBridge(b: AudioBridge | null): void {
  bridge = b;
}

export function audioBridge(): AudioBridge | null {
  return bridge;
}

export const NO_AUDIO_BRIDGE = 'audio bridge not connected';

/** What the call screen shows about audio for an established call. */
export function audioBridgeStatus(): { connected: boolean; text: string } {
  return bridge ? { connected: true, text: bridge.describe() } : { connected: false, text: NO_AUDIO_BRIDGE };
}
