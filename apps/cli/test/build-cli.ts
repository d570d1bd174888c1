import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cliDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Compiles the CLI itself so the tests always run the current source. Its workspace dependencies run
 * from their dist/ (as an installed CLI does): turbo builds them before `test`; outside turbo, run
 * `pnpm build` first.
 */
export default function setup(): void {
  for (const dependency of ['@rnn/core', '@rnn/conformance', '@rnn/backend-cpu', '@rnn/keras']) {
    const packageDir = join(cliDir, 'node_modules', dependency);
    if (!existsSync(join(packageDir, 'dist', 'index.js'))) {
      throw new Error(`${dependency} is not built (${packageDir}/dist missing): run "pnpm build" (or "pnpm turbo run build --filter=@rnn/cli...") first`);
    }
  }
  const tsc = createRequire(join(cliDir, 'package.json')).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: cliDir, stdio: 'inherit' });
}
