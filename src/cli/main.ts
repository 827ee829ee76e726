#!/usr/bin/env node
// The softphone command line: a thin shell over the engine (docs/architecture.md).
import { Command } from 'commander';
import { callCommand } from './commands/call.js';
import { dialCommand } from './commands/dial.js';
import { devicesCommand } from './commands/devices.js';
import { listenCommand } from './commands/listen.js';
import { optionsCommand } from './commands/options.js';
import { registerCommand } from './commands/register.js';
import type { ServeFlags } from './commands/serve.js';
import { addServeOptions, runServe, serveCommand } from './commands/serve.js';
import { CliError } from './errors.js';

const program = new Command();
program
  .name('softphone')
  .description('A SIP softphone. With no command: start the engine, its API and the web UI on 127.0.0.1.')
  .version('0.1.0')
  .showHelpAfterError()
  // The default action and `serve` share option names (--port, --profile): without this the
  // program took them from `serve --profile X`, and serve ran on the default profile and port.
  .enablePositionalOptions();

// With no command: the engine with its API and web UI (like `softphone serve`).
addServeOptions(program).action(async (flags: ServeFlags) => {
  await runServe(flags);
});

registerCommand(program);
optionsCommand(program);
callCommand(program);
listenCommand(program);
serveCommand(program);
devicesCommand(program);
dialCommand(program);

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
