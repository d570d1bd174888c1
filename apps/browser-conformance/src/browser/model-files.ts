import type { ModelFileLoader } from '@rnn/conformance';
import { loadModel } from '@rnn/keras';

/**
 * Runs a fixture's `.keras`/`.h5` file (its `#file` case) as a browser user would: fetch the bytes,
 * load them with @rnn/keras, compile on the backend.
 */
export const fetchModelFile: ModelFileLoader = async ({ modelFile, backend }) => {
  const response = await fetch(modelFile);
  if (!response.ok) throw new Error(`GET ${modelFile}: ${response.status} ${response.statusText}`);
  return loadModel(new Uint8Array(await response.arrayBuffer()), { backend });
};
