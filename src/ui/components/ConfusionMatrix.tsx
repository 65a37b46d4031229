import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { MatrixOrder } from '../../eval/order';
import { useEval } from '../eval-store';

/** Screen pixels a cell takes: 196 classes fit in about 600 px. */
const cellPixels = (n: number) =>
  Math.max(3, Math.min(24, Math.floor(600 / n)));

/**
 * Log-scaled colour of a count: white at 0; the diagonal (hits) in blue,
 * the rest (errors) in red, each against its own maximum, so that a few
 * errors still show beside thousands of hits.
 */
function colour(count: number, max: number, isHit: boolean): number[] {
  if (count === 0) return [255, 255, 255];
  const t = Math.log1p(count) / Math.log1p(Math.max(1, max));
  const shade = (to: number) => Math.round(255 - t * (255 - to));
  return isHit
    ? [shade(37), shade(99), shade(235)]
    : [shade(200), shade(30), shade(30)];
}

function maxima(confusion: Int32Array, n: number) {
  let hit = 0;
  let miss = 0;
  for (let t = 0; t < n; t++) {
    for (let p = 0; p < n; p++) {
      const v = confusion[t * n + p]!;
      if (t === p) hit = Math.max(hit, v);
      else miss = Math.max(miss, v);
    }
  }
  return { hit, miss };
}

function draw(
  canvas: HTMLCanvasElement,
  confusion: Int32Array,
  classes: readonly number[],
) {
  const n = classes.length;
  const context = canvas.getContext('2d');
  if (!context) return;
  const { hit, miss } = maxima(confusion, n);
  const image = context.createImageData(n, n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const t = classes[r]!;
      const p = classes[c]!;
      const v = confusion[t * n + p]!;
      const rgb = colour(v, t === p ? hit : miss, t === p);
      image.data.set([...rgb, 255], (r * n + c) * 4);
    }
  }
  context.putImageData(image, 0, 0);
}

/** The confusion matrix as a heatmap: hover reads a cell, click lists it. */
export function ConfusionMatrix() {
  const evaluation = useEval((s) => s.evaluation);
  const weights = useEval((s) => s.weights);
  const classes = useEval((s) => s.matrixClasses);
  const order = useEval((s) => s.order);
  const setOrder = useEval((s) => s.setOrder);
  const names = useEval((s) => s.result?.classNames);
  const setImageFilter = useEval((s) => s.setImageFilter);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<string | null>(null);
  const model =
    weights === 'ema' && evaluation?.ema ? evaluation.ema : evaluation?.raw;
  const confusion = model?.confusion;
  const n = classes.length;

  useLayoutEffect(() => {
    if (canvas.current && confusion) draw(canvas.current, confusion, classes);
  }, [confusion, classes]);

  const facts = useMemo(() => {
    if (!confusion) return { total: 0, diagonal: '' };
    const total = confusion.reduce((a, b) => a + b, 0);
    const diagonal = Array.from({ length: n }, (_, c) => confusion[c * n + c]);
    return { total, diagonal: diagonal.join(',') };
  }, [confusion, n]);
  if (!confusion || n === 0) return null;

  const cellAt = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const col = Math.floor(((e.clientX - rect.left) / rect.width) * n);
    const row = Math.floor(((e.clientY - rect.top) / rect.height) * n);
    if (row < 0 || row >= n || col < 0 || col >= n) return null;
    return { trueClass: classes[row]!, predicted: classes[col]! };
  };
  const name = (c: number) => names?.[c] ?? `class ${c}`;
  const size = n * cellPixels(n);

  return (
    <div className="eval-section">
      <div className="chart-head">
        <h3>Confusion matrix</h3>
        <label>
          Order{' '}
          <select
            aria-label="Matrix order"
            value={order}
            onChange={(e) => setOrder(e.target.value as MatrixOrder)}
          >
            <option value="class">by class</option>
            <option value="confusion">by confusion</option>
          </select>
        </label>
      </div>
      <p className="muted">
        Rows: true class; columns: predicted. Blue: right, red: wrong (log
        scale). Click a cell to list its images.
      </p>
      <canvas
        ref={canvas}
        className="eval-matrix"
        data-testid="eval-matrix"
        data-total={facts.total}
        data-diagonal={facts.diagonal}
        width={n}
        height={n}
        style={{ width: size, height: size }}
        onMouseMove={(e) => {
          const cell = cellAt(e);
          if (!cell) return setHover(null);
          const count = confusion[cell.trueClass * n + cell.predicted]!;
          setHover(
            `${name(cell.trueClass)} → ${name(cell.predicted)}: ${count}`,
          );
        }}
        onMouseLeave={() => setHover(null)}
        onClick={(e) => {
          const cell = cellAt(e);
          if (cell) setImageFilter({ ...cell, wrongOnly: false });
        }}
      />
      <p className="eval-hover" data-testid="eval-matrix-hover">
        {hover ?? ' '}
      </p>
    </div>
  );
}
