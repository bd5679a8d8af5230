import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, type DbHandle } from "./client";
import { migrateDatabase, MIGRATIONS_FOLDER } from "./migrate";
import { rowsOf } from "./client";

/**
 * Data migrations, checked by applying the migrations before one, writing rows as the code of the
 * time did, then applying the rest.
 */

interface Journal {
  entries: { idx: number; tag: string }[];
}

/** A copy of the migrations folder holding only the migrations before `tag`. */
function migrationsBefore(tag: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "beacon-migrations-"));
  cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
  const file = path.join(dir, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(file, "utf8")) as Journal;
  const at = journal.entries.findIndex((e) => e.tag === tag);
  if (at < 0) throw new Error(`no migration ${tag}`);
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(file, JSON.stringify(journal));
  return dir;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A fresh, empty database on the engine the tests run on. */
async function emptyDatabase(): Promise<DbHandle> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const h = await openDatabase({ engine: "pglite" });
    cleanups.push(() => h.close());
    return h;
  }
  const name = `beacon_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const h = await openDatabase({ engine: "postgres", url: url.toString(), max: 2 });
  cleanups.push(async () => {
    await h.close();
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end({ timeout: 5 });
  });
  return h;
}

describe("0013_backfill_endpoint_disabled_at", () => {
  it("records when and why Beacon disabled an endpoint before it stored them, from its audit row", async () => {
    const before = migrationsBefore("0013_backfill_endpoint_disabled_at");
    cleanups.push(() => rmSync(before, { recursive: true, force: true }));
    const h = await emptyDatabase();
    await migrateDatabase(h, before);
    const org = crypto.randomUUID();
    const [gone, failing, byHand, live] = [1, 2, 3, 4].map(() => crypto.randomUUID());
    await h.db.execute(sql`
      insert into organizations (id, name, slug, kind) values (${org}, 'Acme', 'acme', 'tenant')`);
    const endpoint = (id: string, enabled: boolean, reason: string | null) => sql`
      insert into alert_endpoints (id, org_id, type, name, url_encrypted, url_hint, enabled, disabled_reason)
      values (${id}, ${org}, 'webhook', 'hook', 'x', 'hook.example', ${enabled}, ${reason})`;
    await h.db.execute(
      endpoint(gone!, false, "Answered HTTP 410 Gone on 2026-11-30T09:15:42.000Z"),
    );
    await h.db.execute(
      endpoint(
        failing!,
        false,
        "Every delivery has failed since 2026-11-20T00:00:00.000Z (5 days or more)",
      ),
    );
    await h.db.execute(endpoint(byHand!, false, null));
    await h.db.execute(endpoint(live!, true, null));
    const audit = (target: string, at: string) => sql`
      insert into audit_log (org_id, actor_type, action, target_type, target_id, created_at)
      values (${org}, 'system', 'endpoint.disabled', 'alert_endpoint', ${target}, ${at}::timestamptz)`;
    // Disabled once before (and enabled again): the latest row counts.
    await h.db.execute(audit(gone!, "2026-10-01T00:00:00Z"));
    await h.db.execute(audit(gone!, "2026-11-30T09:15:42Z"));
    await h.db.execute(audit(failing!, "2026-11-25T00:00:01Z"));

    await migrateDatabase(h);
    const res = await h.db.execute(sql`
      select id, disabled_at, disabled_cause from alert_endpoints order by disabled_at nulls last`);
    const rows = rowsOf<{
      id: string;
      disabled_at: string | Date | null;
      disabled_cause: string | null;
    }>(res).map((r) => ({
      id: r.id,
      at: r.disabled_at ? new Date(r.disabled_at).toISOString() : null,
      cause: r.disabled_cause,
    }));
    expect(rows.find((r) => r.id === gone)).toEqual({
      id: gone,
      at: "2026-11-30T09:15:42.000Z",
      cause: "gone",
    });
    expect(rows.find((r) => r.id === failing)).toEqual({
      id: failing,
      at: "2026-11-25T00:00:01.000Z",
      cause: "failing",
    });
    // Nothing is made up where nothing was recorded.
    expect(rows.find((r) => r.id === byHand)).toEqual({ id: byHand, at: null, cause: null });
    expect(rows.find((r) => r.id === live)).toEqual({ id: live, at: null, cause: null });
  });
});

describe("0020_backfill_component_regions", () => {
  it("puts every existing component in every region of its own status page, as before", async () => {
    const before = migrationsBefore("0020_backfill_component_regions");
    cleanups.push(() => rmSync(before, { recursive: true, force: true }));
    const h = await emptyDatabase();
    await migrateDatabase(h, before);
    const [page, other] = [crypto.randomUUID(), crypto.randomUUID()];
    const [voice, sms, bom, fra, elsewhere] = [1, 2, 3, 4, 5].map(() => crypto.randomUUID());
    await h.db.execute(sql`
      insert into organizations (id, name, slug, kind) values
        (${page}, 'Beacon', 'beacon', 'platform'), (${other}, 'Acme', 'acme', 'tenant')`);
    await h.db.execute(sql`
      insert into components (id, org_id, name, created_at) values
        (${voice}, ${page}, 'Voice', '2026-01-01T00:00:00Z'),
        (${sms}, ${page}, 'SMS', '2026-03-01T00:00:00Z')`);
    await h.db.execute(sql`
      insert into regions (id, org_id, code, name, created_at) values
        (${bom}, ${page}, 'BOM', 'Mumbai', '2026-02-01T00:00:00Z'),
        (${fra}, ${page}, 'FRA', 'Frankfurt', '2025-01-01T00:00:00Z'),
        (${elsewhere}, ${other}, 'XXX', 'Not this page', '2025-01-01T00:00:00Z')`);

    await migrateDatabase(h);
    const rows = rowsOf<{ component_id: string; region_id: string; created_at: string | Date }>(
      await h.db.execute(sql`select component_id, region_id, created_at from component_regions`),
    ).map((r) => `${r.component_id}:${r.region_id}:${new Date(r.created_at).toISOString()}`);
    expect(rows.sort()).toEqual(
      [
        `${voice}:${bom}:2026-02-01T00:00:00.000Z`,
        `${voice}:${fra}:2026-01-01T00:00:00.000Z`,
        `${sms}:${bom}:2026-03-01T00:00:00.000Z`,
        `${sms}:${fra}:2026-03-01T00:00:00.000Z`,
      ].sort(),
    );
  });
});
