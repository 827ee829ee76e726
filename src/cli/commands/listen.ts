/**
 * `softphone listen`: wait for calls (registered through --account, or reachable directly at
 * the printed URI), answer them, play a source, record each call to its own file, and print
 * the DTMF digits received. With --speaker, a call rings there until it is answered (call
 * waiting beeps while another is up). Ends after --max-calls calls, or on Ctrl-C.
 */
import type { Command } from 'commander';
import { SystemRinger } from '../../main/node-audio.js';
import { RING_TONES } from '../../media/ring-tones.js';
import type { Call } from '../../phone/call.js';
import { addDeviceOptions, callAudio, parseDevices, parsePlay, Recordings } from '../audio-options.js';
import type { AudioDevices, DeviceFlags } from '../audio-options.js';
import { CliError } from '../errors.js';
import type { PhoneFlags } from '../phone-options.js';
import { addPhoneOptions, phoneFromFlags, registerIfAccount } from '../phone-options.js';
import { serializeUri } from '../../sip/serializer.js';
import { describeStats, watchCall } from './call-output.js';

interface ListenFlags extends PhoneFlags, DeviceFlags {
  autoAnswer?: string | boolean;
  play?: string;
  record?: string;
  maxCalls?: string;
  busy?: boolean;
  ringtone?: string;
}

export function listenCommand(program: Command): void {
  const cmd = program.command('listen').description('wait for calls and answer them: play a file or tone, record each call, print DTMF');
  addDeviceOptions(addPhoneOptions(cmd))
    .option('--auto-answer [seconds]', 'answer by itself (after ringing this long; default at once)')
    .option('--play <source>', 'what to send: FILE.wav (any rate, looped) or tone:HZ (default: silence)')
    .option('--record <file.wav>', 'record each call: the first to FILE.wav, then FILE-2.wav, ...')
    .option('--max-calls <n>', 'exit after this many calls have ended')
    .option('--ringtone <name|file.wav>', `with --speaker, ring there while a call waits: ${RING_TONES.join(', ')} or a WAV file`, 'default')
    .action(async (flags: ListenFlags) => {
      process.exitCode = await runListen(flags);
    });
}

async function runListen(flags: ListenFlags): Promise<number> {
  const autoAnswerS = flags.autoAnswer === undefined ? undefined : flags.autoAnswer === true ? 0 : Number(flags.autoAnswer);
  if (autoAnswerS !== undefined && !(autoAnswerS >= 0)) throw new CliError(`--auto-answer takes a number of seconds, not "${flags.autoAnswer}"`);
  const maxCalls = flags.maxCalls === undefined ? undefined : Number(flags.maxCalls);
  if (maxCalls !== undefined && !(Number.isInteger(maxCalls) && maxCalls > 0)) throw new CliError(`--max-calls must be a positive whole number, not "${flags.maxCalls}"`);
  const devices = await parseDevices(flags);
  const play = await parsePlay(flags.play, devices);
  const recordings = new Recordings(flags.record);
  const phone = await phoneFromFlags(flags);
  const interactive = autoAnswerS === undefined && process.stdin.isTTY;

  const protocol = flags.transport ?? phone.ua.defaultProtocol();
  const user = flags.account ? flags.account.replace(/^sips?:/, '').split('@')[0] : 'softphone';
  process.stdout.write(`listening on ${serializeUri(phone.ua.contactUri(user, protocol))}\n`);
  if (!(await registerIfAccount(phone, flags))) {
    await phone.close();
    return 1;
  }
  if (autoAnswerS === undefined && !interactive) process.stdout.write('(no --auto-answer and no terminal: calls will ring until the caller gives up)\n');

  let ended = 0;
  let number = 0;
  let pending: Call | undefined;
  const done = new Promise<void>((resolve) => {
    phone.on('incoming', (call) => {
      const n = ++number;
      const prefix = `[call ${n}] `;
      const rec = recordings.next();
      process.stdout.write(`${prefix}incoming call from ${describeParty(call)}\n`);
      watchCall(call, process.stdout, prefix);
      call.ring();
      ringWhileIncoming(call, devices, flags.ringtone ?? 'default', phone.calls.some((c) => c !== call && c.state === 'established'), autoAnswerS);
      const answer = () => {
        if (call.state === 'incoming') call.answer();
      };
      const audio = callAudio(play, rec.sink, devices);
      call.setAudio(audio);
      if (autoAnswerS !== undefined) setTimeout(answer, autoAnswerS * 1000);
      else if (interactive) {
        pending = call;
        process.stdout.write(`${prefix}press Enter to answer, d then Enter to decline\n`);
      }
      call.once('ended', (e) => {
        void audio.close();
        const stats = call.stats();
        const secs = call.answeredAt === undefined ? '' : ` after ${((Date.now() - call.answeredAt) / 1000).toFixed(1)}s`;
        process.stdout.write(`${prefix}ended: ${e.reason}${secs}\n`);
        if (stats) process.stdout.write(`${prefix}stats: ${describeStats(stats)}\n`);
        void rec.save().then((file) => {
          if (file) process.stdout.write(`${prefix}recorded to ${file}\n`);
          ended++;
          if (maxCalls !== undefined && ended >= maxCalls) resolve();
        });
      });
    });
    if (interactive) {
      process.stdin.setEncoding('utf8');
      process.stdin.on('data', (line: string) => {
        const call = pending;
        if (!call || call.state !== 'incoming') return;
        pending = undefined;
        if (line.trim().toLowerCase().startsWith('d')) call.decline();
        else call.answer();
      });
    }
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await done;
  process.stdin.pause();
  await phone.close();
  return 0;
}

/**
 * With --speaker, rings on it (call waiting beeps when another call is up) while `call` is
 * incoming; not for an auto-answer without delay (the ringtone `none` plays nothing).
 */
function ringWhileIncoming(call: Call, devices: AudioDevices | undefined, tone: string, busy: boolean, autoAnswerS: number | undefined): void {
  const speaker = devices?.speaker;
  if (!speaker || autoAnswerS === 0) return;
  const ringer = new SystemRinger({
    backend: speaker.backend,
    output: speaker.id,
    level: devices.speakerLevel,
    tone,
    kind: busy ? 'waiting' : 'ring',
    onError: (message) => process.stderr.write(`ringtone: ${message}\n`),
  });
  const stop = () => {
    if (call.state === 'incoming') return;
    off();
    void ringer.stop();
  };
  const off = call.on('state', stop);
  stop();
}

function describeParty(call: Call): string {
  const name = call.remote.displayName ? `"${call.remote.displayName}" ` : '';
  return `${name}<${serializeUri(call.remote.uri)}>`;
}
