import { reportBackends } from '@rnn/core';
import { expect, test } from 'vitest';
import { BROWSER_BACKENDS } from '../../src/backends.js';
import '../../src/browser/setup.js';

// The setup module registers every browser backend, and all of them start in this Chromium, even when
// asked all at once (reportBackends checks them concurrently; runtimes must queue their own starts).
test('every browser backend is registered and available, checked concurrently', async () => {
  const reports = await reportBackends();
  const byName = new Map(reports.map((r) => [r.name, r.availability]));
  for (const name of BROWSER_BACKENDS) {
    expect(byName.get(name), name).toMatchObject({ ok: true });
  }
});
