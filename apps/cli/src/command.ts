/** Where a command writes. Each call writes `s` as it is: include the trailing newline. */
export interface CliIO {
  stdout(s: string): void;
  stderr(s: string): void;
}

/** One `rnn <name>` subcommand. */
export interface Command {
  readonly name: string;
  /** One line for `rnn --help`. */
  readonly summary: string;
  /** Full help for `rnn <name> --help`: synopsis and options. */
  readonly usage: string;
  /** Returns the exit code: 0 ok, 1 failure, 2 usage error (or throws `UsageError`). */
  run(argv: string[], io: CliIO): Promise<number>;
}

/** Wrong arguments: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
