import type { DatasetManifest } from '../../data/schema';
import { useLab, type DatasetState } from '../store';
import { share } from '../time-left';
import { TimeLeftBar } from './TimeLeftBar';

const count = (n: number) => n.toLocaleString('en-US');

function ImportProgress({ dataset }: { dataset: DatasetState }) {
  const { imagesDone, imagesTotal, secondsLeft } = dataset;
  const known = imagesTotal > 0;
  return (
    <>
      <p>
        Storing the Fashion-MNIST demo in this browser, once:{' '}
        {known
          ? `${count(imagesDone)} of ${count(imagesTotal)} images`
          : 'starting'}
      </p>
      <TimeLeftBar
        label="Demo import"
        at={
          known
            ? { fraction: share(imagesDone, imagesTotal), secondsLeft }
            : null
        }
      />
    </>
  );
}

function Summary({ manifest }: { manifest: DatasetManifest }) {
  const { train, val } = manifest.splits;
  const colour = manifest.channels === 1 ? 'grayscale' : 'RGB';
  return (
    <>
      <p>
        Ready: {count(train.numImages)} training and {count(val.numImages)}{' '}
        validation images, {manifest.classNames.length} classes,{' '}
        {manifest.width} x {manifest.height} {colour}.
      </p>
      <p className="muted">
        {manifest.source}
        {manifest.licence ? ` (${manifest.licence})` : ''}
      </p>
    </>
  );
}

/** The demo dataset: its import progress, or what is stored. Datasets
 * imported by hand are shown by the Stored datasets view. */
export function DatasetPanel() {
  const dataset = useLab((s) => s.dataset);
  return (
    <section className="panel" aria-labelledby="dataset-title">
      <h2 id="dataset-title">Demo dataset: {dataset.name}</h2>
      {dataset.status === 'idle' && <p>Checking what is stored…</p>}
      {dataset.status === 'importing' && <ImportProgress dataset={dataset} />}
      {dataset.status === 'ready' && dataset.manifest && (
        <Summary manifest={dataset.manifest} />
      )}
      {dataset.status === 'failed' && (
        <p>
          The import stopped at {count(dataset.imagesDone)} of{' '}
          {count(dataset.imagesTotal)} images; those are kept. See the error
          above.
        </p>
      )}
    </section>
  );
}
