import type { ImportPlanSummary } from '../../data/import/types';
import { IssueList } from './IssueList';

const count = (n: number) => n.toLocaleString('en-US');

function Existing({ plan }: { plan: ImportPlanSummary }) {
  if (!plan.existing) return null;
  const { name, complete } = plan.existing;
  return (
    <p className="notice" data-testid="import-existing">
      {complete
        ? `Already imported as "${name}": starting imports it again.`
        : `Resumes the incomplete "${name}" where it stopped.`}
    </p>
  );
}

/** What the importer recognised, before anything is stored. */
export function ImportPlanView({ plan }: { plan: ImportPlanSummary }) {
  const { train, val } = plan.planned;
  return (
    <div className="import-plan" data-testid="import-plan">
      <p>
        <strong>{plan.layout}</strong>: {plan.description}
      </p>
      <dl className="facts">
        <dt>Classes</dt>
        <dd>{count(plan.classNames.length)}</dd>
        <dt>Planned</dt>
        <dd>
          {count(train)} training and {count(val)} validation images
          {plan.valFrom === 'hold-out'
            ? ' (validation held out of train)'
            : ' (validation is the test split)'}
        </dd>
        <dt>Cropping</dt>
        <dd>
          {plan.cropped
            ? 'each image is cropped to its bounding box'
            : 'no boxes in this source: images are stored uncropped'}
        </dd>
      </dl>
      {plan.notes.length > 0 && (
        <ul className="import-notes">
          {plan.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
      {plan.skipped.length > 0 && (
        <IssueList
          title={`${count(plan.skipped.length)} problems found while planning`}
          issues={plan.skipped}
        />
      )}
      <Existing plan={plan} />
    </div>
  );
}
