/**
 * `softphone register <aor>`: register an account and keep it registered (RFC 3261 §10).
 * With --once, exit 0 at the first successful registration, non-zero with the server's
 * reason on failure. Without it, refresh until Ctrl-C, then unregister.
 */
import type { Command } from 'commander';
import { createNodeUserAgent } from '../../main/node.js';
import type { RegistrationEvent } from '../../sip/registration/register-client.js';
import { RegistrationClient } from '../../sip/registration/register-client.js';
import { serializeUri } from '../../sip/serializer.js';
import type { AccountFlags } from '../account-options.js';
import { addAccountOptions, parseSipTarget, passwordFrom, portFrom, withTransport } from '../account-options.js';
import { CliError } from '../errors.js';
import { commandLineInstanceId } from '../instance-id.js';
import { printTrace } from '../trace-printer.js';

interface RegisterFlags extends AccountFlags {
  expires: string;
  once?: boolean;
  timeout: string;
}

export function registerCommand(program: Command): void {
  const cmd = program
    .command('register')
    .description('register an account (address-of-record) with its registrar and keep the binding fresh')
    .argument('<aor>', 'address-of-record, e.g. alice@example.com or sip:alice@example.com');
  addAccountOptions(cmd)
    .option('--expires <seconds>', 'requested registration lifetime', '3600')
    .option('--once', 'exit 0 after the first successful registration (non-zero with the reason on failure)')
    .option('--timeout <seconds>', 'with --once: give up after this long while the registrar keeps failing', '60')
    .action(async (aorText: string, flags: RegisterFlags) => {
      process.exitCode = await runRegister(aorText, flags);
    });
}

async function runRegister(aorText: string, flags: RegisterFlags): Promise<number> {
  const aor = parseSipTarget(aorText, 'AOR');
  const expires = Number(flags.expires);
  if (!Number.isInteger(expires) || expires < 0) throw new CliError(`--expires must be a whole number of seconds, not "${flags.expires}"`);
  const registrar = withTransport(flags.registrar ? parseSipTarget(flags.registrar, '--registrar') : { ...aor, user: undefined, params: new Map(), headers: new Map() }, flags.outboundProxy ? undefined : flags.transport);
  const outboundProxy = flags.outboundProxy ? withTransport(parseSipTarget(flags.outboundProxy, '--outbound-proxy'), flags.transport) : undefined;
  const password = passwordFrom(flags);
  const { ua } = await createNodeUserAgent({
    peerHost: (outboundProxy ?? registrar).host,
    sipPort: portFrom(flags.sipPort, '--sip-port'),
    preferredTransport: flags.transport,
    tlsCaFiles: flags.tlsCa,
    dnsServers: flags.dns,
    outboundProxy,
    credentials: password !== undefined ? [{ username: aor.user ?? '', authUsername: flags.authUser, password }] : [],
  });
  if (flags.trace) printTrace(ua);
  const protocol = flags.transport ?? ua.defaultProtocol();
  const client = new RegistrationClient({
    aor,
    registrar,
    contact: () => ua.contactUri(aor.user, protocol),
    instanceId: commandLineInstanceId(serializeUri(aor)),
    expires,
    sender: ua,
    scheduler: ua.scheduler,
    random: ua.random,
  });
  // RFC 5626 §4.4.1: when the flow to the registrar fails, register again over a new one.
  ua.on('flowClosed', () => client.refreshNow());
  const who = serializeUri(aor);

  return new Promise<number>((resolve) => {
    let finished = false;
    const finish = async (code: number, unregister: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      if (unregister) await Promise.race([client.unregister(), new Promise((r) => setTimeout(r, 4000))]);
      client.close();
      await ua.close();
      resolve(code);
    };
    const deadline = setTimeout(() => {
      if (flags.once) {
        process.stderr.write(`registration of ${who} failed: ${client.last.reason ?? 'no answer'} (gave up after ${flags.timeout}s)\n`);
        void finish(1, false);
      }
    }, Number(flags.timeout) * 1000);
    if (!flags.once) deadline.unref();

    client.on('state', (e: RegistrationEvent) => {
      switch (e.state) {
        case 'registered':
          process.stdout.write(`registered ${who} for ${e.expires}s (${e.status})\n`);
          for (const b of e.bindings ?? []) process.stdout.write(`  binding ${b}\n`);
          if (flags.once) void finish(0, false);
          break;
        case 'retry-wait': {
          const wait = `${Math.round((e.retryInMs ?? 0) / 100) / 10}s`;
          // --once gives up at the first failure, unless the server itself named a
          // Retry-After (RFC 3261 §20.33) that fits within --timeout.
          if (flags.once && !(e.retryAfter && (e.retryInMs ?? 0) < Number(flags.timeout) * 1000)) {
            process.stderr.write(`registration of ${who} failed: ${e.reason}\n`);
            void finish(1, false);
          } else {
            process.stderr.write(`registration of ${who} failed: ${e.reason}; retrying in ${wait}\n`);
          }
          break;
        }
        case 'failed':
          process.stderr.write(`registration of ${who} failed: ${e.reason}\n`);
          void finish(1, false);
          break;
        case 'unregistered':
          process.stdout.write(`unregistered ${who}${e.status ? ` (${e.status})` : ''}\n`);
          break;
        default:
          break;
      }
    });
    const stop = () => {
      process.stdout.write('unregistering...\n');
      void finish(0, true);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    client.register();
  });
}

