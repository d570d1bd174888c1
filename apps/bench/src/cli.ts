#!/usr/bin/env node
import { main } from './main.js';

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`rnn-bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
