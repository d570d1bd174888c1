import type { ModelFileLoader } from '@rnn/conformance';
import type { CreateModelOptions, Model } from '@rnn/core';

/** The part of @rnn/keras the CLI uses: build a model from a saved `.keras`/`.h5` file. */
interface KerasNodeModule {
  loadModel(path: string, options?: CreateModelOptions): Promise<Model>;
}

const KERAS_PACKAGE = '@rnn/keras/node';

/**
 * A conformance `modelFileLoader` built on @rnn/keras, or why there is none (the package is missing
 * or fails to import): the `#file` cases are then not run, and the reason is reported.
 */
export async function loadModelFileLoader(): Promise<{ loader: ModelFileLoader } | { reason: string }> {
  let keras: KerasNodeModule;
  try {
    keras = (await import(KERAS_PACKAGE)) as KerasNodeModule;
  } catch (error) {
    return { reason: `${KERAS_PACKAGE} failed to import: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
  if (typeof keras.loadModel !== 'function') return { reason: `${KERAS_PACKAGE} has no loadModel()` };
  return { loader: ({ modelFile, backend }) => keras.loadModel(modelFile, { backend }) };
}
