/**
 * Errors of the system-audio adapters, with a stable `code` (STYLE.md §5):
 * - `audio-no-backend`: neither a PulseAudio/PipeWire server nor ALSA's tools are usable;
 * - `audio-device-not-found`: no input/output of that name (the message lists the ones there are);
 * - `audio-device-failed`: the device tool (parec, pacat, arecord, aplay) could not open it
 *   or stopped; the message carries what the tool said;
 * - `audio-bad-option`: a bad argument (a level outside 0..1.5, a bad device spec).
 */
export type AudioDeviceErrorCode = 'audio-no-backend' | 'audio-device-not-found' | 'audio-device-failed' | 'audio-bad-option';

export class AudioDeviceError extends Error {
  readonly code: AudioDeviceErrorCode;
  constructor(code: AudioDeviceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AudioDeviceError';
    this.code = code;
  }
}
