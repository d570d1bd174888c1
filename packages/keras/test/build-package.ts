import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Compiles this package so the tests that spawn a plain Node process run the current source. Its
 * dependencies run from their dist/ as an installed package's would: turbo builds them before `test`;
 * outside turbo, run `pnpm build` first.
 */
export default function setup(): void {
  const core = join(packageDir, 'node_modules', '@rnn', 'core', 'dist', 'index.js');
  if (!existsSync(core)) throw new Error(`@rnn/core is not built (${core} missing): run "pnpm turbo run build --filter=@rnn/keras..." first`);
  const tsc = createRequire(join(packageDir, 'package.json')).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: packageDir, stdio: 'inherit' });
}
