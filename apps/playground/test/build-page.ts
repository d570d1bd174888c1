import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/**
 * The e2e tests drive the built page. `pnpm test` builds it first (turbo); a direct `vitest run` on
 * a fresh checkout builds it here.
 */
export default async function setup(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  if (!existsSync(`${root}/dist/index.html`)) await build({ root, logLevel: 'warn' });
}
