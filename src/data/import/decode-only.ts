// The import without its storage: lists and plans the source as an import
// does, then decodes, crops and resizes every planned image in plan order
// and drops the pixels. `lab bench-import` times this against a real
// import of the same files to show what storing costs.
import { CropCanvas, decodeCrop } from './image';
import { prepare, resolveOptions, type PipelineDeps } from './pipeline';
import { ProgressMeter } from './progress';
import type {
  DecodeReport,
  ImportOptions,
  ImportProgress,
  ImportSource,
} from './types';

export async function decodeOnly(
  deps: PipelineDeps,
  source: ImportSource,
  options: ImportOptions,
  onProgress: (progress: ImportProgress) => void,
  signal: AbortSignal,
): Promise<DecodeReport> {
  const started = performance.now();
  const resolved = resolveOptions(options);
  onProgress(ProgressMeter.phase('listing'));
  const { reader, plan } = await prepare(deps, source, resolved);
  onProgress(ProgressMeter.phase('planning'));
  const items = new Map(plan.items.map((item) => [item.path, item]));
  const meter = new ProgressMeter(plan.items.length, 0, onProgress);
  const canvas = new CropCanvas();
  const report: DecodeReport = { images: 0, skipped: 0, wallSeconds: 0 };
  for await (const image of reader.walk((path) => items.has(path))) {
    if (signal.aborted) break;
    const item = items.get(image.path)!;
    try {
      const bytes = await image.bytes();
      await decodeCrop(
        bytes,
        item.box,
        resolved.imageSize,
        resolved.fit,
        canvas,
      );
      report.images++;
    } catch {
      // As the import does: an image that fails is skipped, not fatal.
      report.skipped++;
    }
    meter.update(report.images + report.skipped);
  }
  meter.done(report.images + report.skipped);
  report.wallSeconds = (performance.now() - started) / 1000;
  return report;
}
