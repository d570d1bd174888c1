import type { Availability, Backend } from './backend.js';
import { autoBackend } from './auto.js';
import { BackendError } from './errors.js';

/**
 * Backends register themselves by name with a priority (higher is preferred) — the shape of
 * tfjs's and onnxruntime's registries. Registering the same name again replaces the entry.
 * Names may be given as a prefix family (`tfjs` picks the best available `tfjs:*`).
 */
interface Entry {
  readonly backend: Backend;
  readonly priority: number;
}

const registry = new Map<string, Entry>();
let defaultBackend: string | null = null;

export function registerBackend(backend: Backend, priority = 0): void {
  if (backend.name === 'auto') throw new BackendError('registerBackend: "auto" is reserved for the measuring backend');
  if (!/^[a-z0-9][a-z0-9-]*(:[a-z0-9-]+)?$/.test(backend.name)) {
    throw new BackendError(`registerBackend: invalid backend name "${backend.name}" (expected e.g. "cpu" or "onnx:cpu")`);
  }
  registry.set(backend.name, { backend, priority });
}

export function unregisterBackend(name: string): boolean {
  if (defaultBackend === name) defaultBackend = null;
  return registry.delete(name);
}

/** Registered backend names, highest priority first. */
export function listBackends(): string[] {
  return [...registry.entries()].sort((a, b) => b[1].priority - a[1].priority).map(([name]) => name);
}

export function getRegisteredBackend(name: string): Backend | undefined {
  return name === 'auto' ? autoBackend : registry.get(name)?.backend;
}

/** Sets the backend used by models created without a `backend` option. */
export function setBackend(name: string): void {
  if (name !== 'auto' && !registry.has(name) && !familyMembers(name).length) {
    throw new BackendError(`setBackend: no backend "${name}" is registered (registered: ${listBackends().join(', ') || 'none'})`, {
      field: 'backend',
      actual: name,
    });
  }
  defaultBackend = name;
}

export function getBackendName(): string | null {
  return defaultBackend;
}

export interface BackendReport {
  readonly name: string;
  readonly priority: number;
  readonly availability: Availability;
}

/** Capability report of every registered backend, highest priority first. */
export async function reportBackends(): Promise<BackendReport[]> {
  const names = listBackends();
  return Promise.all(
    names.map(async (name) => {
      const entry = registry.get(name)!;
      return { name, priority: entry.priority, availability: await safeAvailable(entry.backend) };
    }),
  );
}

/**
 * Resolves a requested name to a usable backend: an exact name, a family prefix (`onnx` →
 * best available `onnx:*`), `auto` (measures the candidates, see auto.ts), or `undefined` → the
 * `setBackend` default, else the highest-priority available backend (no measuring).
 * An exact name that is unavailable is an error that carries the backend's own reason.
 */
export async function resolveBackend(requested?: string): Promise<Backend> {
  const name = requested ?? defaultBackend ?? 'highest-priority';
  const exact = getRegisteredBackend(name);
  if (exact) {
    const availability = await safeAvailable(exact);
    if (!availability.ok) {
      throw new BackendError(`backend "${name}" is not available: ${availability.reason}`, { field: 'backend', actual: name });
    }
    return exact;
  }
  const candidates = name === 'highest-priority' ? listBackends() : familyMembers(name);
  if (candidates.length === 0) {
    throw new BackendError(
      `no backend ${name === 'highest-priority' ? 'at all' : `"${name}"`} is registered (registered: ${listBackends().join(', ') || 'none'}). ` +
        `Import a backend package, e.g. "import '@rnn/backend-cpu'".`,
      { field: 'backend', actual: name },
    );
  }
  const reasons: string[] = [];
  for (const candidate of candidates) {
    const entry = registry.get(candidate)!;
    const availability = await safeAvailable(entry.backend);
    if (availability.ok) return entry.backend;
    reasons.push(`${candidate}: ${availability.reason}`);
  }
  throw new BackendError(`no "${name}" backend is available here:\n  ${reasons.join('\n  ')}`, { field: 'backend', actual: name });
}

function familyMembers(prefix: string): string[] {
  return listBackends().filter((n) => n.startsWith(`${prefix}:`));
}

async function safeAvailable(backend: Backend): Promise<Availability> {
  try {
    return await backend.available();
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
