import { formatBytes } from '../format';
import { useLab } from '../store';

const PAGE_WEBGPU = {
  checking: 'looking for WebGPU in this page',
  available: 'WebGPU works in this page',
  missing: 'this page has no WebGPU',
  'no-adapter': 'this page has WebGPU but no adapter',
};

/** Where the training runs: the backend the worker chose, and why. */
export function BackendPanel() {
  const info = useLab((s) => s.backend);
  const webGpu = useLab((s) => s.webGpu);
  return (
    <section className="panel" aria-labelledby="backend-title">
      <h2 id="backend-title">Backend</h2>
      {!info ? (
        <p className="muted">
          The training worker picks its backend when a run starts;{' '}
          {PAGE_WEBGPU[webGpu]}.
        </p>
      ) : (
        <>
          <dl className="facts" aria-label="Backend details">
            <dt>Backend</dt>
            <dd data-testid="backend-name">{info.backend}</dd>
            <dt>Adapter</dt>
            <dd>{info.adapter || 'unknown'}</dd>
            <dt>tfjs</dt>
            <dd>{info.tfjsVersion}</dd>
            <dt>Kernels</dt>
            <dd>{info.kernels}</dd>
            {info.maxStorageBufferBindingSize !== null && (
              <>
                <dt>Largest buffer</dt>
                <dd>{formatBytes(info.maxStorageBufferBindingSize)}</dd>
              </>
            )}
          </dl>
          {info.backend !== 'webgpu' && (
            <div className="notice" role="note">
              <p>
                Running on {info.backend}, not WebGPU: training is much slower.
                Why WebGPU was not used:
              </p>
              <ul>
                {info.fallbackReasons.map((reason) => (
                  <li key={reason}>{reason}</li>
                ))}
              </ul>
            </div>
          )}
        </>
      )}
    </section>
  );
}
