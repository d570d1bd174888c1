import type { Backend, CompileOptions } from '@rnn/core';
import { describe, expect, test } from 'vitest';
import type { Fixture, LoadedFixture } from './fixture.js';
import { FAMILIES } from './fixture.js';
import { loadFixtures } from './node.js';
import type { CaseFilter, ModelFileLoader } from './runner.js';
import { backendProblem, listCases, runCase, useBackend } from './runner.js';

export interface DescribeConformanceOptions {
  /** Fixtures to run (default: `loadFixtures(dir)`, i.e. the bundled set). */
  readonly fixtures?: readonly (LoadedFixture | Fixture)[];
  /** A folder in the golden layout, when `fixtures` is not given. */
  readonly dir?: string;
  readonly filter?: CaseFilter;
  readonly modelFileLoader?: ModelFileLoader;
  readonly compileOptions?: CompileOptions;
  /**
   * Skip (rather than fail) every test when the backend is not available on this machine, e.g. a GPU
   * backend on a machine without one. Default false: an unavailable backend fails with its reason.
   */
  readonly skipUnavailable?: boolean;
}

/**
 * Registers the conformance suite for one backend: a `describe` per family with one test per case,
 * each failing with the case's max error and message. Call it at the top level of a test file.
 */
export function describeConformance(backend: string | Backend, options: DescribeConformanceOptions = {}): void {
  const fixtures = options.fixtures ?? loadFixtures(options.dir);
  const cases = listCases(fixtures, options);
  const name = typeof backend === 'string' ? backend : backend.name;
  let problem: Promise<string | null> | null = null;
  // Registered and checked lazily, inside the tests, so collecting the file has no side effects.
  const checkBackend = () => (problem ??= backendProblem(useBackend(backend)));

  describe(`conformance on ${name}`, () => {
    for (const family of FAMILIES) {
      const members = cases.filter((c) => c.family === family);
      if (members.length === 0) continue;
      describe(family, () => {
        for (const c of members) {
          test(c.id, async (context) => {
            const reason = await checkBackend();
            if (reason && options.skipUnavailable) context.skip(reason);
            expect(reason, reason ?? '').toBeNull();
            const result = await runCase(name, c, options);
            const detail = `${c.id} on ${name}: ${result.message} (max error ${result.maxError ?? 'n/a'})`;
            expect(result.status, detail).toBe('pass');
          });
        }
      });
    }
  });
}
