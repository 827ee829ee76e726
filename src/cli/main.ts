#!/usr/bin/env -S node --max-semi-space-size=2
// The softphone command line: a thin shell over the engine (docs/architecture.md).
import type { Command } from 'commander';
import { keepYoungGeneration } from '../platform/node/young-generation.js';
import type { ServeFlags } from './commands/serve.js';
import { CliError } from './errors.js';

// Before anything loads a Node built-in (commander loads node:child_process): the built-ins then
// compile from Node's code cache despite the `#!` line's V8 flag.
keepYoungGeneration();
const { Command: Program } = await import('commander');

type AddCommand = (program: Command) => void;
/**
 * Each command's module, loaded only when that command runs: `softphone register --once` or
 * `softphone dial` need not load the engine, the database, the web server and zod (start-up
 * time and memory, docs/bench-footprint.md). Help and the default command load them all.
 */
const COMMANDS: Record<string, () => Promise<AddCommand>> = {
  register: async () => (await import('./commands/register.js')).registerCommand,
  options: async () => (await import('./commands/options.js')).optionsCommand,
  call: async () => (await import('./commands/call.js')).callCommand,
  listen: async () => (await import('./commands/listen.js')).listenCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  devices: async () => (await import('./commands/devices.js')).devicesCommand,
  dial: async () => (await import('./commands/dial.js')).dialCommand,
};
const first = process.argv[2];
const isCommand = first !== undefined && Object.hasOwn(COMMANDS, first);
const wantsHelp = process.argv.slice(2).some((a) => a === '-h' || a === '--help' || a === 'help');
// A command: only it. Options only (`softphone --port 0`): only the default action. Else all.
const only = isCommand ? [first] : (first === undefined || first.startsWith('-')) && !wantsHelp ? [] : Object.keys(COMMANDS);

const program: Command = new Program();
program
  .name('softphone')
  .description('A SIP softphone. With no command: start the engine, its API and the web UI on 127.0.0.1.')
  .version('0.1.0')
  .showHelpAfterError()
  // The default action and `serve` share option names (--port, --profile): without this the
  // program took them from `serve --profile X`, and serve ran on the default profile and port.
  .enablePositionalOptions();

// With no command: the engine with its API and web UI (like `softphone serve`).
if (!isCommand) {
  const { addServeOptions, runServe } = await import('./commands/serve.js');
  addServeOptions(program).action(async (flags: ServeFlags) => {
    await runServe(flags);
  });
}

for (const name of only) (await COMMANDS[name]!())(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CliError) {
    process.stderr.write(`softphone: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    throw err;
  }
}
