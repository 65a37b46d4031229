// The app's entry: builds the store on the browser's services, exposes the
// automation API, starts the WebGPU check and the demo import, and renders
// the page.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { installAutomation } from './app/automation';
import { createBrowserDeps } from './app/browser-deps';
import { TrainerClient } from './train/client';
import { App } from './ui/App';
import { createLabStore, LabStoreContext } from './ui/store';
import './ui/styles.css';

const trainer = new TrainerClient();
const store = createLabStore(createBrowserDeps(trainer));
const automation = installAutomation(window, store, trainer);

void store.getState().checkWebGpu();
// A failed import is shown in the error box from the store's state.
store
  .getState()
  .importDemo()
  .catch(() => {});

const root = document.getElementById('root');
if (!root) {
  throw new Error('expected an element #root in index.html, found none');
}
createRoot(root).render(
  <StrictMode>
    <LabStoreContext value={store}>
      <App onMount={automation.markReady} />
    </LabStoreContext>
  </StrictMode>,
);
