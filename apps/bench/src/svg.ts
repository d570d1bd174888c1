import type { BenchReport } from './bench.js';
import { formatNumber } from './report.js';

/**
 * A hand-written grouped bar chart: one panel per cell, one group per shape, one bar per runner,
 * GFLOP/s on a log axis (the runners span four orders of magnitude). Void, failed and unavailable
 * results have no bar; a void one is marked with a red cross at the axis.
 */

const PALETTE = ['#1f77b4', '#17becf', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#ff7f0e', '#d62728', '#7f7f7f', '#bcbd22'];
const BAR = 9;
const GROUP_GAP = 18;
const PANEL_HEIGHT = 190;
const PANEL_GAP = 46;
const LEFT = 58;
const TOP = 44;
const LEGEND_WIDTH = 150;
const MIN_WIDTH = 640;

export function renderSvg(report: BenchReport): string {
  const runners = [...new Set(report.results.map((r) => r.runner))];
  const shapes = [...new Set(report.results.map((r) => r.shape))];
  const cells = [...new Set(report.results.map((r) => r.cell))];
  const values = report.results.flatMap((r) => (r.gflops !== null && r.gflops > 0 ? [r.gflops] : []));
  const low = Math.floor(Math.log10(Math.min(...values, 1)));
  const high = Math.ceil(Math.log10(Math.max(...values, 10)));
  const groupWidth = runners.length * BAR + GROUP_GAP;
  const plotWidth = shapes.length * groupWidth;
  const width = Math.max(MIN_WIDTH, LEFT + plotWidth + 24 + LEGEND_WIDTH);
  const legendX = width - LEGEND_WIDTH;
  const height = TOP + cells.length * (PANEL_HEIGHT + PANEL_GAP) + 10;
  const y = (gflops: number) => PANEL_HEIGHT - ((Math.log10(gflops) - low) / (high - low)) * PANEL_HEIGHT;
  const color = (runner: string) => PALETTE[runners.indexOf(runner) % PALETTE.length];

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${LEFT}" y="16" font-size="13" font-weight="bold">GFLOP/s per runner and shape (log scale, higher is better)</text>`,
    `<text x="${LEFT}" y="31" fill="#555">${escapeXml(`${report.machine.cpu}, one thread per runner, Node ${report.machine.node}; FLOPs = 2·G·H·(I+H)·B·T`)}</text>`,
  );
  runners.forEach((runner, i) => {
    const ly = TOP + 22 + i * 16;
    out.push(`<rect x="${legendX}" y="${ly - 9}" width="10" height="10" fill="${color(runner)}"/>`, `<text x="${legendX + 15}" y="${ly}">${escapeXml(runner)}</text>`);
  });
  cells.forEach((cell, panel) => {
    const top = TOP + panel * (PANEL_HEIGHT + PANEL_GAP) + 14;
    out.push(`<g transform="translate(${LEFT},${top})">`);
    out.push(`<text x="0" y="-6" font-weight="bold">${escapeXml(cell)}</text>`);
    for (let p = low; p <= high; p++) {
      const gy = y(10 ** p).toFixed(1);
      out.push(
        `<line x1="0" x2="${plotWidth}" y1="${gy}" y2="${gy}" stroke="#ddd"/>`,
        `<text x="-6" y="${gy}" text-anchor="end" dominant-baseline="middle">${tickLabel(p)}</text>`,
      );
    }
    shapes.forEach((shape, g) => {
      const gx = g * groupWidth + GROUP_GAP / 2;
      out.push(`<text x="${gx + (runners.length * BAR) / 2}" y="${PANEL_HEIGHT + 14}" text-anchor="middle">${escapeXml(shape)}</text>`);
      runners.forEach((runner, i) => {
        const result = report.results.find((r) => r.shape === shape && r.cell === cell && r.runner === runner);
        const bx = gx + i * BAR;
        if (result?.gflops) {
          const by = Math.min(y(result.gflops), PANEL_HEIGHT - 1);
          out.push(
            `<rect x="${bx}" y="${by.toFixed(1)}" width="${BAR - 1}" height="${(PANEL_HEIGHT - by).toFixed(1)}" fill="${color(runner)}">` +
              `<title>${escapeXml(`${shape} ${cell} ${runner}: ${formatNumber(result.gflops)} GFLOP/s, ${formatNumber(result.medianMs!)} ms`)}</title></rect>`,
          );
        } else if (result?.status === 'void') {
          out.push(`<text x="${bx + BAR / 2}" y="${PANEL_HEIGHT - 3}" text-anchor="middle" fill="#d62728" font-weight="bold">×<title>${escapeXml(`${shape} ${cell} ${runner}: void (${result.reason ?? ''})`)}</title></text>`);
        }
      });
    });
    out.push(`<line x1="0" x2="${plotWidth}" y1="${PANEL_HEIGHT}" y2="${PANEL_HEIGHT}" stroke="#333"/>`, `</g>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** 10^p as 0.001, 0.01, ..., 100, 1000; smaller ones as 1e-4. */
function tickLabel(power: number): string {
  if (power >= 0) return String(10 ** power);
  return power >= -3 ? (10 ** power).toFixed(-power) : `1e${power}`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
