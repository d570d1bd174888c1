import type { CaseResult, ConformanceReport, Family, LoadedFixture } from '@rnn/conformance';
import { FAMILIES, fixtureFamily, MODEL_FILE_SUFFIX } from '@rnn/conformance';
import { h } from './dom.js';

/**
 * The conformance matrix: a row per family, a column per backend, passed/total in each cell; the
 * failing cases listed below it.
 */
export function matrixView(reports: readonly ConformanceReport[], fixtures: readonly LoadedFixture[]): HTMLElement {
  const familyOf = new Map(fixtures.map((f) => [f.id, fixtureFamily(f.fixture)]));
  const family = (result: CaseResult): Family | undefined => familyOf.get(result.case.replace(MODEL_FILE_SUFFIX, ''));
  const rows: (Family | 'all')[] = [...FAMILIES.filter((f) => reports.some((r) => r.results.some((c) => family(c) === f))), 'all'];
  const failures = reports.flatMap((r) => r.results.filter((c) => c.status === 'fail').map((c) => ({ backend: r.backend, result: c })));
  return h(
    'div',
    {},
    h(
      'table',
      { class: 'matrix' },
      h('thead', {}, h('tr', {}, h('th', {}, 'family'), reports.map((r) => h('th', {}, r.backend)))),
      h(
        'tbody',
        {},
        rows.map((row) =>
          h(
            'tr',
            { class: row === 'all' ? 'total' : undefined },
            h('th', {}, row),
            reports.map((report) => {
              const results = report.results.filter((c) => row === 'all' || family(c) === row);
              const passed = results.filter((c) => c.status === 'pass').length;
              const ok = passed === results.length;
              return h(
                'td',
                { class: ok ? 'pass' : 'fail', 'data-backend': report.backend, 'data-family': row, 'data-passed': passed, 'data-total': results.length },
                `${ok ? '✓' : '✗'} ${passed}/${results.length}`,
              );
            }),
          ),
        ),
      ),
    ),
    failures.length
      ? h('ul', { class: 'failures' }, failures.map((f) => h('li', {}, h('b', {}, `${f.backend} · ${f.result.case}`), ` ${f.result.message}`)))
      : null,
  );
}
