// The CSV files that dataset mirrors ship beside their images:
//   anno_train.csv, anno_test.csv  fname,x1,y1,x2,y2,class without a header
//                                  (Kaggle's Stanford Cars class folders)
//   names.csv                      one class name a line, class id 1 first
//   boxes CSVs of image folders    the same columns, with or without a
//                                  header naming them
// Fields follow RFC 4180: commas split, double quotes protect commas and
// line breaks, "" is a quote. Numbers stay as the file writes them: boxes
// 1-based and inclusive, class ids 1-based. A bad row is an error with its
// line number; the rest of the file is still read.

export interface BoxRow {
  /** 1-based line on which the row starts. */
  line: number;
  fname: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  classId?: number;
}

export interface BoxCsv {
  rows: BoxRow[];
  errors: { line: number; reason: string }[];
}

/** Records of a CSV text, each with the line it starts on. */
export function csvRecords(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const body = text.replace(/^\uFEFF/, '');
  const endRecord = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0]!.trim() !== '') {
      records.push({ line: start, fields });
    }
    fields = [];
    field = '';
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      endRecord();
      start = ++line;
    } else {
      field += c;
    }
  }
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

type Column = 'fname' | 'x1' | 'y1' | 'x2' | 'y2' | 'classId';
const BOX_COLUMNS: Column[] = ['fname', 'x1', 'y1', 'x2', 'y2', 'classId'];

// Header words that name each column, in the spellings mirrors use.
const HEADER_NAMES: Record<Column, string[]> = {
  fname: ['fname', 'filename', 'file', 'image', 'path', 'name'],
  x1: ['x1', 'xmin', 'bbox_x1', 'left'],
  y1: ['y1', 'ymin', 'bbox_y1', 'top'],
  x2: ['x2', 'xmax', 'bbox_x2', 'right'],
  y2: ['y2', 'ymax', 'bbox_y2', 'bottom'],
  classId: ['class', 'class_id', 'classid', 'label'],
};

const isNumber = (text: string) =>
  text.trim() !== '' && Number.isFinite(Number(text));

/** A first record whose box fields are all words is a header. */
function isHeader(fields: string[]): boolean {
  return fields.length >= 5 && fields.slice(1, 5).every((f) => !isNumber(f));
}

function columnsOf(header: string[]): Partial<Record<Column, number>> {
  const words = header.map((h) => h.trim().toLowerCase());
  const columns: Partial<Record<Column, number>> = {};
  for (const column of BOX_COLUMNS) {
    const at = words.findIndex((w) => HEADER_NAMES[column].includes(w));
    if (at >= 0) columns[column] = at;
  }
  const missing = BOX_COLUMNS.slice(0, 5).filter(
    (c) => columns[c] === undefined,
  );
  if (missing.length > 0) {
    throw new Error(
      `expected a header naming ${missing.join(', ')} ` +
        `(e.g. fname,x1,y1,x2,y2,class), got "${header.join(',')}"`,
    );
  }
  return columns;
}

function readRow(
  fields: string[],
  columns: Partial<Record<Column, number>>,
  line: number,
): BoxRow {
  const value = (column: Column) => {
    const at = columns[column];
    return at === undefined ? undefined : fields[at]?.trim();
  };
  const numberOf = (column: Column) => {
    const text = value(column) ?? '';
    if (!isNumber(text)) {
      throw new Error(`expected a number for ${column}, got "${text}"`);
    }
    return Number(text);
  };
  const fname = value('fname') ?? '';
  if (fname === '') throw new Error('expected a file name, got none');
  const row: BoxRow = {
    line,
    fname,
    x1: numberOf('x1'),
    y1: numberOf('y1'),
    x2: numberOf('x2'),
    y2: numberOf('y2'),
  };
  const classText = value('classId');
  if (classText !== undefined && classText !== '') {
    row.classId = numberOf('classId');
  }
  return row;
}

/** Reads a box CSV (see the top of this file); bad rows become errors. */
export function parseBoxCsv(text: string): BoxCsv {
  const records = csvRecords(text);
  const result: BoxCsv = { rows: [], errors: [] };
  let columns: Partial<Record<Column, number>> = {
    fname: 0,
    x1: 1,
    y1: 2,
    x2: 3,
    y2: 4,
    classId: 5,
  };
  if (records[0] && isHeader(records[0].fields)) {
    columns = columnsOf(records.shift()!.fields);
  }
  for (const { line, fields } of records) {
    if (fields.length < 5) {
      result.errors.push({
        line,
        reason:
          'expected fname,x1,y1,x2,y2 and optionally class, got ' +
          `${fields.length} field${fields.length === 1 ? '' : 's'}`,
      });
      continue;
    }
    try {
      result.rows.push(readRow(fields, columns, line));
    } catch (error) {
      result.errors.push({ line, reason: (error as Error).message });
    }
  }
  return result;
}

/** names.csv: one class name a record, class id 1 first. */
export function parseNamesCsv(text: string): string[] {
  const records = csvRecords(text);
  if (records.length === 0) {
    throw new Error('expected one class name a line, got an empty file');
  }
  return records.map(({ fields }) =>
    // "id,name" records name their class in the second field.
    fields.length === 2 && /^\s*\d+\s*$/.test(fields[0]!)
      ? fields[1]!.trim()
      : fields.join(',').trim(),
  );
}
