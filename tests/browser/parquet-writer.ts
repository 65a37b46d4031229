// Test-side parquet writer, run in the page or in Node: image rows in the
// shape of the Hugging Face hub's files (an `image` struct of bytes and
// path, an int64 `label`, class names in the "huggingface" metadata).
import { parquetWriteBuffer } from 'hyparquet-writer';

export interface ParquetRowSpec {
  image: Uint8Array;
  label: number;
}

export function writeImageParquet(
  rows: ParquetRowSpec[],
  options: { labelNames?: string[]; rowGroupSize?: number } = {},
): Uint8Array<ArrayBuffer> {
  const features = {
    image: { _type: 'Image' },
    label: { _type: 'ClassLabel', names: options.labelNames },
  };
  const buffer = parquetWriteBuffer({
    columnData: [
      {
        name: 'image',
        data: rows.map((r, i) => ({ bytes: r.image, path: `${i}.jpg` })),
      },
      { name: 'label', data: rows.map((r) => BigInt(r.label)) },
    ],
    schema: [
      { name: 'schema', num_children: 2 },
      { name: 'image', repetition_type: 'OPTIONAL', num_children: 2 },
      { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
      {
        name: 'path',
        type: 'BYTE_ARRAY',
        converted_type: 'UTF8',
        repetition_type: 'OPTIONAL',
      },
      { name: 'label', type: 'INT64', repetition_type: 'OPTIONAL' },
    ],
    rowGroupSize: options.rowGroupSize ?? 1000,
    kvMetadata: options.labelNames
      ? [{ key: 'huggingface', value: JSON.stringify({ info: { features } }) }]
      : [],
  });
  return new Uint8Array(buffer);
}
