import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';

export interface MachineInfo {
  readonly cpu: string;
  /** Logical cores the OS reports (every runner uses one). */
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  /** Versions of the engines the peers and backends run on. */
  readonly engines: Readonly<Record<string, string>>;
}

const ENGINE_PACKAGES = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-wasm', 'onnxruntime-node', 'onnxruntime-web'];

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    engines: engineVersions(),
  };
}

function engineVersions(): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of ENGINE_PACKAGES) {
    const version = packageVersion(name);
    if (version) versions[name] = version;
  }
  return versions;
}

/** The installed version; found from the package's entry file, since some `exports` maps hide package.json. */
function packageVersion(name: string): string | null {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    return null; // not installed: its runners report themselves unavailable
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === name) return pkg.version ?? null;
  }
  return null;
}
