// The file-format readers the import uses, in one place: the Worker wires
// these into the pipeline.
import { parseBoxCsv, parseNamesCsv } from '../formats/csv';
import { readCarsAnnotations, readCarsClassNames } from '../formats/mat5';
import { openParquetImages } from '../formats/parquet';
import { gunzipStream, readTar } from '../formats/tar';
import { openZip } from '../formats/zip';
import type { AnnotationReaders } from './annotations';
import { archiveOpener } from './archives';
import type { PartOpener } from './sources';

export const READERS: AnnotationReaders = {
  readCarsClassNames,
  readCarsAnnotations,
  parseBoxCsv,
  parseNamesCsv,
};

export const openPart: PartOpener = archiveOpener({
  openZip,
  readTar,
  gunzipStream,
  openParquetImages,
});
