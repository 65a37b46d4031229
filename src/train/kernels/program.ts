// The base of the lab's WGSL programs: a flat dispatch of one thread per
// unit of work, 64 to a workgroup, with the thread's index handed to the
// shader's `main(index)`. tfjs's program runner builds the bindings (one
// read-only array per input, `result` for the output) and the uniform
// struct from `uniforms`, whose values the caller passes in that order.
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

const WORKGROUP = 64;

export abstract class LabProgram implements WebGPUProgram {
  abstract variableNames: string[];
  abstract shaderKey: string;
  abstract uniforms: string;
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];

  constructor(outputShape: number[], numThreads: number) {
    this.outputShape = outputShape;
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = [Math.ceil(numThreads / WORKGROUP), 1, 1];
  }

  abstract getUserCode(): string;
}
