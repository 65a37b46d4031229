import { ladderCsv, type LadderReport } from '../../recipe/ladder';

/** Saves `text` as a file through a temporary link. */
function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  // The click has started the download by the time the next task runs.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

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
