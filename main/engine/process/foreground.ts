/**
 * Searches (Find) in progress in this engine process. A warm-up loads its next session only when none is, so that
 * preparing Generate in the background never holds up a search the user is waiting for.
 */
let running = 0;
const waiters: (() => void)[] = [];

/** Runs `work` as a foreground task: background warm-ups wait between sessions until it has ended. */
export async function inForeground<T>(work: () => Promise<T>): Promise<T> {
  running++;
  try {
    return await work();
  } finally {
    running--;
    if (running === 0) for (const wake of waiters.splice(0)) wake();
  }
}

/**
 * Resolves when no foreground task is running, after letting messages already received start theirs (a search
 * that arrived while a session was being created goes first).
 */
export async function foregroundIdle(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (running === 0) return;
  await new Promise<void>((resolve) => waiters.push(resolve));
}
