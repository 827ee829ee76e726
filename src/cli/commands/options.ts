/**
 * `softphone options <uri>`: a SIP ping (RFC 3261 §11). Prints the response, what the far
 * end allows and supports, and the round-trip time. Exit 0 on any final response (the
 * peer is alive), 1 on timeout or transport failure.
 */
import type { Command } from 'commander';
import { createNodeUserAgent } from '../../main/node.js';
import { createRequest, getHeader } from '../../sip/message.js';
import { serializeUri } from '../../sip/serializer.js';
import type { AccountFlags } from '../account-options.js';
import { addAccountOptions, parseSipTarget, passwordFrom, portFrom, withTransport } from '../account-options.js';
import { printTrace } from '../trace-printer.js';

interface OptionsFlags extends AccountFlags {
  from?: string;
}

export function optionsCommand(program: Command): void {
  const cmd = program
    .command('options')
    .description('send a SIP OPTIONS ping and print the answer and the round-trip time')
    .argument('<uri>', 'target, e.g. sip:127.0.0.1:5060 or bob@example.com');
  addAccountOptions(cmd)
    .option('--from <aor>', 'From address (default: sip:softphone@<local address>)')
    .action(async (target: string, flags: OptionsFlags) => {
      process.exitCode = await runOptions(target, flags);
    });
}

async function runOptions(targetText: string, flags: OptionsFlags): Promise<number> {
  const target = withTransport(parseSipTarget(targetText, 'target'), flags.outboundProxy ? undefined : flags.transport);
  const outboundProxy = flags.outboundProxy ? withTransport(parseSipTarget(flags.outboundProxy, '--outbound-proxy'), flags.transport) : undefined;
  const from = flags.from ? parseSipTarget(flags.from, '--from') : undefined;
  const password = passwordFrom(flags);
  const { ua } = await createNodeUserAgent({
    peerHost: (outboundProxy ?? target).host,
    sipPort: portFrom(flags.sipPort, '--sip-port'),
    preferredTransport: flags.transport,
    tlsCaFiles: flags.tlsCa,
    dnsServers: flags.dns,
    outboundProxy,
    credentials: password !== undefined ? [{ username: from?.user ?? 'softphone', authUsername: flags.authUser, password }] : [],
  });
  if (flags.trace) printTrace(ua);
  const protocol = flags.transport ?? ua.defaultProtocol();
  const local = ua.contactUri('softphone', protocol);
  const request = createRequest({
    method: 'OPTIONS',
    uri: target,
    from: { uri: from ?? { ...local, params: new Map() }, params: new Map([['tag', ua.random()]]) },
    to: { uri: target, params: new Map() },
    callId: ua.random(),
    cseq: { seq: 1, method: 'OPTIONS' },
    contact: [{ uri: local, params: new Map() }],
    headers: [{ name: 'Accept', value: 'application/sdp' }],
  });
  const started = performance.now();
  const code = await new Promise<number>((resolve) => {
    ua.sendRequest(request, {
      onOutcome: (o) => {
        const rtt = (performance.now() - started).toFixed(1);
        if (o.kind === 'response' || o.kind === 'auth-failed') {
          const r = o.response;
          process.stdout.write(`${r.status} ${r.reason} from ${serializeUri(target)} in ${rtt} ms\n`);
          for (const name of ['Allow', 'Supported', 'Accept', 'Server', 'User-Agent']) {
            const v = getHeader(r, name);
            if (v) process.stdout.write(`  ${name}: ${v}\n`);
          }
          if (o.kind === 'auth-failed') process.stdout.write(`  (${o.reason})\n`);
          resolve(0);
        } else {
          process.stderr.write(`no answer from ${serializeUri(target)}: ${o.kind === 'timeout' ? 'timeout' : o.reason} after ${rtt} ms\n`);
          resolve(1);
        }
      },
    });
  });
  await ua.close();
  return code;
}
