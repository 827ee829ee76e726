/**
 * PulseAudio (and PipeWire, whose pipewire-pulse answers the same protocol) through its own
 * command-line clients: `parec` captures a source to stdout, `pacat` plays stdin on a sink,
 * `pactl` lists them. Streams are raw s16le mono at the rate asked for; the server converts
 * from and to the device's own format and rate.
 *
 * Device names are the server's (`alsa_input.usb-...`, `t1.monitor`); a sink's monitor source
 * (`<sink>.monitor`) captures what that sink plays.
 */
import type { AudioBackend, AudioDevice, AudioDeviceList, AudioDirection, StreamParams, ToolCommand } from './audio-backend.js';
import { AudioDeviceError } from './audio-device-error.js';
import { runTool } from './run-tool.js';

export interface PulseDefaults {
  sink?: string;
  source?: string;
}

/** `Default Sink:` and `Default Source:` from `pactl info`. */
export function parsePactlInfo(text: string): PulseDefaults {
  const sink = /^Default Sink:\s*(\S+)/m.exec(text)?.[1];
  const source = /^Default Source:\s*(\S+)/m.exec(text)?.[1];
  return { ...(sink ? { sink } : {}), ...(source ? { source } : {}) };
}

/**
 * `pactl list short sources|sinks`: one device a line, tab-separated
 * `index  name  driver  sample-spec  state`. No descriptions in this form.
 */
export function parsePactlShort(text: string, direction: AudioDirection, defaultName?: string): AudioDevice[] {
  const out: AudioDevice[] = [];
  for (const line of text.split('\n')) {
    const cols = line.split('\t');
    if (cols.length < 2 || !/^\d+$/.test(cols[0]!.trim())) continue;
    const id = cols[1]!.trim();
    const monitor = direction === 'input' && id.endsWith('.monitor');
    out.push({ id, description: monitor ? `Monitor of ${id.slice(0, -'.monitor'.length)}` : id, direction, backend: 'pulse', isDefault: id === defaultName, ...(direction === 'input' ? { monitor } : {}) });
  }
  return out;
}

interface PactlJsonDevice {
  name?: unknown;
  description?: unknown;
  properties?: Record<string, unknown>;
}

/**
 * `pactl -f json list sources|sinks` (pactl 16 and later): adds descriptions and tells monitors
 * by `device.class = monitor`. Undefined when `text` is not that JSON (an older pactl).
 */
export function parsePactlJson(text: string, direction: AudioDirection, defaultName?: string): AudioDevice[] | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(data)) return undefined;
  const out: AudioDevice[] = [];
  for (const d of data as PactlJsonDevice[]) {
    if (typeof d?.name !== 'string') continue;
    const description = typeof d.description === 'string' && d.description ? d.description : d.name;
    const monitor = direction === 'input' && (d.properties?.['device.class'] === 'monitor' || d.name.endsWith('.monitor'));
    out.push({ id: d.name, description, direction, backend: 'pulse', isDefault: d.name === defaultName, ...(direction === 'input' ? { monitor } : {}) });
  }
  return out;
}

async function listOne(kind: 'sources' | 'sinks', direction: AudioDirection, defaultName: string | undefined, env: NodeJS.ProcessEnv): Promise<AudioDevice[]> {
  const json = await runTool('pactl', ['-f', 'json', 'list', kind], { env });
  if (json.code === 0) {
    const devices = parsePactlJson(json.stdout, direction, defaultName);
    if (devices) return devices;
  }
  const short = await runTool('pactl', ['list', 'short', kind], { env });
  if (short.code !== 0) throw new AudioDeviceError('audio-no-backend', `pactl list ${kind} failed: ${short.error ?? lastLines(short.stderr)}`);
  return parsePactlShort(short.stdout, direction, defaultName);
}

function streamArgs(device: string | undefined, params: StreamParams): string[] {
  return [
    '--raw',
    '--format=s16le',
    '--channels=1',
    `--rate=${params.rate}`,
    `--latency-msec=${Math.max(1, Math.round(params.latencyMs))}`,
    '--client-name=softphone',
    `--stream-name=${params.streamName}`,
    // The phone role: desktops duck or pause music for it (module-role-cork, PipeWire policies).
    '--property=media.role=phone',
    '-v',
    ...(device ? [`--device=${device}`] : []),
  ];
}

export const pulseBackend: AudioBackend = {
  name: 'pulse',
  label: 'PulseAudio',

  async probe(env) {
    const r = await runTool('pactl', ['info'], { env, timeoutMs: 2000 });
    return r.code === 0;
  },

  async list(env): Promise<AudioDeviceList> {
    const info = await runTool('pactl', ['info'], { env, timeoutMs: 2000 });
    if (info.code !== 0) throw new AudioDeviceError('audio-no-backend', `no PulseAudio server answers: ${(info.error ?? lastLines(info.stderr)) || `pactl exited with ${info.code}`}`);
    const defaults = parsePactlInfo(info.stdout);
    const [inputs, outputs] = await Promise.all([listOne('sources', 'input', defaults.source, env), listOne('sinks', 'output', defaults.sink, env)]);
    return { backend: 'pulse', inputs, outputs };
  },

  captureCommand(device, params): ToolCommand {
    return { command: 'parec', args: streamArgs(device, params) };
  },

  playbackCommand(device, params): ToolCommand {
    return { command: 'pacat', args: ['--playback', ...streamArgs(device, params)] };
  },

  readyLine: /Stream successfully created/,

  // pacat/parec -v, when the server moves the stream: its own sink or source went away (PulseAudio
  // 14 and PipeWire move the stream to the default then), or the user moved it in the mixer.
  movedLine: /Stream moved to device (\S+) \(/,

  // pacat -v: "Time: 1.246 sec; Latency: 34926 usec." every 50 ms, where Time is the stream's
  // position as played by the device (pa_stream_get_time), ended by spaces and \r.
  playbackProgress() {
    let played: number | undefined;
    return (stderr: string) => {
      for (const m of stderr.matchAll(/Time: (\d+(?:\.\d+)?) sec/g)) played = Number(m[1]) * 1000;
      return played;
    };
  },

  failure(direction, device, stderr, exitCode) {
    const said = lastLines(stderr);
    const what = direction === 'input' ? 'source' : 'sink';
    if (/No such entity/i.test(stderr)) return new AudioDeviceError('audio-device-not-found', `no PulseAudio ${what} named "${device ?? '(default)'}" (run \`softphone devices\` to list them)`);
    if (/Connection (refused|failure)|pa_context_connect/i.test(stderr)) return new AudioDeviceError('audio-no-backend', `cannot reach the PulseAudio server: ${said}`);
    return new AudioDeviceError('audio-device-failed', `PulseAudio ${what} "${device ?? '(default)'}" failed${exitCode !== null ? ` (exit ${exitCode})` : ''}: ${said || 'no message'}`);
  },
};

/** The last few meaningful lines a tool wrote, for an error message. */
export function lastLines(text: string, n = 2): string {
  return text
    // eslint-disable-next-line no-control-regex -- pacat writes "clear to end of line" escapes
    .replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')
    .split(/[\r\n]/)
    .map((l) => l.trim())
    .filter((l) => l && !/^(Time:|Stream (successfully|started|underrun|moved)|Connection established|Buffer metrics|Using sample spec|Using channel map|Connected to device|Opening a|Playing raw|Recording raw|#)/.test(l))
    .slice(-n)
    .join('; ');
}
