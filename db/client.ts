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
  | {
      engine: "postgres";
      url: string;
      max?: number;
      /** Server-side limit on any one statement (statement_timeout), in ms; 0 = none. */
      statementTimeoutMs?: number;
    }
  | { engine: "pglite"; dataDir?: string };

/**
 * Connection limits for PostgreSQL, so a stalled or vanished server fails fast instead of
 * hanging requests: a connection attempt gives up after CONNECT_TIMEOUT_S (a server that accepts
 * and never answers included), an idle connection is closed after IDLE_TIMEOUT_S (so one broken
 * during an outage is not handed out again later), and every connection is replaced after
 * MAX_LIFETIME_S.
 */
export const CONNECT_TIMEOUT_S = 5;
export const IDLE_TIMEOUT_S = 30;
export const MAX_LIFETIME_S = 30 * 60;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000;

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

const heldLocks = new Set<string>();

/**
 * PGlite has no lock of its own; two processes on one directory corrupt it. A pid file makes a
 * second process (a seed or apikey script while the app runs) fail with a clear message instead.
 * The file is created atomically (written aside, then hard-linked into place), so two starters
 * cannot both believe they hold it.
 */
function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, "beacon.pid");
  if (heldLocks.has(lockFile)) {
    throw new Error(`${dataDir} is already open in this process; use the one database handle`);
  }
  const aside = `${lockFile}.${process.pid}.${Date.now()}`;
  fs.writeFileSync(aside, String(process.pid));
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(aside, lockFile);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 20) throw e;
        const pid = Number(fs.readFileSync(lockFile, "utf8").trim());
        if (pid && pidAlive(pid)) throw new DataDirBusyError(dataDir, pid);
        // A stale lock (its process is gone): remove it and race for it again.
        if (pid) fs.rmSync(lockFile, { force: true });
      }
    }
  } finally {
    fs.rmSync(aside, { force: true });
  }
  heldLocks.add(lockFile);
  const release = () => {
    heldLocks.delete(lockFile);
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
    const sql = postgres(opts.url, {
      max: opts.max ?? 10,
      onnotice: () => {},
      connect_timeout: CONNECT_TIMEOUT_S,
      idle_timeout: IDLE_TIMEOUT_S,
      max_lifetime: MAX_LIFETIME_S,
      connection: {
        statement_timeout: opts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      },
    });
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
