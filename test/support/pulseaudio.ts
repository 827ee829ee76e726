// A private PulseAudio server for system-audio tests: its own run directory (HOME,
// XDG_RUNTIME_DIR, PULSE_RUNTIME_PATH, PULSE_STATE_PATH all inside it), a native-protocol
// socket there with anonymous auth, and null sinks (`module-null-sink`) instead of sound
// cards. Clients reach it through `env` (PULSE_SERVER=unix:<socket>), so nothing collides
// with a desktop's own server. Stopped by its own PID.
//
//   const pa = await startPulseAudio({ sinks: ['t1', 't2'] });
//   after(() => pa.stop());
//   openPlayback('t1', format, { env: pa.env });   // plays into the null sink t1
//   openCapture('t1.monitor', format, { env: pa.env }); // hears what t1 plays
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRunDir, spawnPeer } from './process.js';
import type { PeerProcess } from './process.js';

export interface PulseAudio {
  readonly process: PeerProcess;
  /** `unix:<run dir>/native` */
  readonly server: string;
  /** process.env plus PULSE_SERVER (and a private HOME/XDG_RUNTIME_DIR) for clients. */
  readonly env: NodeJS.ProcessEnv;
  /** Run `pactl ARGS` against this server; resolves with stdout. */
  pactl(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export interface PulseAudioOptions {
  /** Null sinks to create (their monitors are `<name>.monitor`); the first is the default. */
  sinks?: string[];
  /**
   * ALSA PCMs to define in the private HOME's ~/.asoundrc, each on one of this server's sinks or
   * sources through ALSA's pulse plugin: `{ t2out: 't2' }` makes `alsa:t2out` play into t2.
   * They have no `hint` section, so `arecord -L` does not list them, as with most PCMs people
   * define themselves.
   */
  alsaPcms?: Record<string, string>;
}

export async function startPulseAudio(opts: PulseAudioOptions = {}): Promise<PulseAudio> {
  const runDir = makeRunDir('pulseaudio');
  const socket = join(runDir, 'native');
  for (const d of ['runtime', 'state', 'home']) mkdirSync(join(runDir, d), { recursive: true });
  const script = [
    `load-module module-native-protocol-unix auth-anonymous=1 socket=${socket}`,
    ...(opts.sinks ?? ['t1']).map((name) => `load-module module-null-sink sink_name=${name} sink_properties=device.description=Test-${name}`),
    '',
  ].join('\n');
  const pcms = Object.entries(opts.alsaPcms ?? {}).map(([name, device]) => `pcm.${name} {\n  type pulse\n  device "${device}"\n}\n`);
  if (pcms.length) writeFileSync(join(runDir, 'home', '.asoundrc'), pcms.join(''));
  const config = join(runDir, 'test.pa');
  writeFileSync(config, script);
  const privateEnv = {
    HOME: join(runDir, 'home'),
    XDG_RUNTIME_DIR: join(runDir, 'runtime'),
    PULSE_RUNTIME_PATH: join(runDir, 'runtime'),
    PULSE_STATE_PATH: join(runDir, 'state'),
  };
  const proc = spawnPeer({
    name: 'pulseaudio',
    command: 'pulseaudio',
    // -n: no default script (no hardware, no desktop modules); -F: ours. Running as root is
    // allowed with --system=false, and --disallow-exit/--exit-idle-time keep it up between clients.
    args: ['--daemonize=no', '-n', '-F', config, '--exit-idle-time=-1', '--disallow-exit', '--use-pid-file=no', '--system=false', '--log-target=stderr', '-v'],
    runDir,
    env: { ...process.env, ...privateEnv, PULSE_SERVER: undefined },
  });
  const server = `unix:${socket}`;
  const env: NodeJS.ProcessEnv = { ...process.env, ...privateEnv, PULSE_SERVER: server };
  const pactl = (...args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile('pactl', args, { env: { ...env, LC_ALL: 'C' }, timeout: 5000 }, (err, stdout, stderr) => (err ? reject(new Error(`pactl ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)));
    });
  try {
    await proc.waitForOutput(/Daemon startup complete/, 10000);
    await pactl('info');
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return {
    process: proc,
    server,
    env,
    pactl,
    stop: async () => {
      await proc.stop();
    },
  };
}
