/**
 * System audio for the Node runtime (PulseAudio/PipeWire, ALSA): the CLI and the engine reach
 * platform/node/audio through here, as they reach sockets and timers through node.ts.
 */
export {
  AudioDeviceError,
  MAX_LEVEL,
  checkLevel,
  detectAudioBackend,
  listAudioDevices,
  openCapture,
  openPlayback,
  parseDeviceSpec,
  resolveAudioDevice,
  type AudioBackendName,
  type AudioDevice,
  type AudioDeviceList,
  type AudioDirection,
  type CaptureStats,
  type DeviceCapture,
  type DevicePlayback,
  type OpenAudioOptions,
  type PlaybackStats,
} from '../platform/node/audio/index.js';
