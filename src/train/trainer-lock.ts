// One trainer per origin. The tab whose Worker trains holds a Web Lock for
// the whole run; the browser frees it when the run ends and also when the
// tab closes or crashes, so no tab waits on one that is gone. Browsers
// without the Web Locks API train without it, as before.

export const TRAINER_LOCK = 'recipe-lab-trainer';

/**
 * How long a start waits for the lock: long enough for tabs that only
 * watched it (see whenTrainerFree) to let go, short enough that a click
 * during another tab's run is refused at once.
 */
const ACQUIRE_WAIT_MS = 1_000;

type Locks = LockManager | undefined;

const browserLocks = (): Locks => globalThis.navigator?.locks;

/**
 * Takes the lock: resolves with the function that releases it, or with
 * null when another tab holds it (a run is training there).
 */
export function takeTrainerLock(
  locks: Locks = browserLocks(),
): Promise<(() => void) | null> {
  if (!locks) return Promise.resolve(() => {});
  return new Promise((resolve, reject) => {
    const signal = AbortSignal.timeout(ACQUIRE_WAIT_MS);
    locks
      .request(TRAINER_LOCK, { signal }, () => {
        // Held until the promise the callback returns settles.
        return new Promise<void>((release) => resolve(release));
      })
      .catch((error: unknown) => {
        // The timeout's reason, or AbortError in older browsers.
        const name = error instanceof DOMException ? error.name : '';
        if (name === 'TimeoutError' || name === 'AbortError') {
          resolve(null);
        } else reject(error instanceof Error ? error : new Error(`${error}`));
      });
  });
}

/** Whether some tab trains now, this one included. */
export async function isTrainerLockHeld(
  locks: Locks = browserLocks(),
): Promise<boolean> {
  if (!locks) return false;
  const { held = [] } = await locks.query();
  // Tabs that only wait for it to come free hold it shared, briefly.
  return held.some((l) => l.name === TRAINER_LOCK && l.mode === 'exclusive');
}

/**
 * Resolves once no tab holds the lock; at once when none does. A shared
 * request waits behind the holder and is let go as soon as it is granted.
 */
export async function whenTrainerFree(
  locks: Locks = browserLocks(),
): Promise<void> {
  if (!locks) return;
  await locks.request(TRAINER_LOCK, { mode: 'shared' }, () => undefined);
}
