// The file-format readers the import uses, in one place: the Worker wires
// these into the pipeline.
import { readCarsAnnotations, readCarsClassNames } from '../formats/mat5';
import type { AnnotationReaders } from './annotations';
import type { PartOpener } from './sources';

// TODO: CSV annotations (anno_*.csv, names.csv, box CSVs) read through
// src/data/formats once its CSV reader lands; until then those files are
// reported as unreadable and their layouts cannot be planned.
function noCsv(): never {
  throw new Error('reading CSV annotation files is not available yet');
}

export const READERS: AnnotationReaders = {
  readCarsClassNames,
  readCarsAnnotations,
  parseBoxCsv: noCsv,
  parseNamesCsv: noCsv,
};

// TODO: zip, tgz and parquet parts through src/data/formats once its
// archive readers land; until then every dropped file is a loose file.
export const openPart: PartOpener = async () => undefined;
