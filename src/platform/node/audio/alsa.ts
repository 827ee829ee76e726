/**
 * ALSA through alsa-utils: `arecord` captures a PCM to stdout, `aplay` plays stdin, and
 * `arecord -L` / `aplay -L` list the PCM names. Streams are raw S16_LE mono at the rate asked
 * for. `hw:` devices take only what the hardware does (often 48 kHz stereo): prefer `plughw:`
 * (ALSA converts) or `default`; devices.ts runs `hw:` devices at 48 kHz and resamples itself.
 */
import type { AudioBackend, AudioDevice, AudioDeviceList, AudioDirection, StreamParams, ToolCommand } from './audio-backend.js';
import { AudioDeviceError } from './audio-device-error.js';
import { lastLines } from './pulse.js';
import { runTool } from './run-tool.js';

/**
 * PCM names worth offering: the default, sound-server bridges, and per-card devices. `-L` also
 * lists converters and effects (speexrate, upmix, vdownmix, a52 ...) and multichannel outputs
 * (surround51, iec958), which are no phone's microphone or speaker.
 */
const USEFUL_PCM = /^(default|sysdefault(:.*)?|pulse|pipewire|null|hw:.*|plughw:.*|front:.*|dmix:.*|dsnoop:.*)$/;

/** `arecord -L` / `aplay -L`: a PCM name at the start of a line, its description indented below. */
export function parseAlsaList(text: string, direction: AudioDirection): AudioDevice[] {
  const out: AudioDevice[] = [];
  let name: string | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (name !== undefined && USEFUL_PCM.test(name)) {
      if (direction === 'input' && name.startsWith('dmix:')) return;
      if (direction === 'output' && name.startsWith('dsnoop:')) return;
      out.push({ id: name, description: lines.join(', ') || name, direction, backend: 'alsa', isDefault: name === 'default' });
    }
  };
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (/^\s/.test(line)) {
      lines.push(line.trim());
    } else {
      flush();
      name = line.trim();
      lines = [];
    }
  }
  flush();
  return out;
}

function streamArgs(device: string | undefined, params: StreamParams): string[] {
  const bufferUs = Math.max(5000, Math.round(params.latencyMs * 1000));
  return [
    `--device=${device ?? 'default'}`,
    '--file-type=raw',
    '--format=S16_LE',
    '--channels=1',
    `--rate=${params.rate}`,
    `--buffer-time=${bufferUs}`,
    `--period-time=${Math.round(bufferUs / 4)}`,
  ];
}

export const alsaBackend: AudioBackend = {
  name: 'alsa',
  label: 'ALSA',

  async probe(env) {
    const r = await runTool('arecord', ['--version'], { env, timeoutMs: 2000 });
    return r.code === 0;
  },

  async list(env): Promise<AudioDeviceList> {
    const [rec, play] = await Promise.all([runTool('arecord', ['-L'], { env }), runTool('aplay', ['-L'], { env })]);
    if (rec.code !== 0 && play.code !== 0) throw new AudioDeviceError('audio-no-backend', `ALSA tools do not run: ${rec.error ?? lastLines(rec.stderr)}`);
    return { backend: 'alsa', inputs: parseAlsaList(rec.stdout, 'input'), outputs: parseAlsaList(play.stdout, 'output') };
  },

  captureCommand(device, params): ToolCommand {
    return { command: 'arecord', args: streamArgs(device, params) };
  },

  playbackCommand(device, params): ToolCommand {
    // -v prints the negotiated setup (period_size); -V mono draws a VU meter once per period
    // written to the device, which is the only progress aplay reports.
    return { command: 'aplay', args: [...streamArgs(device, params), '-v', '-V', 'mono'] };
  },

  readyLine: /^(Recording|Playing) raw data/m,

  // Each VU meter line ("####+| 42%") is one period (period_size frames at `rate`) written.
  playbackProgress() {
    let text = '';
    let periodMs: number | undefined;
    let periods = 0;
    return (stderr: string) => {
      if (periodMs === undefined) {
        text += stderr;
        const size = /^\s*period_size\s*:\s*(\d+)/m.exec(text);
        const rate = /^\s*rate\s*:\s*(\d+)/m.exec(text);
        if (!size || !rate) return undefined;
        periodMs = (Number(size[1]) * 1000) / Number(rate[1]);
        stderr = text.slice(Math.max(size.index, rate.index));
        text = '';
      }
      for (let i = stderr.indexOf('%'); i >= 0; i = stderr.indexOf('%', i + 1)) periods++;
      return periods ? periods * periodMs : undefined;
    };
  },

  failure(direction, device, stderr, exitCode) {
    const said = lastLines(stderr);
    const what = direction === 'input' ? 'capture device' : 'playback device';
    const name = device ?? 'default';
    if (/Unknown PCM|audio open error: No such (file|device)/i.test(stderr)) return new AudioDeviceError('audio-device-not-found', `no ALSA ${what} named "${name}" (run \`softphone devices\` to list them): ${said}`);
    if (/Device or resource busy/i.test(stderr)) return new AudioDeviceError('audio-device-failed', `ALSA ${what} "${name}" is in use by another program (use a sound server, or plughw:/dsnoop:/dmix: devices): ${said}`);
    return new AudioDeviceError('audio-device-failed', `ALSA ${what} "${name}" failed${exitCode !== null ? ` (exit ${exitCode})` : ''}: ${said || 'no message'}`);
  },
};
