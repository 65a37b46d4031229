// The ladder as the study charts it, as a standalone SVG: one bar per rung
// at its mean best val top-1, a whisker of one standard deviation over the
// seeds, the gain over the rung below written above it, and rejected steps
// drawn as hollow branch bars. Plain text, so the CLI can write it beside
// its table and a page can show it as an image.
import type { LadderRow } from './ladder';

const WIDTH = 640;
const HEIGHT = 360;
const MARGIN = { top: 36, right: 16, bottom: 96, left: 48 };

function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

const points = (fraction: number) => (100 * fraction).toFixed(1);

/** The y axis: from a little under the lowest bar to the top of any. */
export function ladderAxisRange(rows: readonly LadderRow[]): [number, number] {
  const lows = rows.map((r) => r.mean - r.std);
  const highs = rows.map((r) => r.mean + r.std);
  const low = Math.max(0, Math.floor(Math.min(...lows) * 20) / 20 - 0.05);
  const high = Math.min(1, Math.ceil(Math.max(...highs) * 20) / 20);
  return [low, high > low ? high : low + 0.05];
}

interface Scale {
  /** Pixels from the top for a top-1 fraction. */
  y: (value: number) => number;
  /** The axis's lowest value, where bars start. */
  low: number;
  /** Width given to each rung. */
  step: number;
}

function bar(row: LadderRow, i: number, { y, low, step }: Scale): string {
  const x = MARGIN.left + i * step + step * 0.15;
  const w = step * 0.7;
  const top = y(row.mean);
  const base = y(low);
  const cls = row.kind === 'branch' ? 'branch' : 'rung';
  const gain =
    row.gainOverParent === null
      ? ''
      : `${row.gainOverParent >= 0 ? '+' : ''}${points(row.gainOverParent)}`;
  const label = `${row.name}${row.kind === 'branch' ? ' (rejected)' : ''}`;
  const cx = x + w / 2;
  return [
    `<g class="${cls}" data-rung="${escapeXml(row.name)}">`,
    `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" ` +
      `width="${w.toFixed(1)}" height="${(base - top).toFixed(1)}"/>`,
    `<line class="spread" x1="${cx.toFixed(1)}" x2="${cx.toFixed(1)}" ` +
      `y1="${y(row.mean - row.std).toFixed(1)}" ` +
      `y2="${y(row.mean + row.std).toFixed(1)}"/>`,
    `<text class="value" x="${cx.toFixed(1)}" ` +
      `y="${(y(row.mean + row.std) - 14).toFixed(1)}">` +
      `${points(row.mean)}%</text>`,
    gain &&
      `<text class="gain" x="${cx.toFixed(1)}" ` +
        `y="${(y(row.mean + row.std) - 2).toFixed(1)}">${gain}</text>`,
    `<text class="name" transform="translate(${cx.toFixed(1)} ` +
      `${(HEIGHT - MARGIN.bottom + 12).toFixed(1)}) rotate(30)">` +
      `${escapeXml(label)}</text>`,
    '</g>',
  ]
    .filter((part) => part !== '')
    .join('');
}

function barsOf(rows: readonly LadderRow[]): string[] {
  const [low, high] = ladderAxisRange(rows);
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const y = (v: number) =>
    MARGIN.top + plotHeight * (1 - (Math.max(low, v) - low) / (high - low));
  const step = (WIDTH - MARGIN.left - MARGIN.right) / rows.length;
  const ticks = [low, (low + high) / 2, high].map(
    (v) =>
      `<text class="tick" x="${MARGIN.left - 6}" y="${y(v).toFixed(1)}">` +
      `${points(v)}%</text>`,
  );
  return [...ticks, ...rows.map((row, i) => bar(row, i, { y, low, step }))];
}

/** The chart of `rows` (as summarizeLadder gives them) as SVG text. */
export function ladderSvg(rows: readonly LadderRow[], title: string): string {
  if (rows.length === 0) {
    throw new Error('ladderSvg: expected at least one rung, got none');
  }
  const style =
    'text{font:12px sans-serif;text-anchor:middle}' +
    '.tick{text-anchor:end;dominant-baseline:middle}' +
    '.name{text-anchor:start}.title{font-weight:bold}' +
    '.rung rect{fill:#2b6cb0}' +
    '.branch rect{fill:none;stroke:#2b6cb0;stroke-dasharray:4 3}' +
    '.spread{stroke:#1a202c;stroke-width:1.5}.gain{fill:#2f855a}';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" ` +
      `height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">`,
    `<style>${style}</style>`,
    `<text class="title" x="${WIDTH / 2}" y="18">${escapeXml(title)}</text>`,
    ...barsOf(rows),
    '</svg>',
    '',
  ].join('\n');
}
