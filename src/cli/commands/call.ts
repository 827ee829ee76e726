/**
 * `softphone call <target>`: place one call, play a source into it, record what comes back,
 * send DTMF after answer, hang up after --duration. Exit 0 when the call was answered and
 * ended normally; 1 with the reason otherwise (busy, declined, not found, no answer ...).
 */
import type { Command } from 'commander';
import type { Call } from '../../phone/call.js';
import { PhoneError } from '../../phone/phone.js';
import { addDeviceOptions, callAudio, parseDevices, parsePlay, Recordings } from '../audio-options.js';
import type { DeviceFlags } from '../audio-options.js';
import { CliError } from '../errors.js';
import type { PhoneFlags } from '../phone-options.js';
import { addPhoneOptions, phoneFromFlags, registerIfAccount } from '../phone-options.js';
import { describeStats, watchCall } from './call-output.js';

interface CallFlags extends PhoneFlags, DeviceFlags {
  play?: string;
  record?: string;
  duration?: string;
  dtmf?: string;
}

export function callCommand(program: Command): void {
  const cmd = program
    .command('call')
    .description('place a call: play a file or tone into it, record what you hear, send DTMF')
    .argument('<target>', 'sip:bob@host:port (direct), a number or extension (through --account), or "echo" (local echo test)');
  addDeviceOptions(addPhoneOptions(cmd))
    .option('--play <source>', 'what to send: FILE.wav (any rate, looped) or tone:HZ (default: silence)')
    .option('--record <file.wav>', 'record what you hear (early media included) to a WAV file')
    .option('--duration <seconds>', 'hang up this long after the answer (default: when the other side hangs up)')
    .option('--dtmf <digits>', 'send these DTMF digits after the answer (0-9 * # A-D)')
    .action(async (target: string, flags: CallFlags) => {
      process.exitCode = await runCall(target, flags);
    });
}

async function runCall(target: string, flags: CallFlags): Promise<number> {
  const duration = flags.duration === undefined ? undefined : Number(flags.duration);
  if (duration !== undefined && !(duration > 0)) throw new CliError(`--duration must be a positive number of seconds, not "${flags.duration}"`);
  if (flags.dtmf !== undefined && !/^[0-9*#A-Da-d]+$/.test(flags.dtmf)) throw new CliError(`--dtmf takes digits 0-9 * # A-D, not "${flags.dtmf}"`);
  const devices = await parseDevices(flags);
  const play = await parsePlay(flags.play, devices);
  const recording = new Recordings(flags.record).next();
  const phone = await phoneFromFlags(flags);
  const audio = callAudio(play, recording.sink, devices);
  let call: Call;
  try {
    if (!(await registerIfAccount(phone, flags))) {
      await phone.close();
      return 1;
    }
    call = await phone.dial(target, { audio });
  } catch (err) {
    await phone.close();
    if (err instanceof PhoneError) throw new CliError(err.message);
    throw err;
  }
  process.stdout.write(`calling ${target} (sending ${play.describe})\n`);
  watchCall(call, process.stdout);

  let timer: NodeJS.Timeout | undefined;
  call.on('state', (e) => {
    if (e.state !== 'established') return;
    if (flags.dtmf) {
      const digits = flags.dtmf;
      call.sendDtmf(digits).then(
        () => process.stdout.write(`dtmf sent: ${digits}\n`),
        (err: Error) => process.stderr.write(`dtmf failed: ${err.message}\n`),
      );
    }
    if (duration !== undefined) timer = setTimeout(() => void call.hangup(), duration * 1000);
  });
  const interrupt = () => void call.hangup();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  const ended = call.ended ?? (await call.waitFor('ended'));
  await audio.close();
  clearTimeout(timer);
  process.off('SIGINT', interrupt);
  process.off('SIGTERM', interrupt);
  const answered = call.answeredAt !== undefined;
  const stats = call.stats();
  const secs = answered ? ((Date.now() - call.answeredAt!) / 1000).toFixed(1) : undefined;
  process.stdout.write(`ended: ${ended.reason}${secs ? ` after ${secs}s` : ''}\n`);
  if (stats) process.stdout.write(`stats: ${describeStats(stats)}\n`);
  const file = await recording.save();
  if (file) process.stdout.write(`recorded to ${file}\n`);
  await phone.close();
  if (!answered) {
    process.stderr.write(`call failed: ${ended.reason}\n`);
    return 1;
  }
  return ended.cause === 'normal' ? 0 : 1;
}
