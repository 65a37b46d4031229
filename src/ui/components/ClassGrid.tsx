import type { DatasetManifest, SplitName } from '../../data/schema';
import { useImports } from '../import-store';
import { PixelCanvas } from './PixelCanvas';

const count = (n: number) => n.toLocaleString('en-US');

function ClassPicker({ manifest }: { manifest: DatasetManifest }) {
  const view = useImports((s) => s.classView);
  const showClass = useImports((s) => s.showClass);
  const split = view?.split ?? 'train';
  const classes = manifest.classNames
    .map((name, classId) => ({ name, classId }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return (
    <div className="grid-controls">
      <label>
        Class{' '}
        <select
          data-testid="grid-class"
          value={view?.classId ?? ''}
          onChange={(e) => void showClass(Number(e.target.value), split)}
        >
          <option value="" disabled>
            pick a class…
          </option>
          {classes.map(({ name, classId }) => (
            <option key={classId} value={classId}>
              {name} ({count(manifest.splits[split].classCounts[classId] ?? 0)})
            </option>
          ))}
        </select>
      </label>
      <label>
        Split{' '}
        <select
          value={split}
          disabled={!view}
          onChange={(e) =>
            view && void showClass(view.classId, e.target.value as SplitName)
          }
        >
          <option value="train">training</option>
          <option value="val">validation</option>
        </select>
      </label>
    </div>
  );
}

/** The stored crops of one class, read back from the shards. */
export function ClassGrid({ manifest }: { manifest: DatasetManifest }) {
  const view = useImports((s) => s.classView);
  const images = view?.images;
  return (
    <div className="class-grid" data-testid="class-grid">
      <ClassPicker manifest={manifest} />
      {view && !images && !view.failure && <p>Reading the shards…</p>}
      {view?.failure && <p className="field-problem">{view.failure}</p>}
      {images && (
        <>
          <p className="muted">
            {images.images.length < images.numInSplit
              ? `The first ${images.images.length} of `
              : 'All '}
            {count(images.numInSplit)} stored {images.split} images of “
            {manifest.classNames[images.classId]}”, as training reads them (
            {images.width} x {images.height}).
          </p>
          <div className="thumbs" data-testid="grid-images">
            {images.images.map((pixels, i) => (
              <PixelCanvas
                key={i}
                pixels={pixels}
                width={images.width}
                height={images.height}
                channels={images.channels}
              />
            ))}
          </div>
        </>
      )}
    </div>
  );
}
