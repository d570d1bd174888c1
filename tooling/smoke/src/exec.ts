import { spawn } from 'node:child_process';

export interface ExecResult {
  readonly command: string;
  /** Exit code; null when the process was killed (see `signal`). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Kill the process after this long (it then reports `signal: SIGKILL`). */
  readonly timeoutMs: number;
}

/** Runs a program (no shell) and collects its output. Never throws for a non-zero exit: callers assert. */
export function exec(program: string, args: readonly string[], options: ExecOptions): Promise<ExecResult> {
  const command = [program, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ command, code, signal, stdout, stderr }));
  });
}

/** A readable account of a finished command, for assertion messages. */
export function describeRun(result: ExecResult, tailChars = 4000): string {
  const status = result.signal ? `killed by ${result.signal} (timeout?)` : `exit code ${result.code}`;
  const tail = (text: string): string => (text.length > tailChars ? `…${text.slice(-tailChars)}` : text);
  return `${result.command}: ${status}\n--- stdout\n${tail(result.stdout)}\n--- stderr\n${tail(result.stderr)}`;
}

/**
 * The environment for a command that must behave as on a user's machine: without what pnpm sets
 * for the script that runs this suite (`npm_package_*`, `npm_lifecycle_*`, `npm_execpath`, the
 * user agent, `PNPM_*`: they would tell npm it runs under pnpm, inside this package) and without
 * what vitest sets for itself (`NODE_ENV=test`, `VITEST_*`). A user's own `npm_config_*` settings
 * (registry, cache) stay.
 */
export function userEnvironment(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const injected = /^(npm_package_|npm_lifecycle_|npm_config_user_agent$|npm_node_execpath$|npm_execpath$|npm_command$|pnpm_|vitest)/i;
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (injected.test(key) || ['INIT_CWD', 'NODE_OPTIONS', 'NODE_ENV', 'TEST'].includes(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}
