// A run's export from what the browser stores: its record and final
// weights from the run log, its class names from the dataset's manifest.
// Storage failures come back as ExportError 'storage', saying what was
// being read.
import { openShardStore } from '../data/shard-store';
import type { WeightFormatName } from '../weights/formats';
import { openRunDb } from '../runs/run-db';
import { buildRunExport, ExportError, type RunExport } from './run-export';

async function readRun(runId: string) {
  const db = await openRunDb();
  try {
    const record = await db.get(runId);
    if (!record) {
      throw new ExportError(
        'no-run',
        `expected run "${runId}" in the run log, found none (deleted?)`,
      );
    }
    const weights = await db.getWeights(runId);
    if (!weights) {
      const why =
        record.weightsNote ??
        (record.status === 'finished'
          ? 'none were stored'
          : `the run is ${record.status}; weights are kept once its ` +
            'last epoch is done');
      throw new ExportError(
        'no-weights',
        `expected the final weights of "${record.name}" in the run log, ` +
          `found none: ${why}`,
      );
    }
    return { record, weights };
  } finally {
    db.close();
  }
}

async function readClassNames(dataset: string): Promise<string[] | null> {
  const store = await openShardStore();
  try {
    return (await store.getManifest(dataset))?.classNames ?? null;
  } finally {
    store.close();
  }
}

export async function exportStoredRun(
  runId: string,
  format: WeightFormatName,
  date: Date,
): Promise<RunExport> {
  const { record, weights } = await readRun(runId);
  const classNames = await readClassNames(record.dataset);
  return buildRunExport(format, { record, weights, classNames, date });
}
