#!/usr/bin/env node
// The softphone command line: a thin shell over the engine (docs/architecture.md).
import { Command } from 'commander';
import { callCommand } from './commands/call.js';
import { devicesCommand } from './commands/devices.js';
import { listenCommand } from './commands/listen.js';
import { optionsCommand } from './commands/options.js';
import { registerCommand } from './commands/register.js';
import { CliError } from './errors.js';

const program = new Command();
program
  .name('softphone')
  .description('A SIP softphone: register, ping, call and answer from the command line.')
  .version('0.1.0')
  .showHelpAfterError();

// With no command: the engine and web UI will start here (docs/architecture.md); until they
// exist, say what can be done.
program.action(() => {
  program.outputHelp();
  process.stdout.write('\nThe engine with its web UI is not built yet: use the commands above.\n');
});

registerCommand(program);
optionsCommand(program);
callCommand(program);
listenCommand(program);
devicesCommand(program);

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
