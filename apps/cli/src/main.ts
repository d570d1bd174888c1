import type { CliIO, Command } from './command.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './command.js';

/** Dispatches `rnn <command> [args]`; returns the exit code. */
export async function main(argv: readonly string[], io: CliIO, commands: readonly Command[], version: string): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(overview(commands));
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic === undefined ? undefined : commands.find((c) => c.name === topic);
    if (topic !== undefined && !command) return usageError(io, `unknown command "${topic}"`, overview(commands));
    io.stdout(command ? command.usage : overview(commands));
    return EXIT_OK;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${version}\n`);
    return EXIT_OK;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) return usageError(io, `unknown command "${name}"`, overview(commands));
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.usage);
    return EXIT_OK;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      return usageError(io, (error as Error).message, command.usage);
    }
    io.stderr(`rnn ${command.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  }
}

function usageError(io: CliIO, message: string, usage: string): number {
  io.stderr(`rnn: ${message}\n\n${usage}`);
  return EXIT_USAGE;
}

function overview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: rnn <command> [options]',
    '',
    'Keras recurrent layers (SimpleRNN, GRU, LSTM, Bidirectional) on JavaScript backends.',
    '',
    'Commands:',
    ...lines,
    '',
    'Run "rnn <command> --help" for its options.',
    '',
  ].join('\n');
}

/** node:util parseArgs reports unknown options and missing values as TypeErrors with ERR_PARSE_ARGS_* codes. */
function isParseArgsError(error: unknown): boolean {
  return error instanceof TypeError && String((error as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS');
}

