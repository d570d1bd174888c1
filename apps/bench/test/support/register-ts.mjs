// Runs the harness from its TypeScript sources without a build (Node 20 has no type stripping):
//   node --conditions=@rnn/source --import ./test/support/register-ts.mjs src/cli.ts --quick
// Workers inherit these flags. Used by the tests; `pnpm bench` runs the built dist/ instead.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
