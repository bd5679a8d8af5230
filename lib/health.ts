import { sql } from "drizzle-orm";
import type { DbHandle } from "@/db";
import { databaseFailureCause } from "./errors";

export interface Health {
  status: "ok" | "degraded";
  /** `error` is a short cause class, safe for anyone to read; the full error goes to the log. */
  database: { status: "up" | "down"; engine: string; latencyMs?: number; error?: string };
}

/** How long /api/health waits for the database before answering "timed out". */
export const HEALTH_TIMEOUT_MS = 2000;

/** The cause class of a database failure, safe to show anyone (see databaseFailureCause). */
export function databaseCause(error: unknown): string {
  return databaseFailureCause(error) ?? "database unavailable";
}

/** The error on one line, with its code and causes, for the server log. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++) {
    if (e instanceof Error) {
      const code = (e as { code?: unknown }).code;
      parts.push(`${e.name}${code ? ` ${String(code)}` : ""}: ${e.message}`);
      e = e.cause;
    } else {
      parts.push(String(e));
      break;
    }
  }
  return parts.join(" <- ").replace(/\s*\n\s*/g, " ");
}

class HealthTimeoutError extends Error {
  readonly code = "HEALTH_TIMEOUT";
  constructor(ms: number) {
    super(`the database did not answer select 1 within ${ms} ms`);
    this.name = "HealthTimeoutError";
  }
}

/**
 * Opens (or waits for) the database and runs `select 1`, bounded by `timeoutMs`, so a stalled
 * connection makes health say "timed out" instead of hanging. Down: the cause class in the
 * answer, the full error in the log (one line).
 */
export async function checkHealth(
  getHandle: () => Promise<DbHandle>,
  {
    timeoutMs = HEALTH_TIMEOUT_MS,
    log = console.error,
  }: { timeoutMs?: number; log?: (line: string) => void } = {},
): Promise<Health> {
  const started = performance.now();
  let engine = "unknown";
  let timer: NodeJS.Timeout | undefined;
  const probe = (async () => {
    const handle = await getHandle();
    engine = handle.engine;
    await handle.db.execute(sql`select 1`);
    return handle;
  })();
  probe.catch(() => {}); // the loser of the race below may fail later; nobody awaits it then
  try {
    const handle = await Promise.race([
      probe,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new HealthTimeoutError(timeoutMs)), timeoutMs);
      }),
    ]);
    return {
      status: "ok",
      database: {
        status: "up",
        engine: handle.engine,
        latencyMs: Math.round((performance.now() - started) * 10) / 10,
      },
    };
  } catch (e) {
    const cause = databaseCause(e);
    log(`health: database down (${cause}): ${describeError(e)}`);
    return { status: "degraded", database: { status: "down", engine, error: cause } };
  } finally {
    clearTimeout(timer);
  }
}
