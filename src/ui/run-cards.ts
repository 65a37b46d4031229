// Run cards in the page: sharing a run as a file and a link, and opening
// a card from a file or from the page's address. A card that cannot be
// read is refused with its reason and nothing stored changes.
import { CardError, cardFile, cardOf, parseCard } from '../runs/card';
import {
  cardFragment,
  fragmentPayload,
  readCardFragment,
} from '../runs/card-link';
import type { RunRecord } from '../runs/record';
import type { RunsStore } from './runs-store';

export interface SharedRun {
  runId: string;
  file: { name: string; text: string };
  /** The page's address with the card in its fragment. */
  link: string;
}

/** The page's address less its query and fragment. */
export const pageBase = (location: Pick<Location, 'origin' | 'pathname'>) =>
  `${location.origin}${location.pathname}`;

export async function shareRun(
  record: RunRecord,
  base: string,
): Promise<SharedRun> {
  const card = cardOf(record);
  const fragment = await cardFragment(card);
  return {
    runId: record.runId,
    file: cardFile(card),
    link: `${base}#${fragment}`,
  };
}

function refuse(runs: RunsStore, what: string, error: unknown): void {
  if (!(error instanceof CardError)) throw error;
  runs.getState().refuseCard(`${what}: ${error.message}`);
}

/** Opens a card file someone chose or dropped. */
export async function openCardFile(runs: RunsStore, file: File) {
  try {
    await runs.getState().addShared(parseCard(await file.text()));
  } catch (error) {
    refuse(runs, `The file "${file.name}" is not a run card`, error);
  }
}

/**
 * Opens the card in the page's fragment, if any, then takes it out of the
 * address, so a reload does not open it again.
 */
export async function openLinkedCard(
  runs: RunsStore,
  page: Pick<Window, 'location' | 'history'>,
): Promise<void> {
  const payload = fragmentPayload(page.location.hash);
  if (payload === null) return;
  try {
    await runs.getState().addShared(await readCardFragment(payload));
  } catch (error) {
    refuse(runs, 'The run card in this link could not be opened', error);
  }
  const { pathname, search } = page.location;
  page.history.replaceState(page.history.state, '', `${pathname}${search}`);
}
