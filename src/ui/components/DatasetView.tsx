import type { DatasetManifest } from '../../data/schema';
import { formatBytes } from '../format';
import { useImports } from '../import-store';
import { skippedTitle, storedImages } from '../import-view';
import { ClassChart } from './ClassChart';
import { ClassGrid } from './ClassGrid';
import { IssueList } from './IssueList';

const count = (n: number) => n.toLocaleString('en-US');

function storedBytes(m: DatasetManifest): number {
  return storedImages(m) * (m.width * m.height * m.channels + 4);
}

/** How the dataset was imported, and what was left out and why. */
function ImportRecordView({ manifest }: { manifest: DatasetManifest }) {
  const record = manifest.importRecord;
  if (!record) return null;
  const { planned, settings } = record;
  return (
    <div className="import-record" data-testid="import-record">
      <dl className="facts">
        <dt>Layout</dt>
        <dd>{record.layout}</dd>
        <dt>Stored</dt>
        <dd>
          {count(manifest.splits.train.numImages)} of {count(planned.train)}{' '}
          planned training and {count(manifest.splits.val.numImages)} of{' '}
          {count(planned.val)} validation images (
          {formatBytes(storedBytes(manifest))})
        </dd>
        <dt>Settings</dt>
        <dd>
          {settings.imageSize} px, {settings.fit},{' '}
          {record.cropped ? 'cropped to the boxes' : 'uncropped (no boxes)'}
        </dd>
      </dl>
      {record.stopped && (
        <p className="banner banner-warning">
          Incomplete: {record.stopped.message}
        </p>
      )}
      {record.skipped.length > 0 ? (
        <IssueList
          title={skippedTitle(record.skipped.length)}
          issues={record.skipped}
        />
      ) : (
        <p className="muted">Nothing was skipped.</p>
      )}
    </div>
  );
}

/** The stored datasets: images per class, stored crops, import report. */
export function DatasetView() {
  const datasets = useImports((s) => s.datasets);
  const viewed = useImports((s) => s.viewed);
  const view = useImports((s) => s.view);
  const showClass = useImports((s) => s.showClass);
  const manifest = datasets.find((d) => d.name === viewed);
  return (
    <section
      className="panel"
      aria-labelledby="datasets-title"
      data-testid="dataset-view"
    >
      <div className="chart-head">
        <h2 id="datasets-title">Stored datasets</h2>
        {datasets.length > 0 && (
          <select
            aria-label="Dataset"
            data-testid="dataset-select"
            value={viewed ?? ''}
            onChange={(e) => view(e.target.value)}
          >
            {datasets.map((d) => (
              <option key={d.name} value={d.name}>
                {d.name}
                {d.complete ? '' : ' (incomplete)'}
              </option>
            ))}
          </select>
        )}
      </div>
      {!manifest ? (
        <p className="muted">No dataset is stored in this browser yet.</p>
      ) : (
        <>
          <p className="muted">{manifest.source}</p>
          <ClassChart manifest={manifest} onPick={(id) => void showClass(id)} />
          <ClassGrid manifest={manifest} />
          <ImportRecordView manifest={manifest} />
        </>
      )}
    </section>
  );
}
