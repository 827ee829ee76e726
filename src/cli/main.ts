#!/usr/bin/env node
// The softphone command line: a thin shell over the engine (docs/architecture.md).
import { Command } from 'commander';

const program = new Command();
program
  .name('softphone')
  .description('A SIP softphone: register, call, answer, script; the web UI comes with `softphone` alone.')
  .version('0.1.0');

await program.parseAsync(process.argv);
