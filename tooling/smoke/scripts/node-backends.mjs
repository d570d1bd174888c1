// Runs in the smoke test's install folder, against the packages as npm installed them from their
// tarballs: loads saved Keras model fixtures (a .keras zip and a legacy .h5) with @rnn/keras, runs
// each on every backend named on the command line and compares with Keras's outputs.
// Prints one JSON line per run; exits on its own (a process that hangs is a bug users would hit too).
import { join } from 'node:path';
import { tensor } from '@rnn/core';
import '@rnn/backend-cpu';
import '@rnn/backend-tfjs';
import '@rnn/backend-onnx';
import { loadModel } from '@rnn/keras/node';
import { bundledFixturesDir, compareOutputs, loadFixtureFile } from '@rnn/conformance/node';

const FIXTURES = [
  'models/model-simplernn-bigru-sum-lstm-back-b2-t5-i3-seed902.json',
  'models/model-masking-bilstm-gru-dense-h5-b3-t6-i5-seed903.json',
];

for (const backend of process.argv.slice(2)) {
  for (const file of FIXTURES) {
    const { id, fixture, modelFile } = loadFixtureFile(join(bundledFixturesDir, file));
    const model = await loadModel(modelFile, { backend });
    try {
      const outputs = await model.run(tensor(Float32Array.from(fixture.inputs.data), fixture.inputs.shape));
      const { ok, maxError, message } = compareOutputs(outputs, fixture.outputs);
      console.log(JSON.stringify({ backend, ranOn: model.backend, case: id, modelFile: modelFile.split('.').pop(), ok, maxError, message }));
    } finally {
      await model.dispose();
    }
  }
}
