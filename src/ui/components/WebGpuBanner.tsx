// Shown when the page finds no usable WebGPU. The training worker checks
// again on its own (a Worker can differ from the page), and the backend
// panel reports what it found.
import { useLab } from '../store';

const WHY = {
  missing: 'This browser does not offer WebGPU.',
  'no-adapter':
    'This browser offers WebGPU but no GPU adapter: WebGPU or hardware ' +
    'acceleration is switched off, or the GPU is blocked.',
};

export function WebGpuBanner() {
  const webGpu = useLab((s) => s.webGpu);
  if (webGpu === 'checking' || webGpu === 'available') return null;
  return (
    <div className="banner banner-warning" role="alert">
      <h2>WebGPU is not available</h2>
      <p>
        {WHY[webGpu]} Training would fall back to a slower backend (WebGL or the
        CPU), many times slower than WebGPU.
      </p>
      <p>
        To train on the GPU, open the lab in a recent Chrome or Edge with
        hardware acceleration turned on (Settings, System). On Linux, Chrome may
        also need to be started with <code>--enable-unsafe-webgpu</code>.
      </p>
    </div>
  );
}
