/**
 * `softphone devices`: the system's audio inputs (for --mic) and outputs (for --speaker), the
 * defaults marked, from PulseAudio/PipeWire when a server answers, else ALSA.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { AudioBackendName, AudioDevice } from '../../main/node-audio.js';
import { AudioDeviceError, listAudioDevices } from '../../main/node-audio.js';
import { CliError } from '../errors.js';

interface DevicesFlags {
  backend?: AudioBackendName;
  json?: boolean;
}

export function devicesCommand(program: Command): void {
  program
    .command('devices')
    .description('list audio inputs (--mic) and outputs (--speaker)')
    .addOption(new Option('--backend <name>', 'ask this sound system instead of detecting one').choices(['pulse', 'alsa']))
    .option('--json', 'print the lists as JSON')
    .action(async (flags: DevicesFlags) => {
      process.exitCode = await runDevices(flags);
    });
}

async function runDevices(flags: DevicesFlags): Promise<number> {
  let list;
  try {
    list = await listAudioDevices(flags.backend ? { backend: flags.backend } : {});
  } catch (err) {
    if (err instanceof AudioDeviceError) throw new CliError(err.message, 1);
    throw err;
  }
  if (flags.json) {
    process.stdout.write(JSON.stringify(list, null, 2) + '\n');
    return 0;
  }
  const label = list.backend === 'pulse' ? 'PulseAudio' : 'ALSA';
  // Asked for ALSA explicitly: a sound server may be the default, so name devices as --mic alsa:NAME.
  const prefix = flags.backend === 'alsa' ? 'alsa:' : '';
  process.stdout.write(`${label} (* = default)\n`);
  const print = (title: string, devices: AudioDevice[]) => {
    process.stdout.write(`${title}\n`);
    if (!devices.length) process.stdout.write('    (none)\n');
    const width = Math.max(0, ...devices.map((d) => d.id.length + prefix.length));
    for (const d of devices) {
      const note = d.monitor ? ' [monitor: what this output plays]' : '';
      process.stdout.write(`  ${d.isDefault ? '*' : ' '} ${(prefix + d.id).padEnd(width)}  ${d.description}${note}\n`);
    }
  };
  print('inputs (--mic DEVICE):', list.inputs);
  print('outputs (--speaker DEVICE):', list.outputs);
  return 0;
}
