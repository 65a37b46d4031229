// MATLAB 5 MAT-files: the reader (mat5-read.ts) and the Stanford Cars
// devkit's annotation files read through it:
//   cars_meta.mat        class_names, a 1x196 cell of strings
//   cars_*_annos*.mat    annotations, a 1xN struct with fields bbox_x1,
//                        bbox_y1, bbox_x2, bbox_y2, fname and, in the
//                        labelled files, class
// Numbers come as they are stored: boxes 1-based and inclusive, class ids
// 1-based. A row that cannot be used is skipped with a reason; a file of
// another layout is an error that names what it holds.
import { MatFormatError } from './errors';
import { readMat, type MatValue } from './mat5-read';

export { MatFormatError } from './errors';
export { readMat, type MatValue, type NumericClass } from './mat5-read';

export interface CarsAnnotation {
  fname: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** 1-based; absent in the unlabelled test file. */
  classId?: number;
}

export interface CarsAnnotations {
  rows: CarsAnnotation[];
  /** Rows left out; `index` is the 0-based position in the struct. */
  skipped: { index: number; reason: string }[];
}

const BOX_FIELDS = ['bbox_x1', 'bbox_y1', 'bbox_x2', 'bbox_y2'] as const;
const ANNOTATION_FIELDS = [...BOX_FIELDS, 'fname'];

/** Reads cars_meta.mat: the class names, class id 1 first. */
export async function readCarsClassNames(bytes: Uint8Array): Promise<string[]> {
  const variables = await readMat(bytes);
  const names = variables.get('class_names');
  if (names?.kind !== 'cell') {
    throw new MatFormatError(
      `expected a cell array 'class_names', found ` +
        describeVariables(variables),
    );
  }
  return names.values.map((value, i) => {
    if (value.kind !== 'char' || value.strings.length !== 1) {
      throw new MatFormatError(
        `expected class_names{${i + 1}} to be one line of text, found ` +
          describe(value),
      );
    }
    return value.strings[0]!;
  });
}

/** Reads cars_train_annos.mat, cars_test_annos.mat or a labelled one. */
export async function readCarsAnnotations(
  bytes: Uint8Array,
): Promise<CarsAnnotations> {
  const variables = await readMat(bytes);
  const annotations = variables.get('annotations');
  const expected =
    "a struct array 'annotations' with fields " +
    `${ANNOTATION_FIELDS.join(', ')} and optionally class`;
  if (annotations?.kind !== 'struct') {
    throw new MatFormatError(
      `expected ${expected}, found ${describeVariables(variables)}`,
    );
  }
  const missing = ANNOTATION_FIELDS.filter(
    (field) => !annotations.fieldNames.includes(field),
  );
  if (missing.length > 0) {
    throw new MatFormatError(
      `expected ${expected}, found fields ` +
        `${annotations.fieldNames.join(', ') || '(none)'}`,
    );
  }
  const hasClass = annotations.fieldNames.includes('class');
  const result: CarsAnnotations = { rows: [], skipped: [] };
  annotations.elements.forEach((fields, index) => {
    try {
      result.rows.push(readRow(fields, hasClass));
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      result.skipped.push({ index, reason: error.message });
    }
  });
  return result;
}

class RowError extends Error {}

function readRow(
  fields: Map<string, MatValue>,
  hasClass: boolean,
): CarsAnnotation {
  const fname = fields.get('fname')!;
  if (fname.kind !== 'char' || fname.strings.length !== 1) {
    throw new RowError(`expected fname to be text, found ${describe(fname)}`);
  }
  const [x1, y1, x2, y2] = BOX_FIELDS.map((field) =>
    readPositiveInt(fields, field),
  ) as [number, number, number, number];
  if (x2 < x1 || y2 < y1) {
    throw new RowError(
      `expected a box with x1 <= x2 and y1 <= y2, found ` +
        `(${x1}, ${y1}, ${x2}, ${y2})`,
    );
  }
  const row: CarsAnnotation = { fname: fname.strings[0]!, x1, y1, x2, y2 };
  if (hasClass) row.classId = readPositiveInt(fields, 'class');
  return row;
}

function readPositiveInt(fields: Map<string, MatValue>, field: string) {
  const value = fields.get(field)!;
  const number = value.kind === 'numeric' ? value.data : [];
  if (number.length !== 1 || !Number.isInteger(number[0]) || number[0]! < 1) {
    throw new RowError(
      `expected ${field} to be one whole number >= 1, found ` + describe(value),
    );
  }
  return number[0]!;
}

/** A short description of a value for messages, e.g. "a 1x3 double array". */
function describe(value: MatValue): string {
  const size = value.dims.join('x');
  if (value.kind === 'numeric') {
    const shown = value.data.length === 1 ? ` (${value.data[0]})` : '';
    return `a ${size} ${value.class} array${shown}`;
  }
  if (value.kind === 'char') {
    const shown = value.strings.length === 1 ? ` '${value.strings[0]}'` : '';
    return `a ${size} char array${shown}`;
  }
  return `a ${size} ${value.kind} array`;
}

function describeVariables(variables: Map<string, MatValue>): string {
  if (variables.size === 0) return 'no variables';
  const parts = [...variables].map(([name, value]) => {
    const fields =
      value.kind === 'struct'
        ? ` with fields ${value.fieldNames.join(', ')}`
        : '';
    return `'${name}' (${describe(value)}${fields})`;
  });
  return `variables ${parts.join(', ')}`;
}
