import type { BenchReport, BenchResult } from './bench.js';
import { formatError } from './bench.js';

/** Terminal and Markdown renderings of a report: one row per shape × cell × runner. */

const HEADERS = ['shape', 'cell', 'runner', 'median ms', 'GFLOP/s', 'ratio', 'max error', 'note'];

function rows(report: BenchReport): string[][] {
  const { minCalls, rounds } = report.settings;
  return report.results.map((r) => [
    r.shape,
    r.cell,
    r.runner,
    r.medianMs === null ? (r.status === 'ok' ? '-' : r.status.toUpperCase()) : formatNumber(r.medianMs),
    r.gflops === null ? '-' : formatNumber(r.gflops),
    r.ratio === null ? '-' : `${formatNumber(r.ratio)}x`,
    r.maxError === null ? '-' : formatError(r.maxError),
    note(r, minCalls, rounds),
  ]);
}

function note(r: BenchResult, minCalls: number, rounds: number): string {
  const parts: string[] = [];
  if (r.status === 'void') parts.push('wrong result, not timed');
  if (r.status === 'unavailable' || r.status === 'failed') parts.push(`${r.status}: ${shorten(r.reason ?? '', 70)}`);
  if (r.status === 'ok' && r.maxError === null) parts.push(`unchecked: ${shorten(r.reason ?? 'no reference', 60)}`);
  // Core's auto backend reports `auto(NAME)`, NAME being what ran the latest call.
  if (r.runner === 'auto' && r.backend) parts.push(`picked ${/^auto\((.*)\)$/.exec(r.backend)?.[1] ?? r.backend}`);
  if (r.resetAfter === false) parts.push('reset_after=false');
  if (r.cold) parts.push('very slow: one cold call, not warmed up');
  else if (r.status === 'ok' && r.roundMs.length < rounds) parts.push(`slow: ${r.calls} call${r.calls === 1 ? '' : 's'} in ${r.roundMs.length} round${r.roundMs.length === 1 ? '' : 's'}`);
  else if (r.status === 'ok' && r.calls !== null && r.calls < minCalls) parts.push(`${r.calls} call${r.calls === 1 ? '' : 's'}/round`);
  return parts.join('; ');
}

/** Three significant digits, no exponent for everyday sizes. */
export function formatNumber(value: number): string {
  if (value === 0) return '0';
  if (Math.abs(value) >= 1000) return Math.round(value).toString();
  if (Math.abs(value) < 1e-3) return value.toExponential(1);
  return value.toPrecision(3);
}

function shorten(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

export function formatTable(report: BenchReport): string {
  const body = rows(report);
  const headers = HEADERS.map((h) => (h === 'ratio' && report.settings.baseline ? `vs ${report.settings.baseline}` : h));
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const numeric = new Set([3, 4, 5, 6]);
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [line(headers), widths.map((w) => '-'.repeat(w)).join('  ')];
  body.forEach((row, i) => {
    const previous = report.results[i - 1];
    const current = report.results[i];
    if (previous && (previous.shape !== current.shape || previous.cell !== current.cell)) out.push('');
    out.push(line(row));
  });
  return out.join('\n');
}

export function formatMarkdown(report: BenchReport): string {
  const headers = HEADERS.map((h) => (h === 'ratio' && report.settings.baseline ? `time vs ${report.settings.baseline}` : h));
  const align = headers.map((_, i) => (i >= 3 && i <= 6 ? '---:' : '---'));
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [headers, align, ...rows(report)].map((row) => `| ${row.map(escape).join(' | ')} |`).join('\n');
}

/** GFLOP/s with one column per runner and one row per shape × cell (VOID / n/a where there is no number). */
export function formatPivotMarkdown(report: BenchReport): string {
  const runners = [...new Set(report.results.map((r) => r.runner))];
  const cases = [...new Set(report.results.map((r) => `${r.shape} ${r.cell}`))];
  const cell = (result: BenchResult | undefined) => {
    if (!result) return '';
    if (result.gflops !== null) return formatNumber(result.gflops);
    return result.status === 'void' ? 'VOID' : 'n/a';
  };
  const lines = [`| shape, cell | ${runners.join(' | ')} |`, `|---|${runners.map(() => '---:').join('|')}|`];
  for (const name of cases) {
    const row = runners.map((runner) => cell(report.results.find((r) => `${r.shape} ${r.cell}` === name && r.runner === runner)));
    lines.push(`| ${name} | ${row.join(' | ')} |`);
  }
  return lines.join('\n');
}
