// Reads the small files a detected layout names (class names, annotation
// tables, box CSVs) into the shape planning takes. A file that cannot be
// read or parsed is an issue in the report, not the end of the import;
// planning then says which file it needed.
import type { BoxCsv } from '../formats/csv';
import type { CarsAnnotations } from '../formats/mat5';
import type { AnnotationFile, Detection } from './layout';
import type { AnnotationRow, AnnotationTable, Annotations } from './plan';
import type { ImportIssue } from './types';

/** The readers of src/data/formats that planning needs. */
export interface AnnotationReaders {
  readCarsClassNames(bytes: Uint8Array): Promise<string[]>;
  readCarsAnnotations(bytes: Uint8Array): Promise<CarsAnnotations>;
  parseBoxCsv(text: string): BoxCsv;
  parseNamesCsv(text: string): string[];
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function readTable(
  file: AnnotationFile,
  bytes: Uint8Array,
  readers: AnnotationReaders,
  issues: ImportIssue[],
): Promise<AnnotationTable> {
  const { path } = file;
  if (/\.mat$/i.test(path)) {
    const { rows, skipped } = await readers.readCarsAnnotations(bytes);
    for (const s of skipped) {
      issues.push({ file: `${path} row ${s.index + 1}`, reason: s.reason });
    }
    // The reader leaves skipped rows out; number the rest as the file does.
    const left = new Set(skipped.map((s) => s.index));
    let index = 0;
    return {
      file: path,
      rows: rows.map(({ fname, x1, y1, x2, y2, classId }): AnnotationRow => {
        while (left.has(index)) index++;
        return {
          fname,
          box: { x1, y1, x2, y2 },
          ...(classId === undefined ? {} : { classId }),
          where: `${path} row ${++index}`,
        };
      }),
    };
  }
  const { rows, errors } = readers.parseBoxCsv(new TextDecoder().decode(bytes));
  for (const e of errors) {
    issues.push({ file: `${path} line ${e.line}`, reason: e.reason });
  }
  return {
    file: path,
    rows: rows.map(({ line, fname, x1, y1, x2, y2, classId }) => ({
      fname,
      box: { x1, y1, x2, y2 },
      ...(classId === undefined ? {} : { classId }),
      where: `${path} line ${line}`,
    })),
  };
}

/** Reads every annotation file of `detection` through `readFile`. */
export async function readAnnotations(
  detection: Detection,
  readFile: (path: string) => Promise<Uint8Array>,
  readers: AnnotationReaders,
): Promise<Annotations> {
  const annotations: Annotations = { tables: {}, issues: [] };
  for (const file of detection.annotations) {
    try {
      const bytes = await readFile(file.path);
      if (file.role === 'cars-meta') {
        annotations.classNames = await readers.readCarsClassNames(bytes);
      } else if (file.role === 'names-csv') {
        const text = new TextDecoder().decode(bytes);
        annotations.classNames = readers.parseNamesCsv(text);
      } else {
        const table = await readTable(file, bytes, readers, annotations.issues);
        (annotations.tables[file.role] ??= []).push(table);
      }
    } catch (error) {
      annotations.issues.push({ file: file.path, reason: message(error) });
    }
  }
  return annotations;
}
