// `ladder`: trains the cumulative recipes of a list of steps, each with
// several seeds, one after another in the same page, and reports the
// table the study's chart draws. Written against the Lab interface, as the
// other commands are.
import {
  ladderCsv,
  ladderReport,
  ladderTitle,
  planLadder,
  type LadderRow,
  type LadderRun,
  type RungResult,
} from '../../src/recipe/ladder';
import { ladderSvg } from '../../src/recipe/ladder-chart';
import type { Command } from './args';
import { runTrain, type Io } from './commands';
import { formatPercent } from './output';
import type { Lab } from './page-api';

export type LadderCommand = Extract<Command, { kind: 'ladder' }>;

function signed(fraction: number | null): string {
  if (fraction === null) return '';
  const points = (100 * fraction).toFixed(2);
  return fraction >= 0 ? `+${points}` : points;
}

/** The table as aligned text lines, one per rung. */
export function formatLadder(rows: readonly LadderRow[]): string[] {
  const head =
    'rung                 kind    mean top-1  spread  vs parent  vs base';
  return [
    head,
    ...rows.map(
      (r) =>
        `${r.name.padEnd(20)} ${r.kind.padEnd(7)} ` +
        `${formatPercent(r.mean).padStart(10)}  ` +
        `${(100 * r.std).toFixed(2).padStart(6)}  ` +
        `${signed(r.gainOverParent).padStart(9)}  ` +
        `${signed(r.gainOverBase).padStart(7)}`,
    ),
  ];
}

/** A path beside the JSON report's: out.json -> out.csv, out.svg. */
export function besideJson(jsonPath: string, extension: string): string {
  return /\.json$/i.test(jsonPath)
    ? jsonPath.replace(/\.json$/i, `.${extension}`)
    : `${jsonPath}.${extension}`;
}

export async function runLadder(
  lab: Lab,
  command: LadderCommand,
  io: Io,
): Promise<LadderRow[]> {
  const plan = planLadder({
    base: command.base,
    steps: command.steps,
    rejected: command.rejected,
    pinned: command.pinned,
  });
  const total = plan.length * command.seeds;
  io.out(
    `ladder: ${plan.length} rungs x ${command.seeds} seeds = ${total} ` +
      `runs on ${command.dataset}`,
  );
  const results: RungResult[] = [];
  const runs: LadderRun[] = [];
  for (const rung of plan) {
    for (let i = 0; i < command.seeds; i++) {
      const seed = rung.recipe.seed + i;
      io.out(
        `-- run ${results.length + 1}/${total}: ${rung.name} ` +
          `(${rung.kind}), seed ${seed}`,
      );
      const report = await runTrain(
        lab,
        {
          kind: 'train',
          dataset: command.dataset,
          recipe: { ...rung.recipe, seed },
          jsonPath: null,
          profileDir: command.profileDir,
          killAfterEpoch: null,
          resume: null,
        },
        io,
      );
      results.push({ rung: rung.name, seed, bestValTop1: report.bestValTop1 });
      runs.push({ rung: rung.name, seed, runId: report.runId });
    }
  }

  const report = ladderReport(
    {
      dataset: command.dataset,
      steps: command.steps,
      rejected: command.rejected,
      seeds: command.seeds,
      plan,
      runs,
    },
    results,
  );
  const { rows } = report;
  for (const line of formatLadder(rows)) io.out(line);
  if (command.jsonPath !== null) {
    io.out(`report written to ${await io.writeJson(command.jsonPath, report)}`);
    const csv = besideJson(command.jsonPath, 'csv');
    io.out(`table written to ${await io.writeText(csv, ladderCsv(rows))}`);
    const title = ladderTitle(command.dataset, command.seeds);
    const svg = besideJson(command.jsonPath, 'svg');
    io.out(
      `chart written to ${await io.writeText(svg, ladderSvg(rows, title))}`,
    );
  }
  return rows;
}
