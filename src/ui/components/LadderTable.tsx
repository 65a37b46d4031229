import type { LadderRow } from '../../recipe/ladder';
import { formatPercent } from '../format';

const points = (fraction: number) => (100 * fraction).toFixed(2);

function signed(fraction: number | null): string {
  if (fraction === null) return '';
  return `${fraction >= 0 ? '+' : ''}${points(fraction)}`;
}

/** The rows the chart draws, with each seed's value in the title. */
export function LadderTable({ rows }: { rows: readonly LadderRow[] }) {
  if (rows.length === 0) return null;
  return (
    <table className="ladder-table" data-testid="ladder-table">
      <thead>
        <tr>
          <th>Rung</th>
          <th>Kind</th>
          <th>Seeds</th>
          <th>Mean best val top-1</th>
          <th>Spread (sd)</th>
          <th>vs rung below</th>
          <th>vs base</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr
            key={row.name}
            className={`ladder-${row.kind}`}
            data-rung={row.name}
            data-mean={row.mean}
            data-values={row.values.join(' ')}
          >
            <td title={row.title}>{row.name}</td>
            <td>{row.kind}</td>
            <td>{row.seeds.length}</td>
            <td>{formatPercent(row.mean)}</td>
            <td>{points(row.std)}</td>
            <td>{signed(row.gainOverParent)}</td>
            <td>{signed(row.gainOverBase)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
