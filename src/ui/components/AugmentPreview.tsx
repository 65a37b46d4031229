import { useLayoutEffect, useRef } from 'react';
import type { AugmentPreview as Preview } from '../../train/preview/preview';
import { useImports } from '../import-store';
import { usePreview, type PreviewStatus } from '../preview-store';
import { previewImageTitle, previewStatusText } from '../preview-view';

/** Image `index` of a preview, drawn at the training crop's size. */
function PreviewTile({
  preview,
  index,
  title,
}: {
  preview: Preview;
  index: number;
  title: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const { size } = preview;
  // In the commit, so the pixels change with the panel's data-key.
  useLayoutEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context) return;
    const bytes = size * size * 4;
    const rgba = preview.pixels.slice(index * bytes, (index + 1) * bytes);
    context.putImageData(new ImageData(rgba, size, size), 0, 0);
  }, [preview, index, size]);
  return (
    <canvas
      ref={canvas}
      width={size}
      height={size}
      title={title}
      role="img"
      aria-label={title}
    />
  );
}

const CAN_DRAW: readonly PreviewStatus[] = ['drawing', 'ready', 'failed'];

/** A batch of training images as the recipe presents them to the network. */
export function AugmentPreview() {
  const state = usePreview((s) => s);
  const { status, preview, drawnFor, newDraw } = state;
  const datasets = useImports((s) => s.datasets);
  const classNames = datasets.find(
    (d) => d.name === drawnFor?.dataset,
  )?.classNames;
  const current = status === 'ready';
  return (
    <section
      className="panel"
      aria-labelledby="preview-title"
      data-testid="aug-preview"
      data-status={status}
      data-key={current ? (drawnFor?.key ?? '') : ''}
    >
      <div className="chart-head">
        <h2 id="preview-title">Augmentation preview</h2>
        <button
          type="button"
          onClick={newDraw}
          disabled={!CAN_DRAW.includes(status)}
        >
          New draw
        </button>
      </div>
      <p className="muted" role="status">
        {previewStatusText(state)}
      </p>
      {preview && (
        <div
          className={current ? 'thumbs' : 'thumbs stale'}
          data-testid="preview-images"
        >
          {preview.images.map((image, i) => (
            <PreviewTile
              key={i}
              preview={preview}
              index={i}
              title={previewImageTitle(image, i, classNames)}
            />
          ))}
        </div>
      )}
    </section>
  );
}
