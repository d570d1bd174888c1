import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describeRun, exec, userEnvironment } from './exec.js';
import type { PackedPackage } from './packed.js';
import { WORKSPACE_ROOT } from './workspace.js';

/** A fresh folder outside the workspace, so nothing can resolve from the workspace's node_modules. */
export function freshFolder(prefix: string): string {
  const folder = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  if (!relative(WORKSPACE_ROOT, folder).startsWith('..')) throw new Error(`${folder} is inside the workspace ${WORKSPACE_ROOT}`);
  return folder;
}

/**
 * The environment every command in the install folder runs with: a user's, plus the documented
 * switch that stops onnxruntime-node's install script from downloading CUDA provider files.
 */
export const installEnvironment = (): NodeJS.ProcessEnv => userEnvironment({ ONNXRUNTIME_NODE_INSTALL: 'skip' });

/**
 * Installs the tarballs with plain npm, as a user would install the published packages:
 * third-party dependencies come from the npm registry at the versions the manifests allow;
 * `extra` adds packages the user brings themselves (peer dependencies, @types/node) at exact versions.
 */
export async function npmInstall(folder: string, packages: readonly PackedPackage[], extra: Readonly<Record<string, string>>): Promise<void> {
  const dependencies: Record<string, string> = { ...extra };
  for (const p of packages) dependencies[p.manifest.name] = `file:${p.tarball}`;
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'rnn-smoke-app', private: true, type: 'module', dependencies }, null, 2));
  const install = await exec('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: folder,
    env: installEnvironment(),
    timeoutMs: 600_000,
  });
  if (install.code !== 0) throw new Error(`npm install of the packed packages failed\n${describeRun(install)}`);
}
