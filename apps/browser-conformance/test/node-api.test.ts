import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConformanceProgress } from '@rnn/conformance';
import { bundledFixturesDir } from '@rnn/conformance/node';
import { BackendError } from '@rnn/core';
import { afterAll, describe, expect, test } from 'vitest';
import { BROWSER_REPORT_NAMES, browserReportName, chromiumAvailability, runBrowserConformance, toBrowserBackend } from '../src/index.js';

describe('backend names', () => {
  test('browser runs of backends Node also has get a browser: prefix; browser-only ones keep their name', () => {
    expect(BROWSER_REPORT_NAMES).toEqual([
      'browser:cpu',
      'browser:tfjs:wasm',
      'tfjs:webgl',
      'tfjs:webgpu',
      'browser:onnx-web:wasm',
      'onnx-web:webgpu',
    ]);
    expect(browserReportName('onnx-web:webgpu')).toBe('onnx-web:webgpu');
    expect(toBrowserBackend('browser:cpu')).toBe('cpu');
    expect(toBrowserBackend('tfjs:webgl')).toBe('tfjs:webgl');
    expect(toBrowserBackend('onnx:cpu')).toBeNull();
  });

  test('a missing Chromium is reported with how to install it', async () => {
    expect(chromiumAvailability('/nonexistent/chromium')).toEqual({
      ok: false,
      reason: expect.stringContaining('apt-get install chromium libvulkan1'),
    });
    await expect(runBrowserConformance({ backends: ['cpu'], filter: 'seed', executablePath: '/nonexistent/chromium' })).rejects.toThrow(
      /Chromium not found at \/nonexistent\/chromium/,
    );
  });

  test('a name that is not a browser backend is refused before anything starts', async () => {
    const run = runBrowserConformance({ backends: ['cpu', 'onnx:cuda'] });
    await expect(run).rejects.toBeInstanceOf(BackendError);
    await expect(run).rejects.toThrow(/"onnx:cuda" is not a browser backend \(browser backends: browser:cpu, /);
  });
});

describe('runBrowserConformance', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'rnn-browser-conformance-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  test('runs the bundled seed cases in Chromium and reports them like runConformance', async () => {
    const progress: ConformanceProgress[] = [];
    const reports = await runBrowserConformance({
      backends: ['cpu', 'tfjs:webgl'],
      filter: 'seed-bilstm',
      onProgress: (p) => progress.push(p),
    });
    expect(reports.map((r) => r.backend)).toEqual(['browser:cpu', 'tfjs:webgl']);
    for (const report of reports) {
      expect(report.results.map((r) => r.case)).toEqual(['seed-bilstm-seq-state-b1-t4-i5-u3', 'seed-bilstm-state-b1-t4-i5-u3']);
      for (const result of report.results) {
        expect(result, `${report.backend} ${result.case}: ${result.message}`).toMatchObject({ status: 'pass', message: '' });
        expect(result.maxError).toBeLessThanOrEqual(1e-5);
      }
    }
    expect(progress.map((p) => `${p.backend} ${p.done}/${p.total}`)).toEqual([
      'browser:cpu 1/2',
      'browser:cpu 2/2',
      'tfjs:webgl 1/2',
      'tfjs:webgl 2/2',
    ]);
  });

  test('runs a fixtures folder of its own and fails a case whose expected values are wrong', async () => {
    const id = 'seed-bilstm-state-b1-t4-i5-u3';
    const cases = join(scratch, 'cases');
    mkdirSync(cases, { recursive: true });
    cpSync(join(bundledFixturesDir, 'schema.json'), join(scratch, 'schema.json'));
    cpSync(join(bundledFixturesDir, 'cases', `${id}.json`), join(cases, `${id}.json`));
    const fixture = JSON.parse(readFileSync(join(cases, `${id}.json`), 'utf8'));
    fixture.id = `${id}-tampered`;
    fixture.outputs[1].data[0] += 0.01; // forward_h[0]: 0.6303138 becomes 0.6403138
    writeFileSync(join(cases, `${fixture.id}.json`), JSON.stringify(fixture));

    const [report] = await runBrowserConformance({ backends: ['onnx-web:wasm'], fixturesDir: scratch });
    expect(report.backend).toBe('browser:onnx-web:wasm');
    // In file name order, as loadFixtures lists them.
    expect(report.results.map((r) => [r.case, r.status])).toEqual([
      [`${id}-tampered`, 'fail'],
      [id, 'pass'],
    ]);
    expect(report.results[0].message).toMatch(/forward_h/);
    expect(report.results[0].maxError).toBeCloseTo(0.01, 5);
  });
});
