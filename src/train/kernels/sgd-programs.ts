// WGSL programs of the fused SGD update, one dispatch per tensor for the
// momentum buffer and one for the weight. The maths is PyTorch's
// `torch.optim.SGD` (weight decay added to the gradient, then momentum with
// dampening, then the Nesterov look-ahead); the first step starting from a
// zero buffer equals PyTorch's copy of the gradient when dampening is 0.
import { LabProgram } from './program';

/** buf' = momentum * buf + (1 - dampening) * (grad + weightDecay * w). */
export class SgdBufferProgram extends LabProgram {
  variableNames = ['buf', 'grad', 'w'];
  shaderKey = 'labSgdBuffer';
  uniforms =
    'numThreads : i32, rows : i32, channels : i32, momentum : f32, ' +
    'weightDecay : f32, dampening : f32,';

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index >= uniforms.numThreads) { return; }
        let g = grad[index] + uniforms.weightDecay * w[index];
        result[index] = uniforms.momentum * buf[index] +
            (1.0 - uniforms.dampening) * g;
      }`;
  }
}

/**
 * w' = w - lr * (g + momentum * buf') with Nesterov, else w - lr * buf',
 * where g = grad + weightDecay * w and buf' is the updated buffer.
 */
export class SgdWeightProgram extends LabProgram {
  // A binding the shader does not read is dropped from the pipeline's
  // layout, and binding it anyway is a validation error: without Nesterov
  // the gradient is not an input at all.
  variableNames: string[];
  shaderKey: string;
  uniforms =
    'numThreads : i32, rows : i32, channels : i32, lr : f32, ' +
    'momentum : f32, weightDecay : f32,';

  constructor(
    readonly nesterov: boolean,
    shape: number[],
    size: number,
  ) {
    super(shape, size);
    this.variableNames = nesterov ? ['w', 'grad', 'buf'] : ['w', 'buf'];
    this.shaderKey = `labSgdWeight_${nesterov}`;
  }

  getUserCode(): string {
    const step = this.nesterov
      ? '(grad[index] + uniforms.weightDecay * w[index]) + uniforms.momentum * buf[index]'
      : 'buf[index]';
    return `
      fn main(index : i32) {
        if (index >= uniforms.numThreads) { return; }
        result[index] = w[index] - uniforms.lr * (${step});
      }`;
  }
}
