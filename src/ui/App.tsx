import { useEffect } from 'react';
import { AccuracyChart } from './components/AccuracyChart';
import { AugmentPreview } from './components/AugmentPreview';
import { BackendPanel } from './components/BackendPanel';
import { DatasetPanel } from './components/DatasetPanel';
import { DatasetView } from './components/DatasetView';
import { ElsewhereBanner } from './components/ElsewhereBanner';
import { EpochLog } from './components/EpochLog';
import { ErrorBox } from './components/ErrorBox';
import { EvaluationPanel } from './components/EvaluationPanel';
import { ImportPanel } from './components/ImportPanel';
import { LadderChart } from './components/LadderChart';
import { LadderPanel } from './components/LadderPanel';
import { LossChart } from './components/LossChart';
import { RecipeForm } from './components/RecipeForm';
import { RunsPanel } from './components/RunsPanel';
import { ResumeBanner } from './components/ResumeBanner';
import { StatusLine } from './components/StatusLine';
import { StepCharts } from './components/StepCharts';
import { WebGpuBanner } from './components/WebGpuBanner';
import { WeightsPanel } from './components/WeightsPanel';

/** The whole page. `onMount` fires once the first render is on screen. */
export function App({ onMount }: { onMount?: () => void }) {
  useEffect(() => {
    onMount?.();
  }, [onMount]);

  return (
    <div className="app">
      <header className="app-header">
        <h1>Recipe Lab</h1>
        <p>
          Train image classifiers in the browser, one recipe step at a time.
        </p>
      </header>
      <WebGpuBanner />
      <ErrorBox />
      <ElsewhereBanner />
      <ResumeBanner />
      <main className="layout">
        <div className="column">
          <DatasetPanel />
          <RecipeForm />
          <WeightsPanel />
          <AugmentPreview />
          <LadderPanel />
          <BackendPanel />
          <ImportPanel />
        </div>
        <div className="column column-wide">
          <StatusLine />
          <LossChart />
          <StepCharts />
          <AccuracyChart />
          <EpochLog />
          <RunsPanel />
          <EvaluationPanel />
          <LadderChart />
          <DatasetView />
        </div>
      </main>
    </div>
  );
}
