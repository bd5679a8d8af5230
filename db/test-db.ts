import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import postgres from "postgres";
import { inject } from "vitest";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import * as schema from "./schema";
import { openDatabase, type Db, type DbHandle } from "./client";

/**
 * A throwaway, migrated database for one test file: an in-memory PGlite by default, or a fresh
 * database on the PostgreSQL server named by TEST_DATABASE_URL (dropped again by `close`).
 */
export interface TestDb extends DbHandle {
  db: Db;
}

/**
 * A fresh PGlite from the run's migrated data directory (test/global-setup.ts writes it): loading
 * it takes a fraction of a second where initdb and the migrations take several.
 */
async function freshPglite(): Promise<PGlite> {
  const file = inject("pgliteTemplate");
  if (!file) throw new Error("the run has no PGlite template (test/global-setup.ts makes it)");
  return PGlite.create({ loadDataDir: new Blob([await readFile(file)]) });
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The migrated template database of this run on PostgreSQL (test/global-setup.ts makes it). */
function pgTemplate(): string {
  const name = inject("pgTemplate");
  if (!name) throw new Error("TEST_DATABASE_URL is set but the run has no template database");
  return name;
}

export async function createTestDb(): Promise<TestDb> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const pglite = await freshPglite();
    const db = drizzlePglite({ client: pglite, schema, casing: "snake_case" }) as unknown as Db;
    return { db, engine: "pglite", pglite, close: () => pglite.close() };
  }
  const name = `beacon_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  // The same on PostgreSQL: the run's migrated template, copied by CREATE DATABASE.
  await admin.unsafe(`create database "${name}" template "${pgTemplate()}"`);
  const handle = await openDatabase({
    engine: "postgres",
    url: databaseUrl(adminUrl, name),
    max: 5,
  });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}
