import type { ImportIssue } from '../../data/import/types';

// A long list would bury the page; the rest is a click away.
const SHOWN = 50;

/** Files left out and why, the first SHOWN open, the rest folded. */
export function IssueList({
  title,
  issues,
}: {
  title: string;
  issues: readonly ImportIssue[];
}) {
  const rows = (list: readonly ImportIssue[]) => (
    <ul className="issue-list">
      {list.map((issue, i) => (
        <li key={`${issue.file}-${i}`}>
          <code>{issue.file}</code>: {issue.reason}
        </li>
      ))}
    </ul>
  );
  return (
    <details className="issues" open={issues.length <= 10}>
      <summary>{title}</summary>
      {rows(issues.slice(0, SHOWN))}
      {issues.length > SHOWN && (
        <details>
          <summary>{issues.length - SHOWN} more</summary>
          {rows(issues.slice(SHOWN))}
        </details>
      )}
    </details>
  );
}
