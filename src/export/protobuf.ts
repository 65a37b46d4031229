// A minimal Protocol Buffers writer: the wire format of
// protobuf.dev/programming-guides/encoding, enough for ONNX models. A
// message is a list of byte parts, so nesting a message (a graph inside a
// model, megabytes of weights inside a graph) appends its parts instead of
// copying them; bytes are joined once, in `finish`.

const enum WireType {
  Varint = 0,
  LengthDelimited = 2,
  Fixed32 = 5,
}

const TWO_POW_64 = 1n << 64n;

export class ProtoWriter {
  private parts: Uint8Array[] = [];
  private pending: number[] = [];
  private size = 0;

  /** Bytes written so far. */
  get byteLength(): number {
    return this.size;
  }

  /** An unsigned varint field (uint32, uint64, enum, bool). */
  uint64(field: number, value: number | bigint): this {
    this.tag(field, WireType.Varint);
    this.varint(checkUnsigned(field, value));
    return this;
  }

  /** A signed int32/int64 field: negatives take ten bytes, as on the wire. */
  int64(field: number, value: number | bigint): this {
    this.tag(field, WireType.Varint);
    this.varint(twosComplement(field, value));
    return this;
  }

  /** A 32-bit float field (wire type 5, little-endian). */
  float(field: number, value: number): this {
    this.tag(field, WireType.Fixed32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.append(bytes);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WireType.LengthDelimited);
    this.varint(BigInt(value.length));
    this.append(value);
    return this;
  }

  /** An embedded message; `message` is not copied and must not change. */
  message(field: number, message: ProtoWriter): this {
    this.tag(field, WireType.LengthDelimited);
    this.varint(BigInt(message.byteLength));
    message.flush();
    for (const part of message.parts) this.append(part);
    return this;
  }

  /** A packed repeated int64 field: one length-delimited run of varints. */
  packedInt64(field: number, values: readonly (number | bigint)[]): this {
    const run = new ProtoWriter();
    for (const v of values) run.varint(twosComplement(field, v));
    // An empty packed field is left out, as protobuf encoders do.
    return run.byteLength === 0 ? this : this.message(field, run);
  }

  /** A packed repeated float field: one run of little-endian floats. */
  packedFloat(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) {
      view.setFloat32(i * 4, values[i]!, true);
    }
    return this.bytes(field, bytes);
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  private tag(field: number, wireType: WireType): void {
    if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) {
      throw new RangeError(
        `expected a field number in 1..536870911, got ${field}`,
      );
    }
    this.varint(BigInt(field) * 8n + BigInt(wireType));
  }

  private varint(value: bigint): void {
    let v = value;
    while (v >= 0x80n) {
      this.pending.push(Number(v & 0x7fn) | 0x80);
      this.size++;
      v >>= 7n;
    }
    this.pending.push(Number(v));
    this.size++;
  }

  private append(bytes: Uint8Array): void {
    this.flush();
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.parts.push(Uint8Array.from(this.pending));
    this.pending = [];
  }
}

function toBigInt(field: number, value: number | bigint): bigint {
  if (typeof value === 'bigint') return value;
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(
      `field ${field}: expected an integer, got ${String(value)}`,
    );
  }
  return BigInt(value);
}

function checkUnsigned(field: number, value: number | bigint): bigint {
  const v = toBigInt(field, value);
  if (v < 0n || v >= TWO_POW_64) {
    throw new RangeError(
      `field ${field}: expected an unsigned 64-bit integer, got ${v}`,
    );
  }
  return v;
}

function twosComplement(field: number, value: number | bigint): bigint {
  const v = toBigInt(field, value);
  if (v < -(1n << 63n) || v >= 1n << 63n) {
    throw new RangeError(
      `field ${field}: expected a signed 64-bit integer, got ${v}`,
    );
  }
  return v < 0n ? v + TWO_POW_64 : v;
}
