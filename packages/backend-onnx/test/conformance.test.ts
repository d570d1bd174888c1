import { describeConformance } from '@rnn/conformance/vitest';
import { onnxCpu, onnxWebWasm } from '../src/index.js';

/** Every golden fixture (cases, stateful sequences, models, real-world models) on both CPU runtimes. */
describeConformance(onnxCpu);
describeConformance(onnxWebWasm);
