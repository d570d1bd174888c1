import '@rnn/backend-cpu';
import { describeConformance } from '../src/vitest.js';

// The whole bundled suite on the reference CPU backend, one test per case, through the vitest helper.
describeConformance('cpu');
