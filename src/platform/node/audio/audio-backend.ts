/**
 * What devices.ts needs of a sound system: whether it answers here, its devices, and the
 * command lines of the tools that capture and play raw PCM through it. pulse.ts (PulseAudio,
 * and PipeWire through pipewire-pulse) and alsa.ts implement it.
 */
import type { AudioDeviceError } from './audio-device-error.js';

export type AudioBackendName = 'pulse' | 'alsa';
export type AudioDirection = 'input' | 'output';

export interface AudioDevice {
  /** The name the backend knows it by; what `--mic`/`--speaker` and `openCapture`/`openPlayback` take. */
  readonly id: string;
  /** For people: "Built-in Audio Analog Stereo", "Monitor of TestSink1". */
  readonly description: string;
  readonly direction: AudioDirection;
  readonly backend: AudioBackendName;
  /** The system's default input or output. */
  readonly isDefault: boolean;
  /** PulseAudio: a sink's monitor (what an output plays), not a microphone. */
  readonly monitor?: boolean;
}

export interface AudioDeviceList {
  readonly backend: AudioBackendName;
  readonly inputs: AudioDevice[];
  readonly outputs: AudioDevice[];
}

/** A device tool to spawn. */
export interface ToolCommand {
  readonly command: string;
  readonly args: string[];
}

export interface StreamParams {
  /** Sample rate the tool reads or writes (mono s16le). */
  readonly rate: number;
  /** Buffer the tool asks the device for, in ms. */
  readonly latencyMs: number;
  /** The stream's name in the sound server's mixer. */
  readonly streamName: string;
}

export interface AudioBackend {
  readonly name: AudioBackendName;
  /** For people: "PulseAudio", "ALSA". */
  readonly label: string;
  /** True when the backend answers here (a server is running, the tools exist). */
  probe(env: NodeJS.ProcessEnv): Promise<boolean>;
  list(env: NodeJS.ProcessEnv): Promise<AudioDeviceList>;
  /** The tool that writes the device's capture to stdout; `device` undefined means the default. */
  captureCommand(device: string | undefined, params: StreamParams): ToolCommand;
  /** The tool that plays stdin on the device. */
  playbackCommand(device: string | undefined, params: StreamParams): ToolCommand;
  /** A line the tool writes on stderr once the device is open. */
  readonly readyLine: RegExp;
  /**
   * A reader of the playback tool's stderr that returns, after each piece, the ms of audio the
   * device has taken so far, when the tool reports it (pacat -v every 50 ms; aplay's VU meter
   * once per period). Undefined until a report has come.
   */
  playbackProgress?(): (stderr: string) => number | undefined;
  /**
   * A stderr line saying the sound server moved the stream to another device (the device was
   * unplugged, or the user moved it in the mixer); group 1 is the new device's name.
   */
  readonly movedLine?: RegExp;
  /** The error for a tool that exited early, from what it said on stderr. */
  failure(direction: AudioDirection, device: string | undefined, stderr: string, exitCode: number | null): AudioDeviceError;
}
