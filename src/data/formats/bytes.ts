// Byte helpers shared by the readers: joining chunks, draining a stream,
// inflating with the platform's DecompressionStream (browser, Worker and
// Node 20 alike).

/** Joins chunks into one array. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const out = new Uint8Array(length);
  let pos = 0;
  for (const chunk of chunks) {
    out.set(chunk, pos);
    pos += chunk.length;
  }
  return out;
}

/**
 * Reads a stream to its end. Stops and calls `tooLong` (which throws) as
 * soon as more than `maxBytes` came, so a lying size field cannot make us
 * hold an unbounded amount.
 */
export async function readAllBytes(
  stream: ReadableStream<Uint8Array>,
  maxBytes = Infinity,
  tooLong: (numBytes: number) => never = (n) => {
    throw new RangeError(`expected at most ${maxBytes} bytes, got ${n}`);
  },
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.length;
      if (length > maxBytes) {
        await reader.cancel();
        tooLong(length);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return concatBytes(chunks);
}

/** A stream over bytes already in memory. */
export function bytesStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();
}

/** Inflates a whole zlib ('deflate'), raw deflate or gzip buffer. */
export function inflateBytes(
  bytes: Uint8Array,
  format: CompressionFormat,
  maxBytes = Infinity,
): Promise<Uint8Array> {
  return readAllBytes(decompress(bytesStream(bytes), format), maxBytes);
}

/** Pipes a stream through the platform's DecompressionStream. */
export function decompress(
  stream: ReadableStream<Uint8Array>,
  format: CompressionFormat,
): ReadableStream<Uint8Array> {
  // The DOM typings say BufferSource in; Uint8Array chunks are one.
  const inflate = new DecompressionStream(format) as unknown as TransformStream<
    Uint8Array,
    Uint8Array
  >;
  return stream.pipeThrough(inflate);
}
