// The export store: one export at a time, the zip handed to the save
// function under the Worker's name, a failure kept with what it expected.
import { expect, test } from 'vitest';
import { ExportFailure } from '../../src/export/client';
import { createExportStore } from '../../src/ui/export-store';

test('an export saves the zip and says so; a failure names run and format', async () => {
  const saved: [string, Blob][] = [];
  const blob = new Blob(['zip']);
  let fail = false;
  const store = createExportStore({
    exportRun: (runId, format) =>
      fail
        ? Promise.reject(
            new ExportFailure(
              'no-weights',
              `expected the final weights of "${runId}" in the run log, ` +
                'found none: none were stored',
            ),
          )
        : Promise.resolve({
            fileName: `${runId}-${format}.zip`,
            blob,
            notes: ['classes are numbered'],
          }),
    save: (name, b) => saved.push([name, b]),
  });

  const first = store.getState().exportRun('r1', 'baseline', 'onnx');
  expect(store.getState().busy).toEqual({ runId: 'r1', format: 'onnx' });
  // A second click while one runs is ignored.
  await store.getState().exportRun('r1', 'baseline', 'tfjs');
  await first;
  expect(saved).toEqual([['r1-onnx.zip', blob]]);
  expect(store.getState()).toMatchObject({
    busy: null,
    last: {
      ok: true,
      message: 'saved r1-onnx.zip; classes are numbered',
    },
  });

  fail = true;
  await store.getState().exportRun('r2', 'lr 0.4', 'onnx');
  expect(saved).toHaveLength(1);
  expect(store.getState().last).toEqual({
    runId: 'r2',
    format: 'onnx',
    ok: false,
    message:
      'exporting "lr 0.4" as ONNX failed: expected the final weights of ' +
      '"r2" in the run log, found none: none were stored',
  });
  store.getState().dismiss();
  expect(store.getState().last).toBeNull();
});
