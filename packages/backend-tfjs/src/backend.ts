import { BackendError, registerBackend, type Availability, type Backend, type CompiledModel, type ModelSpec, type ModelWeights } from '@rnn/core';
import { TfjsCompiledModel } from './model.js';
import { initializeTfBackend } from './tf-context.js';

/** The tfjs backends this package registers, by tfjs backend name. */
export const TFJS_BACKENDS = {
  cpu: { package: '@tensorflow/tfjs-backend-cpu', priority: 0 },
  wasm: { package: '@tensorflow/tfjs-backend-wasm', priority: 20 },
  webgl: { package: '@tensorflow/tfjs-backend-webgl', priority: 25 },
  webgpu: { package: '@tensorflow/tfjs-backend-webgpu', priority: 30 },
} as const;

export type TfjsBackendName = keyof typeof TFJS_BACKENDS;

/**
 * `tfjs:<name>`: runs models with tfjs-core ops on the tfjs backend `<name>`, whatever else the
 * process uses tfjs for. Available once that tfjs backend is registered (its package imported)
 * and initialises here.
 */
export class TfjsBackend implements Backend {
  readonly name: string;

  /**
   * `load` (optional) registers the tfjs backend on first use, e.g. by importing its package;
   * without it the user's own import must have registered it.
   */
  constructor(
    readonly tfBackend: TfjsBackendName,
    private readonly load?: () => Promise<void>,
  ) {
    this.name = `tfjs:${tfBackend}`;
  }

  async available(): Promise<Availability> {
    if (this.load) {
      try {
        await this.load();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return { ok: false, reason: `loading ${TFJS_BACKENDS[this.tfBackend].package} failed: ${reason}` };
      }
    }
    return initializeTfBackend(this.tfBackend, `import '${TFJS_BACKENDS[this.tfBackend].package}' first`);
  }

  async compile(spec: ModelSpec, weights: ModelWeights): Promise<CompiledModel> {
    const availability = await this.available();
    if (!availability.ok) {
      throw new BackendError(`backend "${this.name}" is not available: ${availability.reason}`, { field: 'backend', actual: this.name });
    }
    return TfjsCompiledModel.compile(spec, weights, this.name, this.tfBackend);
  }
}

export type TfjsBackendLoaders = Readonly<Partial<Record<TfjsBackendName, () => Promise<void>>>>;

/** Registers `tfjs:cpu`, `tfjs:wasm`, `tfjs:webgl` and `tfjs:webgpu` with @rnn/core. */
export function registerTfjsBackends(loaders: TfjsBackendLoaders): void {
  for (const name of Object.keys(TFJS_BACKENDS) as TfjsBackendName[]) {
    registerBackend(new TfjsBackend(name, loaders[name]), TFJS_BACKENDS[name].priority);
  }
}
