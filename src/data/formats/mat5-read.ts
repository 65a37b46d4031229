// A reader for MATLAB 5 MAT-files (the format of MATLAB's `save -v6` and
// `-v7`, which is what the Stanford Cars devkit holds).
//
// Reads: little- and big-endian files; variables stored plainly or as
// zlib-compressed elements (miCOMPRESSED); small data elements; numeric
// arrays of every class (double, single, int8..uint64, logical, complex),
// char arrays (UTF-8, UTF-16, UTF-32 or uint16/uint8 code units), cell
// arrays and struct arrays, nested to any depth, in MATLAB's column-major
// order with their dims.
//
// Does not read: sparse arrays, objects (classdef or old-style), function
// handles and other opaque classes (a MatFormatError names the class and
// the variable); v7.3 files, which are HDF5 (a MatFormatError says so);
// 64-bit integers beyond 2^53, which a double cannot hold exactly.
//
// Layout: "MAT-File Format", MathWorks, R2013+ edition, chapter 1.
import { inflateBytes } from './bytes';
import {
  MI,
  decodeAscii,
  decodeText,
  fail,
  readElement,
  readInts,
  readNumbers,
  source,
  type Element,
  type Source,
} from './mat5-elements';

export type NumericClass =
  | 'double'
  | 'single'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64';

/** One MATLAB value. `dims` has at least two entries, as in MATLAB. */
export type MatValue =
  | {
      kind: 'numeric';
      class: NumericClass;
      dims: number[];
      /** Elements in column-major order, converted to doubles. */
      data: Float64Array;
      /** Imaginary parts, for a complex array. */
      imag?: Float64Array;
      isLogical: boolean;
    }
  | {
      kind: 'char';
      dims: number[];
      /** One string per row (dims[0] of them), trailing padding kept. */
      strings: string[];
    }
  | {
      kind: 'cell';
      dims: number[];
      /** Elements in column-major order. */
      values: MatValue[];
    }
  | {
      kind: 'struct';
      dims: number[];
      fieldNames: string[];
      /** Per element (column-major), each field's value. */
      elements: Map<string, MatValue>[];
    };

const HEADER_BYTES = 128;

// Data types of data elements (Table 1-1 of the format reference).
const MX_CLASSES = [
  'unknown',
  'cell',
  'struct',
  'object',
  'char',
  'sparse',
  'double',
  'single',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'function handle',
  'opaque',
] as const;

const FLAG_COMPLEX = 0x08;
const FLAG_LOGICAL = 0x02;

/**
 * Reads every variable of a MAT-file, by name, in file order. Throws a
 * MatFormatError, with the byte offset, on anything malformed or outside
 * what this reader handles.
 */
export async function readMat(
  bytes: Uint8Array,
): Promise<Map<string, MatValue>> {
  const littleEndian = readHeader(bytes);
  const file = source(bytes, littleEndian, (offset) => `byte ${offset}`);
  const variables = new Map<string, MatValue>();
  let pos = HEADER_BYTES;
  while (pos < bytes.length) {
    // Top-level elements are not padded: the next one starts right after.
    const element = readElement(file, pos, false);
    if (element.type === MI.compressed) {
      const inner = await inflateVariable(file, element);
      addVariable(variables, inner, readElement(inner, 0, false));
    } else {
      addVariable(variables, file, element);
    }
    pos = element.next;
  }
  return variables;
}

function readHeader(bytes: Uint8Array): boolean {
  if (bytes.length < HEADER_BYTES) {
    fail(
      `expected a MAT-file header of ${HEADER_BYTES} bytes, ` +
        `found a file of ${bytes.length} bytes`,
    );
  }
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, 116));
  const marker = String.fromCharCode(bytes[126]!, bytes[127]!);
  const version = bytes[124]! | (bytes[125]! << 8);
  if (text.startsWith('MATLAB 7.3')) {
    fail('expected a MATLAB 5 MAT-file, found a v7.3 (HDF5) MAT-file');
  }
  if (marker === 'IM' && version === 0x0100) return true;
  if (marker === 'MI' && version === 0x0001) return false;
  fail(
    'expected a MATLAB 5 MAT-file (version 0x0100 and "IM" or "MI" at ' +
      `byte 124), found ${JSON.stringify(marker)} and version bytes ` +
      `${bytes[124]}, ${bytes[125]}`,
  );
}

async function inflateVariable(file: Source, element: Element) {
  const at = file.where(element.start - 8);
  let inflated: Uint8Array;
  try {
    inflated = await inflateBytes(element.data, 'deflate');
  } catch (error) {
    fail(
      `expected zlib-compressed data in the element at ${at}, found ` +
        `data that does not inflate (${(error as Error).message})`,
    );
  }
  return source(
    inflated,
    file.littleEndian,
    (offset) => `byte ${offset} of the inflated element at ${at}`,
  );
}

function addVariable(
  variables: Map<string, MatValue>,
  src: Source,
  element: Element,
): void {
  if (element.type !== MI.matrix) {
    fail(
      `expected a matrix element (type ${MI.matrix}) at ` +
        `${src.where(element.start - 8)}, found type ${element.type}`,
    );
  }
  const { name, value } = readMatrix(src, element, '');
  variables.set(name, value);
}

/** Reads a miMATRIX element; `path` names it in messages. */
function readMatrix(
  src: Source,
  element: Element,
  path: string,
): { name: string; value: MatValue } {
  // An empty element stands for an empty double array (e.g. an unset
  // struct field).
  if (element.data.length === 0) {
    const data = new Float64Array(0);
    const dims = [0, 0];
    const value: MatValue = {
      kind: 'numeric',
      class: 'double',
      ...{ dims, data, isLogical: false },
    };
    return { name: '', value };
  }
  let pos = element.start;
  const end = element.start + element.data.length;
  const sub = () => {
    if (pos >= end) {
      fail(`expected another part of the matrix at ${src.where(pos)}`);
    }
    const e = readElement(src, pos, true);
    pos = e.next;
    return e;
  };
  const flags = readInts(src, sub(), 'array flags');
  const classId = (flags[0] ?? 0) & 0xff;
  const flagBits = ((flags[0] ?? 0) >>> 8) & 0xff;
  const dims = readInts(src, sub(), 'dimensions');
  const name = decodeAscii(sub().data);
  const here = path || name;
  const className = MX_CLASSES[classId] ?? `class ${classId}`;
  const numel = dims.reduce((a, b) => a * b, 1);
  switch (className) {
    case 'cell': {
      const values = Array.from(
        { length: numel },
        (_, i) => readMatrix(src, sub(), `${here}{${i + 1}}`).value,
      );
      return { name, value: { kind: 'cell', dims, values } };
    }
    case 'struct':
      return { name, value: readStruct(src, sub, dims, numel, here) };
    case 'char':
      return { name, value: readChar(src, sub(), dims, numel, here) };
    case 'double':
    case 'single':
    case 'int8':
    case 'uint8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
    case 'int64':
    case 'uint64': {
      const data = readNumbers(src, sub(), numel, here);
      const isLogical = (flagBits & FLAG_LOGICAL) !== 0;
      const value: MatValue = {
        kind: 'numeric',
        class: className,
        ...{ dims, data, isLogical },
      };
      if (flagBits & FLAG_COMPLEX) {
        value.imag = readNumbers(src, sub(), numel, here);
      }
      return { name, value };
    }
    default:
      fail(
        `expected a numeric, char, cell or struct array in ` +
          `'${here}' at ${src.where(element.start - 8)}, found a ` +
          `${className} array, which this reader does not read`,
      );
  }
}

function readStruct(
  src: Source,
  sub: () => Element,
  dims: number[],
  numel: number,
  path: string,
): MatValue {
  const lengthElement = sub();
  const nameLength = readInts(src, lengthElement, 'field name length')[0];
  const namesElement = sub();
  const raw = namesElement.data;
  if (!nameLength || raw.length % nameLength !== 0) {
    fail(
      `expected field names of ${nameLength} bytes each in '${path}' at ` +
        `${src.where(namesElement.start)}, found ${raw.length} bytes`,
    );
  }
  const fieldNames: string[] = [];
  for (let pos = 0; pos < raw.length; pos += nameLength) {
    fieldNames.push(decodeAscii(raw.subarray(pos, pos + nameLength)));
  }
  const elements = Array.from({ length: numel }, (_, i) => {
    const fields = new Map<string, MatValue>();
    for (const field of fieldNames) {
      const where = `${path}(${i + 1}).${field}`;
      fields.set(field, readMatrix(src, sub(), where).value);
    }
    return fields;
  });
  return { kind: 'struct', dims, fieldNames, elements };
}

function readChar(
  src: Source,
  element: Element,
  dims: number[],
  numel: number,
  path: string,
): MatValue {
  // MATLAB counts chars in UTF-16 code units, whatever the encoding.
  const text = decodeText(src, element, path);
  if (text.length !== numel) {
    fail(
      `expected ${numel} characters in '${path}' at ` +
        `${src.where(element.start)}, found ${text.length}`,
    );
  }
  const numRows = dims[0] ?? 0;
  const numCols = numRows === 0 ? 0 : numel / numRows;
  const strings = Array.from({ length: numRows }, (_, row) => {
    let line = '';
    for (let col = 0; col < numCols; col++) line += text[row + col * numRows];
    return line;
  });
  return { kind: 'char', dims, strings };
}
