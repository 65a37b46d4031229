// A zip the lab wrote, read back whole by the lab's own reader: every
// entry's bytes by its path, in the archive's order.
import { openZip } from '../src/data/formats/zip';

export async function unzipAll(
  zip: Blob | Uint8Array[],
): Promise<Map<string, Uint8Array>> {
  const blob = zip instanceof Blob ? zip : new Blob(zip as BlobPart[]);
  const { entries } = await openZip(blob);
  const files = new Map<string, Uint8Array>();
  for (const e of entries) files.set(e.path, await e.bytes());
  return files;
}
