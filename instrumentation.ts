/**
 * Runs once per server process when Next starts: opens the database, applies migrations and
 * seeds an empty one, so the first request does not pay for it. Background drivers start here.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("./server/start");
  await startServer();
}
