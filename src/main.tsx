// The app's entry: builds the stores on the browser's services (the
// ladder's drives the lab's), exposes the automation API, starts the WebGPU
// check and the demo import, connects the augmentation preview to the form,
// the run log to the trainer and this tab to the lab's other tabs, and
// renders the page.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { installAutomation } from './app/automation';
import {
  createBrowserDeps,
  createImportDeps,
  shardOpener,
} from './app/browser-deps';
import { connectTabRelay } from './app/tab-relay';
import { ImportClient } from './data/import/client';
import { ExportClient } from './export/client';
import { openRunDb } from './runs/run-db';
import { TrainerClient } from './train/client';
import { isTrainerLockHeld } from './train/trainer-lock';
import { PreviewClient } from './train/preview/client';
import { App } from './ui/App';
import { createEvalStore, EvalStoreContext } from './ui/eval-store';
import { downloadBlob } from './ui/download';
import { createExportStore, ExportStoreContext } from './ui/export-store';
import { createImportStore, ImportStoreContext } from './ui/import-store';
import { createLadderStore, LadderStoreContext } from './ui/ladder-store';
import {
  connectPreview,
  createPreviewStore,
  PreviewStoreContext,
} from './ui/preview-store';
import { linkSearch, readLink } from './ui/recipe-link';
import { openLinkedCard } from './ui/run-cards';
import {
  connectRunLog,
  createRunsStore,
  RunsStoreContext,
} from './ui/runs-store';
import { createLabStore, LabStoreContext, type LabState } from './ui/store';
import './ui/styles.css';

const trainer = new TrainerClient();
const openShards = shardOpener();
const store = createLabStore(
  createBrowserDeps(trainer, openShards),
  readLink(window.location.search),
);
// The address follows the form, so that copying it shares the recipe.
// The store changes with every batch of trainer events; the form seldom.
const syncAddress = (
  { recipe, draft, trainOn }: LabState,
  previous?: LabState,
) => {
  if (
    previous &&
    recipe === previous.recipe &&
    draft === previous.draft &&
    trainOn === previous.trainOn
  ) {
    return;
  }
  const search = linkSearch(recipe, draft, trainOn);
  if (search !== null && search !== window.location.search) {
    // The fragment stays: it may carry a run card still to be opened.
    const { hash } = window.location;
    window.history.replaceState(window.history.state, '', search + hash);
  }
};
syncAddress(store.getState());
store.subscribe(syncAddress);
const imports = createImportStore(
  createImportDeps(new ImportClient(), openShards),
);
const ladder = createLadderStore(store);
const runs = createRunsStore({
  open: () => openRunDb(),
  now: () => Date.now(),
  userAgent: navigator.userAgent,
  isTrainingElsewhere: () => isTrainerLockHeld(),
});
connectRunLog(store, trainer, runs);
const exportClient = new ExportClient();
const exports = createExportStore({
  exportRun: (runId, format) => exportClient.exportRun(runId, format),
  save: downloadBlob,
});
// Another tab's run shows here while it trains; this tab's, there.
if (typeof BroadcastChannel === 'function') connectTabRelay(store, trainer);
void runs.getState().load();
// A run card link opens the card into the run log, on load and when a
// link is pasted into this tab's address.
void openLinkedCard(runs, window);
window.addEventListener('hashchange', () => void openLinkedCard(runs, window));
// Evaluations run in a Worker of their own, so one can run beside training.
const evaluation = createEvalStore({
  evaluator: new TrainerClient(),
  openShards,
});
const automation = installAutomation(
  window,
  store,
  trainer,
  imports,
  evaluation,
);
const preview = createPreviewStore({
  previewer: new PreviewClient(),
  later: (run, ms) => {
    const timer = setTimeout(run, ms);
    return () => clearTimeout(timer);
  },
});
connectPreview(store, imports, preview);

void store.getState().checkWebGpu();
// Runs a reload or a closed tab stopped are offered for resuming, and so
// is a run of this page that failed or was stopped.
store
  .getState()
  .refreshResumable()
  .catch(() => {});
store.subscribe(({ run, refreshResumable }, previous) => {
  if (run.status === previous.run.status) return;
  if (run.status !== 'failed' && run.status !== 'finished') return;
  refreshResumable().catch(() => {});
});
// A failed import is shown in the error box from the store's state.
store
  .getState()
  .importDemo()
  .catch(() => {})
  // The dataset view lists the demo once it is stored.
  .finally(() =>
    imports
      .getState()
      .refreshDatasets()
      .catch(() => {}),
  );
// Listed at once too, so an interrupted import is offered for resuming
// while the demo is still being stored.
imports
  .getState()
  .refreshDatasets()
  .catch(() => {});

const root = document.getElementById('root');
if (!root) {
  throw new Error('expected an element #root in index.html, found none');
}
createRoot(root).render(
  <StrictMode>
    <LabStoreContext value={store}>
      <ImportStoreContext value={imports}>
        <LadderStoreContext value={ladder}>
          <PreviewStoreContext value={preview}>
            <RunsStoreContext value={runs}>
              <EvalStoreContext value={evaluation}>
                <ExportStoreContext value={exports}>
                  <App onMount={automation.markReady} />
                </ExportStoreContext>
              </EvalStoreContext>
            </RunsStoreContext>
          </PreviewStoreContext>
        </LadderStoreContext>
      </ImportStoreContext>
    </LabStoreContext>
  </StrictMode>,
);
