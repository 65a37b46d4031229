import { describe, expect, test } from 'vitest';
import { ladderSvg } from '../../src/recipe/ladder-chart';
import type { LadderRow } from '../../src/recipe/ladder';

function row(
  name: string,
  kind: LadderRow['kind'],
  mean: number,
  gain: number | null,
): LadderRow {
  return {
    name,
    title: name,
    kind,
    parent: null,
    seeds: [1, 2],
    values: [mean - 0.01, mean + 0.01],
    mean,
    std: 0.01,
    gainOverParent: gain,
    gainOverBase: gain,
    publishedTop1: null,
  };
}

const rows = [
  row('base', 'base', 0.5, null),
  row('cosine', 'branch', 0.45, -0.05),
  row('ema & co', 'rung', 0.6, 0.1),
];

/** The attribute `name` of every element `tag` in `svg`, in order. */
function attrs(svg: string, tag: string, name: string): number[] {
  const re = new RegExp(`<${tag} [^>]*${name}="([-\\d.]+)"`, 'g');
  return [...svg.matchAll(re)].map((m) => Number(m[1]));
}

describe('the ladder chart', () => {
  const svg = ladderSvg(rows, 'demo <ladder>');

  test('one bar per rung, branches drawn apart, text escaped', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(
      true,
    );
    expect(svg.match(/<rect /g)).toHaveLength(3);
    expect(svg.match(/class="branch"/g)).toHaveLength(1);
    expect(svg).toContain('data-rung="cosine"');
    expect(svg).toContain('cosine (rejected)');
    expect(svg).toContain('ema &amp; co');
    expect(svg).toContain('demo &lt;ladder&gt;');
    expect(svg).not.toContain('<ladder>');
  });

  test('bar heights follow the means; gains and values are written', () => {
    const heights = attrs(svg, 'rect', 'height');
    expect(heights[2]).toBeGreaterThan(heights[0]!);
    expect(heights[0]).toBeGreaterThan(heights[1]!);
    expect(svg).toContain('>60.0%<');
    expect(svg).toContain('>+10.0<');
    expect(svg).toContain('>-5.0<');
  });

  test('no rungs is an error that says so', () => {
    expect(() => ladderSvg([], 't')).toThrow(/expected at least one rung/);
  });
});
