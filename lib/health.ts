import { sql } from "drizzle-orm";
import type { DbHandle } from "@/db";

export interface Health {
  status: "ok" | "degraded";
  database: { status: "up" | "down"; engine: string; latencyMs?: number; error?: string };
}

export async function checkHealth(getHandle: () => Promise<DbHandle>): Promise<Health> {
  const started = performance.now();
  try {
    const handle = await getHandle();
    await handle.db.execute(sql`select 1`);
    return {
      status: "ok",
      database: {
        status: "up",
        engine: handle.engine,
        latencyMs: Math.round((performance.now() - started) * 10) / 10,
      },
    };
  } catch (e) {
    return {
      status: "degraded",
      database: { status: "down", engine: "unknown", error: (e as Error).message },
    };
  }
}
