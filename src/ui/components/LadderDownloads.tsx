import { ladderCsv, type LadderReport } from '../../recipe/ladder';
import { download } from '../download';

/** The table as CSV and the report as JSON, as `lab ladder --json` writes. */
export function LadderDownloads({ report }: { report: LadderReport }) {
  const empty = report.rows.length === 0;
  return (
    <div className="button-row">
      <button
        type="button"
        disabled={empty}
        onClick={() =>
          download('ladder.csv', ladderCsv(report.rows), 'text/csv')
        }
      >
        Download CSV
      </button>
      <button
        type="button"
        disabled={empty}
        onClick={() =>
          download(
            'ladder.json',
            `${JSON.stringify(report, null, 2)}\n`,
            'application/json',
          )
        }
      >
        Download JSON
      </button>
    </div>
  );
}
