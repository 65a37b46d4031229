// Tabs of the lab share one GPU, so only one trains at a time: the one
// holding the trainer lock (src/train/trainer-lock.ts). It relays its
// trainer's events on a BroadcastChannel and answers a joining tab's
// "hello" with the run so far; the other tabs follow the run in their own
// store (src/ui/follow-actions.ts) until the lock is free again, which
// the browser also ensures when the training tab closes or crashes.
import type { TrainerEvent } from '../train/protocol';
import { isTrainerLockHeld, whenTrainerFree } from '../train/trainer-lock';
import type { RunSnapshot } from '../ui/follow-actions';
import {
  applyTrainerEvents,
  isBusy,
  type TrainerSlice,
} from '../ui/run-events';
import type { LabStore, TrainerPort } from '../ui/store';

export const TAB_CHANNEL = 'recipe-lab-trainer';

/**
 * How long a free lock waits before this tab stops following: the last
 * relayed events may still be on their way when the lock comes free.
 */
const END_GRACE_MS = 500;

export type TabMessage =
  | { type: 'hello' }
  | { type: 'run'; snapshot: RunSnapshot }
  | { type: 'event'; event: TrainerEvent };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function connectTabRelay(
  store: LabStore,
  trainer: Pick<TrainerPort, 'subscribe'>,
  channel = new BroadcastChannel(TAB_CHANNEL),
): () => void {
  const post = (message: TabMessage) => channel.postMessage(message);
  // The run as relayed so far, kept here event by event: the store applies
  // events once a frame, and a tab that joins must miss none.
  let relayed: TrainerSlice | null = null;
  const snapshot = (): RunSnapshot => ({
    run: relayed!.run,
    backend: relayed!.backend,
  });
  const isTraining = () =>
    relayed !== null && isBusy(relayed.run.status) && !relayed.run.remote;

  // Trainer events arise only in the tab whose Worker trains. The run's
  // first event announces it with what the store knows of it.
  const unsubscribe = trainer.subscribe((event) => {
    if (event.type === 'state' && event.state === 'starting') {
      const { run, backend } = store.getState();
      relayed = { run, backend, error: null };
    }
    if (!relayed) return;
    relayed = applyTrainerEvents(relayed, [event]);
    if (event.type === 'state' && event.state === 'starting') {
      post({ type: 'run', snapshot: snapshot() });
    }
    // The final weights are megabytes, and only the run log wants them.
    if (event.type !== 'weights') post({ type: 'event', event });
  });

  let watching = false;
  const watchLock = async () => {
    if (watching) return;
    watching = true;
    try {
      // Free, then held again: the same tab started its next run (the
      // ladder does), which its announcement will show.
      do {
        await whenTrainerFree();
        await sleep(END_GRACE_MS);
      } while (await isTrainerLockHeld());
      store.getState().endFollow();
    } finally {
      watching = false;
    }
  };

  let asked = false;
  channel.onmessage = ({ data }: MessageEvent<TabMessage>) => {
    const lab = store.getState();
    if (data.type === 'hello') {
      if (isTraining()) post({ type: 'run', snapshot: snapshot() });
    } else if (data.type === 'run') {
      asked = false;
      lab.followRun(data.snapshot);
      if (store.getState().run.remote) void watchLock();
    } else if (!lab.followEvents([data.event]) && !isTraining() && !asked) {
      // This tab opened after the run's start and before its answer.
      asked = true;
      post({ type: 'hello' });
    }
  };
  post({ type: 'hello' });

  return () => {
    unsubscribe();
    channel.close();
  };
}
