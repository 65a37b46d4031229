import { describe, expect, test } from 'vitest';
import {
  csvRecords,
  parseBoxCsv,
  parseNamesCsv,
} from '../../../src/data/formats/csv';

describe('csvRecords', () => {
  test('quotes protect commas, line breaks and quotes', () => {
    const text = 'a,"b,c"\r\n"say ""hi""",x\n"two\nlines",y\n\n';
    expect(csvRecords(text)).toEqual([
      { line: 1, fields: ['a', 'b,c'] },
      { line: 2, fields: ['say "hi"', 'x'] },
      { line: 3, fields: ['two\nlines', 'y'] },
    ]);
  });

  test('a byte-order mark and a missing last line break', () => {
    expect(csvRecords('\uFEFFa,b\nc,d')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', 'd'] },
    ]);
  });
});

describe('parseBoxCsv', () => {
  test("Kaggle's anno_train.csv: no header, class last", () => {
    const text = '00001.jpg,39,116,569,375,14\n00002.jpg,36,116,868,587,3\n';
    expect(parseBoxCsv(text)).toEqual({
      rows: [
        {
          line: 1,
          fname: '00001.jpg',
          x1: 39,
          y1: 116,
          x2: 569,
          y2: 375,
          classId: 14,
        },
        {
          line: 2,
          fname: '00002.jpg',
          x1: 36,
          y1: 116,
          x2: 868,
          y2: 587,
          classId: 3,
        },
      ],
      errors: [],
    });
  });

  test('bad rows are errors with their line; the rest is read', () => {
    const text = 'a.jpg,1,2,x,4,1\n\nb.jpg,1,2\nc.jpg,1,1,5,5\n,1,1,2,2\n';
    expect(parseBoxCsv(text)).toEqual({
      rows: [{ line: 4, fname: 'c.jpg', x1: 1, y1: 1, x2: 5, y2: 5 }],
      errors: [
        { line: 1, reason: 'expected a number for x2, got "x"' },
        {
          line: 3,
          reason:
            'expected fname,x1,y1,x2,y2 and optionally class, got 3 fields',
        },
        { line: 5, reason: 'expected a file name, got none' },
      ],
    });
  });

  test('a header names the columns in any order', () => {
    const text = 'label,image,xmin,ymin,xmax,ymax\n2,a/b.jpg,1,2,3,4\n';
    expect(parseBoxCsv(text).rows).toEqual([
      { line: 2, fname: 'a/b.jpg', x1: 1, y1: 2, x2: 3, y2: 4, classId: 2 },
    ]);
  });

  test('a header without box columns is refused by name', () => {
    expect(() => parseBoxCsv('file,a,b,c,d\nx.jpg,1,2,3,4\n')).toThrow(
      'expected a header naming x1, y1, x2, y2 (e.g. fname,x1,y1,x2,y2,class), got "file,a,b,c,d"',
    );
  });
});

describe('parseNamesCsv', () => {
  test('one name a line, quoted or not, slashes kept', () => {
    const text =
      'AM General Hummer SUV 2000\n"Ram C/V Cargo Van Minivan 2012"\r\n';
    expect(parseNamesCsv(text)).toEqual([
      'AM General Hummer SUV 2000',
      'Ram C/V Cargo Van Minivan 2012',
    ]);
  });

  test('"id,name" lines give the name', () => {
    expect(parseNamesCsv('1,Audi A4\n2,BMW M3\n')).toEqual([
      'Audi A4',
      'BMW M3',
    ]);
  });

  test('an empty file is refused', () => {
    expect(() => parseNamesCsv('\n\n')).toThrow(
      'expected one class name a line, got an empty file',
    );
  });
});
