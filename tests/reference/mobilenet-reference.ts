// Reading what make_mobilenet_expected.py wrote, for the Node and browser
// tests alike: the state dict from its int8 codes and exponents (exact
// float32 values), and inputs from NCHW to the lab's NHWC.
import expectedJson from './mobilenet.json';

export interface MobileNetExpected {
  config: { width: number; numClasses: number; imageSize: number };
  tensors: { name: string; shape: number[]; exp: number }[];
  fullWidthKeys: Record<string, number[]>;
  makeDivisible: [number, number][];
  largestActivation: { width: number; size: number; values: number }[];
  input: number[];
  inputShape: [number, number, number, number];
  evalLogits: number[];
  train: {
    labels: number[];
    loss: number;
    gradNorms: Record<string, number>;
    runningStats: Record<string, number[]>;
  };
}

export const mobilenetExpected = expectedJson as unknown as MobileNetExpected;

export type StateDict = Map<string, { shape: number[]; values: Float32Array }>;

/** The state dict in PyTorch layout from mobilenet-weights.bin's bytes. */
export function decodeStateDict(
  expected: MobileNetExpected,
  bytes: Uint8Array,
): StateDict {
  const codes = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const dict: StateDict = new Map();
  let offset = 0;
  for (const { name, shape, exp } of expected.tensors) {
    const size = shape.reduce((a, b) => a * b, 1);
    const scale = 2 ** exp;
    const values = Float32Array.from(
      codes.subarray(offset, offset + size),
      (q) => q * scale,
    );
    dict.set(name, { shape, values });
    offset += size;
  }
  if (offset !== codes.length) {
    throw new Error(
      `mobilenet-weights.bin: expected ${offset} bytes, got ${codes.length}`,
    );
  }
  return dict;
}

/** The fixed input batch as NHWC values with its NHWC shape. */
export function inputNhwc(expected: MobileNetExpected) {
  const [n, c, h, w] = expected.inputShape;
  const values = new Float32Array(n * h * w * c);
  expected.input.forEach((v, i) => {
    const [b, ch, y, x] = [
      Math.floor(i / (c * h * w)),
      Math.floor(i / (h * w)) % c,
      Math.floor(i / w) % h,
      i % w,
    ];
    values[((b * h + y) * w + x) * c + ch] = v;
  });
  return { values, shape: [n, h, w, c] as [number, number, number, number] };
}
