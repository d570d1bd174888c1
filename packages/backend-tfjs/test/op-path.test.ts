import '../src/node.js';
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { describeConformance } from '@rnn/conformance/vitest';
import { FUSED_SEQUENCE_BACKENDS } from '../src/fused-sequence.js';
import { describeLayerCases } from './layer-cases.js';

// On webgl and webgpu recurrent layers run as tfjs ops, not as the fused kernel. Neither exists in
// Node, so this file (its own worker) registers tfjs's cpu math under the name `webgl`: `tfjs:webgl`
// then takes the op path on the CPU, and every fixture and the new layer kinds' hand-computed cases
// (RepeatVector feeding a recurrent layer among them) check that path here too.
tf.registerBackend('webgl', () => new MathBackendCPU());
for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: 'webgl' });

if (FUSED_SEQUENCE_BACKENDS.includes('webgl')) throw new Error('webgl must take the op path for this file to test it');

describeConformance('tfjs:webgl');
describeLayerCases('tfjs:webgl');
