import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import postgres from "postgres";
import * as schema from "./schema";

export type Schema = typeof schema;
/** Both engines' clients share this base type, so lib/ code never cares which one it has. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export type Engine = "postgres" | "pglite";

export interface DbHandle {
  db: Db;
  engine: Engine;
  /** postgres.js client (engine "postgres") — for LISTEN/NOTIFY and advisory locks. */
  sql?: postgres.Sql;
  /** Connection string (engine "postgres"), for dedicated connections. */
  url?: string;
  /** PGlite instance (engine "pglite"). */
  pglite?: PGlite;
  close(): Promise<void>;
}

export type OpenOptions =
  { engine: "postgres"; url: string; max?: number } | { engine: "pglite"; dataDir?: string };

export class DataDirBusyError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `The embedded database in ${dataDir} is in use by another Beacon process (pid ${pid}). ` +
        `PGlite allows one process per data directory: stop that process first, ` +
        `or point both at PostgreSQL with DATABASE_URL.`,
    );
    this.name = "DataDirBusyError";
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite has no lock of its own; two processes on one directory corrupt it. A pid file makes a
 * second process (a seed or apikey script while the app runs) fail with a clear message instead.
 */
function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, "beacon.pid");
  try {
    fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    const pid = Number(fs.readFileSync(lockFile, "utf8").trim());
    if (pid && pid !== process.pid && pidAlive(pid)) throw new DataDirBusyError(dataDir, pid);
    fs.writeFileSync(lockFile, String(process.pid));
  }
  const release = () => {
    try {
      if (fs.readFileSync(lockFile, "utf8").trim() === String(process.pid)) fs.unlinkSync(lockFile);
    } catch {
      // already gone
    }
  };
  process.once("exit", release);
  return release;
}

export async function openDatabase(opts: OpenOptions): Promise<DbHandle> {
  if (opts.engine === "postgres") {
    const sql = postgres(opts.url, { max: opts.max ?? 10, onnotice: () => {} });
    const db = drizzlePostgres({ client: sql, schema, casing: "snake_case" }) as unknown as Db;
    return { db, engine: "postgres", sql, url: opts.url, close: () => sql.end({ timeout: 5 }) };
  }
  let release = () => {};
  let pglite: PGlite;
  if (opts.dataDir) {
    const dir = path.resolve(opts.dataDir);
    release = lockDataDir(dir);
    pglite = new PGlite(path.join(dir, "pglite"));
  } else {
    pglite = new PGlite();
  }
  await pglite.waitReady;
  const db = drizzlePglite({ client: pglite, schema, casing: "snake_case" }) as unknown as Db;
  return {
    db,
    engine: "pglite",
    pglite,
    close: async () => {
      await pglite.close();
      release();
    },
  };
}

/** Normalises `db.execute()` results: postgres.js returns an array, PGlite `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
