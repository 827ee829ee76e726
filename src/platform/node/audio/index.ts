/** System audio devices (PulseAudio/PipeWire, ALSA) as media sources and sinks; see README.md. */
export type { AudioBackendName, AudioDevice, AudioDeviceList, AudioDirection } from './audio-backend.js';
export { AudioDeviceError, type AudioDeviceErrorCode } from './audio-device-error.js';
export { DeviceCapture, type CaptureStats } from './device-capture.js';
export { DevicePlayback, type PlaybackStats } from './device-playback.js';
export {
  detectAudioBackend,
  listAudioDevices,
  openCapture,
  openPlayback,
  parseDeviceSpec,
  resolveAudioDevice,
  type AudioSystemOptions,
  type DeviceSpec,
  type OpenAudioOptions,
} from './devices.js';
export { MAX_LEVEL, checkLevel } from './level.js';
