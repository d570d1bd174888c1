import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '@rnn/browser-conformance';
import type { Fixture } from '@rnn/conformance';
import { bundledFixturesDir } from '@rnn/conformance/node';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { preview } from 'vite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const results = `${root}test-results`;
const seed: Fixture = JSON.parse(readFileSync(`${bundledFixturesDir}/cases/seed-bilstm-state-b1-t4-i5-u3.json`, 'utf8'));

let server: PreviewServer;
let browser: Browser;
let page: Page;
/** Requests the page made to anywhere but the static server: there must be none. */
const outside: string[] = [];

beforeAll(async () => {
  // The built page on a plain static server (vite preview serves dist/ as files).
  server = await preview({ root, configFile: false, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0 } });
  const url = server.resolvedUrls!.local[0];
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  await page.route('**/*', (route) => {
    if (new URL(route.request().url()).origin === new URL(url).origin) return route.continue();
    outside.push(route.request().url());
    return route.abort();
  });
  await page.goto(url);
  await settled();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The page marks `body[data-busy]` while it loads, runs or checks backends. */
async function settled(): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.busy === undefined, undefined, { timeout: 240_000 });
  const error = await page.locator('#error').textContent();
  expect(error ?? '', 'the page shows an error').toBe('');
}

async function selectBackends(names: readonly string[]): Promise<void> {
  for (const box of await page.locator('#backends input[type="checkbox"]').all()) {
    await box.setChecked(names.includes((await box.getAttribute('value')) ?? ''));
  }
}

/** The values a backend's card shows for one output, as numbers. */
async function shownValues(backend: string, output: string): Promise<number[]> {
  const texts = await page.locator(`#outputs [data-backend="${backend}"] [data-output="${output}"] .value`).allTextContents();
  return texts.map(Number);
}

describe('the playground, built and served statically', () => {
  test('loads the seed tutorial example and finds every browser backend ready', async () => {
    await expect.poll(() => page.locator('#model-summary').textContent()).toContain('Bidirectional(LSTM(3), concat)');
    const statuses = await page.locator('#backends .status').allTextContents();
    expect(statuses).toEqual(['ready', 'ready', 'ready', 'ready', 'ready', 'ready']);
  });

  test('runs the seed example on two backends and shows Keras’s numbers', async () => {
    await selectBackends(['cpu', 'tfjs:webgl']);
    await page.click('#run');
    await settled();
    for (const backend of ['cpu', 'tfjs:webgl']) {
      const card = page.locator(`#outputs [data-backend="${backend}"]`);
      await expect.poll(() => card.locator('[data-verdict]').getAttribute('data-verdict')).toBe('pass');
      for (const expected of seed.outputs!) {
        const shown = await shownValues(backend, expected.name);
        expect(shown, `${backend} ${expected.name}`).toHaveLength(expected.data.length);
        shown.forEach((value, i) => expect(Math.abs(value - expected.data[i]) / Math.max(1, Math.abs(expected.data[i]))).toBeLessThanOrEqual(1e-5));
      }
      // The seed README's float32 values (the tutorial's TF32 GPU run printed 0.6301636 / 0.7037439).
      expect((await shownValues(backend, 'forward_h'))[0]).toBeCloseTo(0.6303138, 6);
      expect((await shownValues(backend, 'backward_h'))[0]).toBeCloseTo(0.7038734, 6);
    }
    expect(await page.locator('#chart rect.bar[data-backend]').count()).toBe(2);
  });

  test('runs the conformance suite in the page', async () => {
    await selectBackends(['cpu', 'tfjs:wasm']);
    await page.click('#conformance');
    await settled();
    for (const backend of ['cpu', 'tfjs:wasm']) {
      const total = page.locator(`#matrix td[data-family="all"][data-backend="${backend}"]`);
      const passed = Number(await total.getAttribute('data-passed'));
      expect(passed).toBeGreaterThanOrEqual(160);
      expect(await total.getAttribute('data-total')).toBe(String(passed));
    }
    mkdirSync(results, { recursive: true });
    await page.screenshot({ path: `${results}/playground.png`, fullPage: true });
  });

  test('loads a dropped .keras file and runs it on random input', async () => {
    const file = `${bundledFixturesDir}/models/model-simplernn-bigru-sum-lstm-back-b2-t5-i3-seed902.keras`;
    await page.setInputFiles('#file', file);
    await settled();
    await expect.poll(() => page.locator('#model-summary').textContent()).toContain('Keras 3 zip written by Keras 3.15.1');
    expect(await page.locator('input[name="input"][value="random"]').isChecked()).toBe(true);
    await page.click('#run');
    await settled();
    const output = page.locator('#outputs [data-backend="cpu"] [data-output="output"]');
    expect(await output.getAttribute('data-shape')).toMatch(/^2,/);
    expect((await shownValues('cpu', 'output')).every(Number.isFinite)).toBe(true);
  });

  test('fetched nothing from outside the static server', () => {
    expect(outside).toEqual([]);
  });
});
