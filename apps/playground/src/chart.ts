import { formatMs } from './format.js';
import type { BackendRun } from './run.js';

const SVG = 'http://www.w3.org/2000/svg';
const ROW = 30;
const LABEL = 150;
const WIDTH = 560;
const VALUE = 90;

/**
 * Per-backend call time as horizontal bars (median of the timed calls), with the first call's time
 * as a lighter bar behind it: the first call also compiles shaders and uploads weights.
 */
export function timingChart(runs: readonly BackendRun[]): SVGSVGElement {
  const timed = runs.filter((r): r is Extract<BackendRun, { ok: true }> => r.ok);
  const height = ROW * timed.length + 28;
  const svg = element('svg', { viewBox: `0 0 ${WIDTH} ${height}`, width: WIDTH, height, role: 'img', class: 'chart' });
  const title = element('title', {});
  title.textContent = 'Time per call on each backend';
  svg.append(title);
  const longest = Math.max(...timed.map((r) => Math.max(r.firstRunMs, r.runMs)), 1e-3);
  const scale = (ms: number) => (Math.log10(1 + ms) / Math.log10(1 + longest)) * (WIDTH - LABEL - VALUE);
  timed.forEach((run, i) => {
    const y = i * ROW + 4;
    svg.append(
      text(LABEL - 8, y + 15, run.backend, 'end', 'label'),
      element('rect', { x: LABEL, y: y + 2, width: Math.max(1, scale(run.firstRunMs)), height: 18, rx: 3, class: 'first' }),
      element('rect', { x: LABEL, y: y + 2, width: Math.max(1, scale(run.runMs)), height: 18, rx: 3, class: 'bar', 'data-backend': run.backend }),
      text(LABEL + scale(Math.max(run.firstRunMs, run.runMs)) + 6, y + 15, formatMs(run.runMs), 'start', 'value'),
    );
  });
  const legendY = timed.length * ROW + 20;
  svg.append(
    element('rect', { x: LABEL, y: legendY - 10, width: 12, height: 12, rx: 2, class: 'bar' }),
    text(LABEL + 18, legendY, `median call`, 'start', 'legend'),
    element('rect', { x: LABEL + 120, y: legendY - 10, width: 12, height: 12, rx: 2, class: 'first' }),
    text(LABEL + 138, legendY, 'first call', 'start', 'legend'),
    text(WIDTH - 4, legendY, 'log scale', 'end', 'legend'),
  );
  return svg;
}

function element<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Readonly<Record<string, string | number>>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

function text(x: number, y: number, content: string, anchor: 'start' | 'end', className: string): SVGTextElement {
  const node = element('text', { x, y, 'text-anchor': anchor, class: className });
  node.textContent = content;
  return node;
}
