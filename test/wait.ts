/**
 * Waits until `check` holds, polling every `intervalMs`, and fails after `timeoutMs`. Tests wait
 * for what they expect instead of sleeping a fixed time: the deadline is generous because a busy
 * machine makes things slow, never wrong.
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(`waitFor: still not true after ${opts.timeoutMs ?? 15_000} ms: ${check}`);
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 10));
  }
}
