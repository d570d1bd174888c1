#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import type { CliIO, Command } from './command.js';
import { conformanceCommand } from './commands/conformance.js';
import { exportCommand } from './commands/export.js';
import { inspectCommand } from './commands/inspect.js';
import { runCommand } from './commands/run.js';
import { tutorialCommand } from './commands/tutorial.js';
import { main } from './main.js';

const commands: readonly Command[] = [conformanceCommand, tutorialCommand, inspectCommand, runCommand, exportCommand];

const io: CliIO = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
};

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const code = await main(process.argv.slice(2), io, commands, version);
// Flush stdout before exiting: backend runtimes (wasm threads, native sessions) may keep the event loop alive.
process.stdout.write('', () => process.exit(code));
