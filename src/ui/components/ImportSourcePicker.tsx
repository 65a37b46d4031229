import { useState, type DragEvent } from 'react';
import { filesFromDrop } from '../drop-files';
import { filesWithPaths, pickedFromFiles } from '../import-form';
import { useImports } from '../import-store';

const ARCHIVES = '.zip,.tgz,.gz,.tar,.parquet';

/**
 * A folder picker, an archive / parquet picker and a drop zone. Each hands
 * its files to the store, which plans them at once.
 */
export function ImportSourcePicker({ disabled }: { disabled: boolean }) {
  const pick = useImports((s) => s.pick);
  const [dragging, setDragging] = useState(false);
  const [dropProblem, setDropProblem] = useState<string | null>(null);

  const take = (files: { path: string; file: File }[]) => {
    const picked = pickedFromFiles(files);
    if (!picked) {
      setDropProblem('expected a folder or files, got nothing to read');
      return;
    }
    setDropProblem(null);
    void pick(picked).catch((error: unknown) => setDropProblem(String(error)));
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (disabled) return;
    filesFromDrop(event.dataTransfer).then(take, (error: unknown) =>
      setDropProblem(`reading the dropped items failed: ${String(error)}`),
    );
  };

  return (
    <div
      className={`drop-zone${dragging ? ' drop-zone-active' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <p>
        Drop a dataset folder, a <code>.zip</code>, a <code>.tgz</code> or
        parquet files here, or choose:
      </p>
      <div className="button-row">
        <label className="file-button">
          Folder…
          <input
            type="file"
            data-testid="import-folder"
            disabled={disabled}
            // React has no typed prop for these; Chromium needs both names.
            {...{ webkitdirectory: '', directory: '' }}
            onChange={(e) => {
              take(filesWithPaths(e.target.files ?? []));
              e.target.value = '';
            }}
          />
        </label>
        <label className="file-button">
          Archive or parquet…
          <input
            type="file"
            data-testid="import-files"
            multiple
            accept={ARCHIVES}
            disabled={disabled}
            onChange={(e) => {
              take(filesWithPaths(e.target.files ?? []));
              e.target.value = '';
            }}
          />
        </label>
      </div>
      {dropProblem && <p className="field-problem">{dropProblem}</p>}
    </div>
  );
}
