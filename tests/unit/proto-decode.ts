// A small Protocol Buffers reader for the tests: splits a message into its
// fields without a schema, so a test can check what the writer wrote.

export type FieldValue =
  | { wireType: 0; value: bigint }
  | { wireType: 1; bytes: Uint8Array }
  | { wireType: 2; bytes: Uint8Array }
  | { wireType: 5; bytes: Uint8Array };

export interface Field {
  field: number;
  value: FieldValue;
}

function readVarint(b: Uint8Array, at: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  for (let i = at; i < b.length; i++) {
    value |= BigInt(b[i]! & 0x7f) << shift;
    shift += 7n;
    if ((b[i]! & 0x80) === 0) return [value, i + 1];
  }
  throw new Error(`varint at ${at} runs past the end`);
}

export function decodeFields(b: Uint8Array): Field[] {
  const fields: Field[] = [];
  let at = 0;
  while (at < b.length) {
    const [tag, next] = readVarint(b, at);
    at = next;
    const field = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (wireType === 0) {
      const [value, end] = readVarint(b, at);
      fields.push({ field, value: { wireType, value } });
      at = end;
    } else if (wireType === 2) {
      const [length, start] = readVarint(b, at);
      const end = start + Number(length);
      if (end > b.length) throw new Error(`field ${field} runs past the end`);
      fields.push({
        field,
        value: { wireType, bytes: b.subarray(start, end) },
      });
      at = end;
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      fields.push({
        field,
        value: { wireType, bytes: b.subarray(at, at + size) },
      });
      at += size;
    } else {
      throw new Error(`unknown wire type ${wireType} at ${at}`);
    }
  }
  return fields;
}

/** A schema-less view of one message: typed getters by field number. */
export class Message {
  readonly fields: Field[];

  constructor(bytes: Uint8Array) {
    this.fields = decodeFields(bytes);
  }

  private all(field: number): FieldValue[] {
    return this.fields.filter((f) => f.field === field).map((f) => f.value);
  }

  private bytesOf(field: number): Uint8Array[] {
    return this.all(field).map((v) => {
      if (v.wireType !== 2) throw new Error(`field ${field} is not bytes`);
      return v.bytes;
    });
  }

  /** Varint fields read as signed 64-bit integers. */
  ints(field: number): bigint[] {
    return this.all(field).map((v) => {
      if (v.wireType !== 0) throw new Error(`field ${field} is no varint`);
      return BigInt.asIntN(64, v.value);
    });
  }

  int(field: number): bigint | undefined {
    return this.ints(field)[0];
  }

  /** A packed run of varints (signed 64-bit). */
  packedInts(field: number): bigint[] {
    return this.bytesOf(field).flatMap((b) => {
      const out: bigint[] = [];
      for (let at = 0; at < b.length;) {
        const [v, next] = readVarint(b, at);
        out.push(BigInt.asIntN(64, v));
        at = next;
      }
      return out;
    });
  }

  float(field: number): number | undefined {
    const v = this.all(field)[0];
    if (!v) return undefined;
    if (v.wireType !== 5) throw new Error(`field ${field} is no fixed32`);
    return new DataView(v.bytes.buffer, v.bytes.byteOffset).getFloat32(0, true);
  }

  strings(field: number): string[] {
    return this.bytesOf(field).map((b) => new TextDecoder().decode(b));
  }

  string(field: number): string | undefined {
    return this.strings(field)[0];
  }

  bytes(field: number): Uint8Array | undefined {
    return this.bytesOf(field)[0];
  }

  messages(field: number): Message[] {
    return this.bytesOf(field).map((b) => new Message(b));
  }

  message(field: number): Message {
    const m = this.messages(field)[0];
    if (!m) throw new Error(`no field ${field}`);
    return m;
  }
}
