import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledFixturesDir } from '@rnn/conformance/node';
import { afterAll, describe, it } from 'vitest';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.js');
const temporary = mkdtempSync(join(tmpdir(), 'rnn-cli-'));
afterAll(() => rmSync(temporary, { recursive: true, force: true }));

/** Runs the built CLI as a user would (not a terminal, so no colours and no live progress line). */
function rnn(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; lines: string[] }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr, lines: stdout.trimEnd().split('\n') });
    });
  });
}

/** Matrix lines with runs of spaces collapsed to one (column widths are not what these tests check). */
const collapsed = (lines: string[]) => lines.map((l) => l.replace(/(\S) +/g, '$1 '));

/** A fixture folder holding copies of bundled cases, each changed by `edit`. */
function fixtureFolder(name: string, cases: Record<string, (fixture: Record<string, any>) => void>): string {
  const dir = join(temporary, name);
  mkdirSync(join(dir, 'cases'), { recursive: true });
  for (const [id, edit] of Object.entries(cases)) {
    const fixture = JSON.parse(readFileSync(join(bundledFixturesDir, 'cases', `${id}.json`), 'utf8'));
    edit(fixture);
    writeFileSync(join(dir, 'cases', `${id}.json`), JSON.stringify(fixture));
  }
  return dir;
}

const SEED_CASES = ['seed-bilstm-seq-state-b1-t4-i5-u3', 'seed-bilstm-state-b1-t4-i5-u3'];

describe.concurrent('rnn conformance', () => {
  it('runs the filtered cases on cpu: matrix first, nothing before it, summary last', async ({ expect }) => {
    const { code, stdout, lines } = await rnn('conformance', '--backend', 'cpu', '--filter', 'seed-bilstm');
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^ {2}case +cpu$/);
    expect(lines[1]).toBe('Bidirectional (2 cases)');
    expect(collapsed(lines.slice(2, 4))).toEqual(SEED_CASES.map((id) => `  ${id} ✓`));
    expect(stdout).not.toContain('Failures');
    expect(lines.at(-1)).toBe('2 passed, 0 failed');
  });

  it('runs model fixtures from their .keras/.h5 files through @rnn/keras as <id>#file', async ({ expect }) => {
    const { code, lines } = await rnn('conformance', '--backend', 'cpu', '--filter', '#file');
    expect(code).toBe(0);
    // The shared set's 3 model files, the 3 real-world files that Keras 3 loads, and the 41 of fixtures/extra.
    expect(lines[1]).toBe('models (47 cases)');
    const rows = collapsed(lines.slice(2, 49));
    for (const id of [
      'model-masking-bilstm-gru-dense-b3-t6-i5-seed901',
      'model-masking-bilstm-gru-dense-h5-b3-t6-i5-seed903',
      'model-simplernn-bigru-sum-lstm-back-b2-t5-i3-seed902',
      'ext-bilstm-forecast-tfkeras2-10-b3-t12',
      'ext-hko-simplernn-relu-keras3-10-b3-t30',
      'ext-spam-embedding-gru-mask-keras3-13-2-b3-t500',
      'model-lstm-repeat-lstm-seq-tddense-b2-t6-i4-seed1001',
      'model-embedding-mask-gru-seq-dense-bn-gap-b3-t7-seed1009',
      'model-conv1d-same-relu-maxpool-lstm-dense-sigmoid-b3-t8-i2-seed1027',
      'model-gru-seq-dense-relu-max025-slope01-lstm-b2-t7-i3-seed1032',
      'model-masking-bigru-seq-ln-nocenter-lstm-b3-t7-i3-seed1037',
      'model-lstm-reshape-3x2-gru-b3-t5-i3-seed1039',
    ]) {
      expect(rows).toContain(`  ${id}#file ✓`);
    }
    expect(lines.at(-1)).toBe('47 passed, 0 failed');
  });

  it('writes the JSON report', async ({ expect }) => {
    const file = join(temporary, 'report.json');
    const { code } = await rnn('conformance', '--backend', 'cpu', '--filter', 'seed-bilstm', '--report', file);
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(file, 'utf8'));
    expect(report.format).toBe('rnn-conformance-report/1');
    expect(report.backends).toEqual(['cpu']);
    expect(report.results.map((r: { case: string }) => r.case)).toEqual(SEED_CASES);
    for (const result of report.results) {
      expect(Object.keys(result)).toEqual(['backend', 'case', 'status', 'maxError', 'message']);
      expect(result).toMatchObject({ backend: 'cpu', status: 'pass', message: '' });
      expect(result.maxError).toBeGreaterThanOrEqual(0);
      expect(result.maxError).toBeLessThanOrEqual(1e-5);
    }
  });

  it('runs every available backend by default and lists the unavailable ones apart', async ({ expect }) => {
    const file = join(temporary, 'all.json');
    const { code, lines, stdout } = await rnn('conformance', '--filter', 'seed-bilstm-state-b1', '--report', file);
    const report = JSON.parse(readFileSync(file, 'utf8'));
    expect(report.backends).toContain('cpu');
    expect(report.results).toHaveLength(report.backends.length);
    const failed = report.results.filter((r: { status: string }) => r.status === 'fail').length;
    expect(lines.at(-1)).toBe(`${report.backends.length - failed} passed, ${failed} failed`);
    expect(code).toBe(failed === 0 ? 0 : 1);
    const notRun = stdout.split('Not run here:\n')[1]?.split('\n\n')[0].split('\n') ?? [];
    for (const line of notRun) {
      const name = line.trim().split(/\s+/)[0];
      expect(report.backends).not.toContain(name);
    }
  });

  it('runs named browser backends in headless Chromium beside Node ones, in one matrix', async ({ expect }) => {
    const file = join(temporary, 'browser.json');
    const { code, lines } = await rnn('conformance', '--backend', 'cpu,browser:cpu,tfjs:webgl', '--filter', 'seed-bilstm-state-b1', '--report', file);
    const report = JSON.parse(readFileSync(file, 'utf8'));
    expect(report.backends).toEqual(['cpu', 'browser:cpu', 'tfjs:webgl']);
    expect(report.results.map((r: { backend: string; status: string }) => `${r.backend} ${r.status}`)).toEqual([
      'cpu pass',
      'browser:cpu pass',
      'tfjs:webgl pass',
    ]);
    expect(lines.at(-1)).toBe('3 passed, 0 failed');
    expect(code).toBe(0);
  });

  it('fails a case whose expected numbers are off, listing its max error; exit 1', async ({ expect }) => {
    const dir = fixtureFolder('wrong-numbers', {
      'gru-b3-t4-i16-u1-seed124': () => undefined,
      'lstm-seq-state-b3-t13-i16-u32-seed183': (f) => {
        f.outputs[0].data[7] += 0.5;
      },
    });
    const { code, stdout, lines } = await rnn('conformance', '--backend', 'cpu', '--fixtures', dir);
    expect(code).toBe(1);
    expect(collapsed(lines)).toContain('  lstm-seq-state-b3-t13-i16-u32-seed183 ✗');
    expect(collapsed(lines)).toContain('  gru-b3-t4-i16-u1-seed124 ✓');
    expect(stdout).toMatch(/Failures \(1\):\n {2}cpu {2}lstm-seq-state-b3-t13-i16-u32-seed183 {2}\(max error 5\.\d\de-1\)\n {6}max error 5\.\d\de-1 > 0\.00001 at output\[7\]/);
    expect(lines.at(-1)).toBe('1 passed, 1 failed');
  });

  it('stops with exit 1 and names file and JSON path for a broken fixture folder', async ({ expect }) => {
    const dir = fixtureFolder('broken', {
      'gru-b3-t4-i16-u1-seed124': (f) => {
        delete f.call.mask;
      },
    });
    const { code, stdout, stderr } = await rnn('conformance', '--backend', 'cpu', '--fixtures', dir);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${join(dir, 'cases', 'gru-b3-t4-i16-u1-seed124.json')}: /call: must have required property 'mask'`);
  });

  it('exits 1 when the filter matches no case', async ({ expect }) => {
    const { code, stdout, stderr } = await rnn('conformance', '--backend', 'cpu', '--filter', 'no-such-case');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('no case id contains "no-such-case"');
  });

  it('reports usage errors with exit 2', async ({ expect }) => {
    const cases = [
      ['conformance', '--bogus'],
      ['conformance', '--backend'],
      ['conformance', 'extra'],
      ['conformance', '--backend', 'all,cpu'],
      ['conformance', '--backend', 'cpu,,tfjs:cpu'],
      ['conformance', '--backend', 'no-such-backend'],
      ['no-such-command'],
      [],
    ];
    const runs = await Promise.all(cases.map((args) => rnn(...args)));
    for (const [i, { code, stdout, stderr }] of runs.entries()) {
      expect([cases[i], code]).toEqual([cases[i], 2]);
      expect(stdout).toBe('');
      expect(stderr).toContain('Usage: rnn');
    }
    expect((await rnn('conformance', '--backend', 'no-such-backend')).stderr).toContain('unknown backend "no-such-backend"');
  });
});

describe.concurrent('rnn help', () => {
  it('lists the commands and shows each command usage with exit 0', async ({ expect }) => {
    const overview = await rnn('--help');
    expect(overview.code).toBe(0);
    expect(overview.stdout).toMatch(/^Usage: rnn <command>/);
    expect(overview.stdout).toMatch(/\n {2}conformance {2}run the Keras golden fixtures/);
    expect(overview.stdout).toMatch(/\n {2}tutorial +the seed tutorial/);
    const usage = await rnn('conformance', '--help');
    expect(usage.code).toBe(0);
    expect(usage.stdout).toMatch(/^Usage: rnn conformance \[--backend NAME\[,NAME\.\.\.\]\|all\] \[--fixtures DIR\] \[--filter TEXT\] \[--report FILE\]/);
  });
});

describe('rnn tutorial', () => {
  let run: ReturnType<typeof rnn> | undefined;
  const tutorial = () => (run ??= rnn('tutorial'));

  it('prints the SimpleRNN and LSTM output shapes for every flag combination', async ({ expect }) => {
    const { code, lines } = await tutorial();
    expect(code).toBe(0);
    const shapes = lines.filter((l) => /^ {2}(SimpleRNN|LSTM)\(3,/.test(l)).map((l) => l.trim().replace(/ {2,}/g, ' | '));
    expect(shapes).toEqual([
      'SimpleRNN(3, return_sequences=False, return_state=False) | output (1, 3)',
      'SimpleRNN(3, return_sequences=False, return_state=True) | output (1, 3), h (1, 3)',
      'SimpleRNN(3, return_sequences=True, return_state=False) | output (1, 4, 3)',
      'SimpleRNN(3, return_sequences=True, return_state=True) | output (1, 4, 3), h (1, 3)',
      'LSTM(3, return_sequences=False, return_state=False) | output (1, 3)',
      'LSTM(3, return_sequences=False, return_state=True) | output (1, 3), h (1, 3), c (1, 3)',
      'LSTM(3, return_sequences=True, return_state=False) | output (1, 4, 3)',
      'LSTM(3, return_sequences=True, return_state=True) | output (1, 4, 3), h (1, 3), c (1, 3)',
    ]);
  });

  it('prints the seed Bidirectional(LSTM) final states: Keras float32 up to the last digit', async ({ expect }) => {
    const { lines } = await tutorial();
    const printed = (name: string) => {
      const line = lines.find((l) => l.startsWith(`${name} `));
      expect(line, name).toMatch(new RegExp(`^${name} \\d\\.\\d{6,8}$`));
      return Number(line!.split(' ')[1]);
    };
    // Keras's numbers (goldens seed-bilstm-state-*); a backend's own float32 rounding may move the last digit.
    expect(Math.abs(printed('forward_h') - 0.6303138)).toBeLessThanOrEqual(2e-7);
    expect(Math.abs(printed('backward_h') - 0.7038734)).toBeLessThanOrEqual(2e-7);
    expect(Math.abs(printed('forward_c') - 1.5707085) / 1.5707085).toBeLessThanOrEqual(4e-7);
    expect(Math.abs(printed('backward_c') - 1.6402445) / 1.6402445).toBeLessThanOrEqual(4e-7);
    expect(lines).toContain('  output (1, 6), forward_h (1, 3), forward_c (1, 3), backward_h (1, 3), backward_c (1, 3)');
    expect(lines.at(-1)).toBe('Keras 3.15.1 (float32): forward_h 0.6303138, backward_h 0.7038734');
  });
});
