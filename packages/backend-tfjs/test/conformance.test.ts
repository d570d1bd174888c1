import '../src/node.js';
import { describeConformance } from '@rnn/conformance/vitest';

// Every public fixture (layers, stateful sequences, Sequential and real-world models) on both tfjs
// backends that run in Node.
describeConformance('tfjs:cpu');
describeConformance('tfjs:wasm');
