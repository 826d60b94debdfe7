/**
 * Delay before retry `attempt` (1-based): exponential with full jitter, so many invocations
 * throttled together do not come back in lockstep (AWS Architecture Blog, "Exponential Backoff
 * And Jitter"). Shared by the indexer's bulk retries and the alerts' notification retries.
 */
export function backoffDelay(
  attempt: number,
  { baseMs, maxMs }: { readonly baseMs: number; readonly maxMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}

/** Runs `task` over `inputs` with at most `limit` in flight. */
export async function forEachConcurrently<T>(
  inputs: readonly T[],
  limit: number,
  task: (input: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const input = inputs[next++] as T;
      await task(input);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
}
