import type { ConformanceCase } from '@rnn/conformance';
import { FAMILIES, backendProblem, listCases, runCase } from '@rnn/conformance';
import { describe, expect, test } from 'vitest';
import type { BrowserBackend } from '../../src/backends.js';
import { browserReportName } from '../../src/backends.js';
import { fetchServedFixtures } from '../../src/browser/fixtures.js';
import { fetchModelFile } from '../../src/browser/model-files.js';
import '../../src/browser/setup.js';

// The bundled fixtures, served by `fixturesPlugin` (vitest.config.ts); fetched once per test file.
const fixtures = await fetchServedFixtures();
const cases = listCases(fixtures, { modelFileLoader: fetchModelFile });

/**
 * The conformance suite on one browser backend, in this page: a `describe` per family, one test per
 * case (and per `#file` case, loading the model file with @rnn/keras), failing with the case's
 * max error and message. An unavailable backend fails every case with its reason.
 */
export function describeBrowserConformance(backend: BrowserBackend): void {
  let problem: Promise<string | null> | null = null;
  describe(`conformance on ${browserReportName(backend)}`, () => {
    for (const family of FAMILIES) {
      const members = cases.filter((c) => c.family === family);
      if (members.length) describe(family, () => members.forEach((c) => defineCase(c)));
    }
  });

  function defineCase(c: ConformanceCase): void {
    test(c.id, async () => {
      const reason = await (problem ??= backendProblem(backend));
      expect(reason, reason ?? '').toBeNull();
      const result = await runCase(backend, c, { modelFileLoader: fetchModelFile });
      expect(result.status, `${c.id} on ${backend}: ${result.message} (max error ${result.maxError ?? 'n/a'})`).toBe('pass');
    });
  }
}
