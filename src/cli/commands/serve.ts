/**
 * `softphone serve` (and `softphone` with no command): start the engine, the API and the web
 * UI on 127.0.0.1, print the URL with the token, optionally open the browser, and close
 * cleanly on Ctrl-C (hang up, unregister, close the store).
 */
import type { Command } from 'commander';
import { removeEngineFile, writeEngineFile } from '../../api/engine-file.js';
import { loadOrCreateToken } from '../../api/token.js';
import { createNodeEngine, defaultProfileDir } from '../../main/node-engine.js';
import { CliError } from '../errors.js';
import { portFrom } from '../account-options.js';

export interface ServeFlags {
  port?: string;
  profile?: string;
  open?: boolean;
  sipAddress?: string;
  sipPort?: string;
}

export function addServeOptions(cmd: Command): Command {
  return cmd
    .option('--port <port>', 'HTTP port of the API and UI on 127.0.0.1 (taken: a free one)', '8640')
    .option('--profile <dir>', `where accounts, contacts, history and settings live (default ${defaultProfileDir()})`)
    .option('--open', 'open the UI in the browser')
    .option('--sip-address <ip>', 'address the direct (account-less) line listens on for sip: calls; 0.0.0.0 takes direct calls from the network', '127.0.0.1')
    .option('--sip-port <port>', 'SIP port (UDP and TCP) of the direct line (taken: a free one; 0: a free one)', '5060');
}

export function serveCommand(program: Command): void {
  addServeOptions(program.command('serve').description('start the engine with its API and web UI (the default with no command)')).action(async (flags: ServeFlags) => {
    await runServe(flags);
  });
}

export async function runServe(flags: ServeFlags): Promise<void> {
  const port = portFrom(flags.port ?? '8640', '--port') ?? 8640;
  const profileDir = flags.profile ?? defaultProfileDir();
  const directPort = portFrom(flags.sipPort ?? '5060', '--sip-port') ?? 0;
  const engine = await createNodeEngine({ profileDir, directBindAddress: flags.sipAddress, directPort }).catch((err: unknown) => {
    throw new CliError(`the engine did not start: ${err instanceof Error ? err.message : String(err)}`, 1);
  });
  const token = loadOrCreateToken(profileDir);
  // Loaded once the engine runs and its accounts have registered (or 250 ms have gone by): the
  // web server, zod and the OpenAPI routes are the larger part of start-up, and while they
  // compile the registrar's challenge would wait for its answer (docs/bench-footprint.md).
  await engine.registrationsSettled(250);
  const { startApiServer } = await import('../../api/server.js');
  const server = await startApiServer({ engine, token, port }).catch(async (err: unknown) => {
    await engine.close();
    throw new CliError(`the API did not start: ${err instanceof Error ? err.message : String(err)}`, 1);
  });
  const url = `${server.url}#token=${token}`;
  // Where `softphone dial` (the desktop's sip:/tel: handler) finds this engine; gone on a clean exit.
  writeEngineFile(profileDir, { port: server.port, pid: process.pid, url: server.url, startedAt: Date.now() });
  process.stdout.write(`softphone is running: ${url}\n`);
  if (port !== 0 && server.port !== port) process.stdout.write(`(port ${port} was taken; using ${server.port})\n`);
  process.stdout.write(`profile: ${profileDir}\n`);
  const direct = engine.directUri();
  if (direct) process.stdout.write(`direct SIP calls: ${direct}\n`);
  if (flags.open) (await import('../open-browser.js')).openBrowser(url);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        process.stderr.write(`softphone: ${signal} again: exiting now\n`);
        process.exit(130);
      }
      stopping = true;
      process.stdout.write('stopping: hanging up, unregistering...\n');
      removeEngineFile(profileDir);
      void server
        .close()
        .then(() => engine.close())
        .finally(resolve);
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
  process.stdout.write('stopped\n');
}
