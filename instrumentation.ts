/**
 * Runs once per server process when Next starts: validates the configuration, then opens the
 * database (in the background, retried until it is reachable), applies migrations and seeds an
 * empty one. Background drivers start once the database is ready.
 *
 * A configuration error ends the process with the message naming the variable: Next swallows an
 * error thrown from register(), which would leave a server answering 500 to everything.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  try {
    const { startServer } = await import("./server/start");
    await startServer();
  } catch (e) {
    if (e instanceof Error && e.name === "EnvError") {
      console.error(`Beacon cannot start. ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
}
