import { unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { openDatabase } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";

declare module "vitest" {
  export interface ProvidedContext {
    /** The migrated database each test file copies on PostgreSQL (empty on PGlite). */
    pgTemplate: string;
    /** A file holding the migrated PGlite data directory each test file loads (empty on PostgreSQL). */
    pgliteTemplate: string;
  }
}

const PREFIX = "beacon_template_";

const databaseUrl = (adminUrl: string, name: string) =>
  Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();

/** Whether the process that named a template (its pid is in the name) still runs. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * On PGlite, the same once per run: a migrated data directory written to a file that each test
 * file's database starts from. Test files do not share module state, so a template kept in memory
 * would be made again (initdb and every migration, several seconds) for each file.
 */
async function pgliteTemplate(project: TestProject) {
  const handle = await openDatabase({ engine: "pglite" });
  let dump: Blob;
  try {
    await migrateDatabase(handle);
    dump = await handle.pglite!.dumpDataDir("none");
  } finally {
    await handle.close();
  }
  const file = path.join(
    tmpdir(),
    `beacon-pglite-template-${process.pid}-${Date.now().toString(36)}.tar`,
  );
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  project.provide("pgliteTemplate", file);
  return () => unlink(file).catch(() => {});
}

/**
 * On PostgreSQL (TEST_DATABASE_URL), migrates one template database per run; every test file's
 * database is a copy of it (CREATE DATABASE … TEMPLATE), which is much faster than migrating
 * each. Dropped at the end of the run; one left by a killed run is dropped by the next.
 */
export default async function setup(project: TestProject) {
  project.provide("pgTemplate", "");
  project.provide("pgliteTemplate", "");
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) return pgliteTemplate(project);
  const name = `${PREFIX}${process.pid}_${Date.now().toString(36)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const stale = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like ${`${PREFIX}%`}`;
    for (const { datname } of stale) {
      const pid = Number(datname.slice(PREFIX.length).split("_")[0]);
      if (!alive(pid)) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    }
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const handle = await openDatabase({
    engine: "postgres",
    url: databaseUrl(adminUrl, name),
    max: 1,
  });
  try {
    await migrateDatabase(handle);
  } finally {
    await handle.close();
  }
  project.provide("pgTemplate", name);
  return async () => {
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end({ timeout: 5 });
  };
}
