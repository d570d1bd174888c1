import type { CaseResult, Family } from '@rnn/conformance';
import { FAMILIES } from '@rnn/conformance';

export interface MatrixInput {
  /** Columns, in order. */
  readonly backends: readonly string[];
  /** Rows, in order; grouped by family on output. */
  readonly cases: readonly { readonly id: string; readonly family: Family }[];
  /** Result of each case on each backend. */
  readonly results: ReadonlyMap<string, ReadonlyMap<string, CaseResult>>;
  /** Terminal width to fit (clamped to 80..160). */
  readonly width: number;
  readonly color: boolean;
}

const PASS = '✓';
const FAIL = '✗';
const INDENT = '  ';
const GAP = 2;

/**
 * The backend-by-case matrix: a header, then per family a title line and one line per case with a
 * ✓/✗ under each backend. Backend names head their columns when they fit the width; otherwise the
 * columns are numbered and a legend names them. Case ids too long for the width are shortened in the middle.
 */
export function renderMatrix(input: MatrixInput): string[] {
  const width = Math.min(160, Math.max(80, input.width));
  const longestId = Math.max(...input.cases.map((c) => c.id.length), 'case'.length);
  const named = INDENT.length + longestId + input.backends.reduce((n, b) => n + GAP + b.length, 0) <= width;
  const headers = named ? [...input.backends] : input.backends.map((_, i) => String(i + 1));
  const columnWidths = headers.map((h) => h.length);
  const idWidth = Math.min(longestId, width - INDENT.length - columnWidths.reduce((n, w) => n + GAP + w, 0));

  const paint = (text: string, code: number) => (input.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const cells = (values: readonly string[]) =>
    values.map((v, i) => ' '.repeat(GAP) + center(v, columnWidths[i])).join('');

  const lines: string[] = [];
  if (!named) lines.push(...wrap('Backends: ', input.backends.map((b, i) => `${i + 1} = ${b}`), width));
  lines.push(`${INDENT}${'case'.padEnd(idWidth)}${cells(headers)}`);
  for (const family of FAMILIES) {
    const members = input.cases.filter((c) => c.family === family);
    if (members.length === 0) continue;
    lines.push(`${family} (${members.length} case${members.length === 1 ? '' : 's'})`);
    for (const c of members) {
      const marks = input.backends.map((backend) => {
        const result = input.results.get(backend)?.get(c.id);
        if (!result) return ' ';
        return result.status === 'pass' ? PASS : FAIL;
      });
      const painted = marks.map((mark, i) => {
        const cell = center(mark, columnWidths[i]);
        return ' '.repeat(GAP) + (mark === PASS ? paint(cell, 32) : mark === FAIL ? paint(cell, 31) : cell);
      });
      lines.push(`${INDENT}${shorten(c.id, idWidth).padEnd(idWidth)}${painted.join('')}`);
    }
  }
  return lines.map((line) => line.trimEnd());
}

/** `prefix` then the items joined by ", ", wrapped to `width` with continuation lines indented. */
function wrap(prefix: string, items: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = prefix;
  for (const [i, item] of items.entries()) {
    const text = i < items.length - 1 ? `${item},` : item;
    if (line.length > prefix.length && line.length + 1 + text.length > width) {
      lines.push(line);
      line = ' '.repeat(prefix.length) + text;
    } else {
      line += line.length > prefix.length ? ` ${text}` : text;
    }
  }
  lines.push(line);
  return lines;
}

function center(text: string, width: number): string {
  const left = Math.floor((width - text.length) / 2);
  return ' '.repeat(Math.max(0, left)) + text + ' '.repeat(Math.max(0, width - text.length - left));
}

/** Keeps both ends of an id (family prefix and seed suffix tell cases apart). */
export function shorten(id: string, width: number): string {
  if (id.length <= width) return id;
  const keep = width - 1;
  const head = Math.ceil(keep / 2);
  return `${id.slice(0, head)}…${id.slice(id.length - (keep - head))}`;
}
