import type { Availability } from '@rnn/core';
import { reportBackends } from '@rnn/core';

/** Backend packages the CLI runs; importing one registers its backends with @rnn/core. */
export const BACKEND_PACKAGES = ['@rnn/backend-cpu', '@rnn/backend-tfjs', '@rnn/backend-onnx'] as const;
export type BackendPackage = (typeof BACKEND_PACKAGES)[number];

/** The package that registers a backend family (the part of the name before `:`). */
const FAMILY_PACKAGES: Readonly<Record<string, BackendPackage>> = {
  cpu: '@rnn/backend-cpu',
  tfjs: '@rnn/backend-tfjs',
  onnx: '@rnn/backend-onnx',
  'onnx-web': '@rnn/backend-onnx',
};

/**
 * The packages to import for these backend names: only their own for known families (loading tfjs or
 * onnxruntime takes time), every package when a name is not one of ours (it may be registered under it).
 */
export function packagesFor(names: readonly string[]): readonly BackendPackage[] {
  const packages = names.map((name) => FAMILY_PACKAGES[name.split(':')[0]]);
  if (packages.some((p) => p === undefined)) return BACKEND_PACKAGES;
  return BACKEND_PACKAGES.filter((p) => packages.includes(p));
}

/** Every backend name of the project, in the order the matrix shows them. */
export const KNOWN_BACKENDS = [
  'cpu',
  'tfjs:cpu',
  'tfjs:wasm',
  'tfjs:webgl',
  'tfjs:webgpu',
  'onnx:cpu',
  'onnx:webgpu',
  'onnx:cuda',
  'onnx-web:wasm',
  'onnx-web:webgpu',
] as const;

export interface PackageFailure {
  readonly name: string;
  readonly reason: string;
}

export interface BackendStatus {
  readonly name: string;
  readonly availability: Availability;
}

const imports = new Map<BackendPackage, Promise<PackageFailure | null>>();

/**
 * Imports backend packages (default: all of them), each once. A package that is missing or fails to
 * import is reported (its backends are simply not registered), never fatal.
 */
export async function loadBackendPackages(packages: readonly BackendPackage[] = BACKEND_PACKAGES): Promise<PackageFailure[]> {
  const failures: PackageFailure[] = [];
  for (const name of packages) {
    if (!imports.has(name)) {
      imports.set(
        name,
        importPackage(name).then(
          () => null,
          (error: unknown) => ({ name, reason: firstLine(error instanceof Error ? error.message : String(error)) }),
        ),
      );
    }
    const failure = await imports.get(name)!;
    if (failure) failures.push(failure);
  }
  return failures;
}

/** Through a variable, so the CLI compiles without the optional packages' types. */
function importPackage(name: string): Promise<unknown> {
  return import(name);
}

/** Registered backends with their availability here, in display order. */
export async function backendStatuses(): Promise<BackendStatus[]> {
  const reports = await reportBackends();
  return sortBackends(reports.map((r) => r.name)).map((name) => ({
    name,
    availability: reports.find((r) => r.name === name)!.availability,
  }));
}

/**
 * Known names in their fixed order; any other name right after the known ones of its family (`cpu:js`
 * after `cpu`), or at the end; ties alphabetically.
 */
export function sortBackends(names: readonly string[]): string[] {
  const known: readonly string[] = KNOWN_BACKENDS;
  const family = (name: string) => name.split(':')[0];
  const rank = (name: string) => {
    const index = known.indexOf(name);
    if (index >= 0) return index;
    const lastOfFamily = known.reduce((last, k, i) => (family(k) === family(name) ? i : last), known.length);
    return lastOfFamily + 0.5;
  };
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
