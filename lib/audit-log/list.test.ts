import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { auditLog, organizations } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { authenticateApiKey, createApiKey } from "@/lib/api-keys/keys";
import type { Ctx } from "@/lib/context";
import { ForbiddenError, ValidationError } from "@/lib/errors";
import { auditFilterOptions, listAudit, type AuditRow } from "./list";

let t: TestDb;
let acmeAdmin: Ctx;
let globexAdmin: Ctx;
let platformAdmin: Ctx;
const T0 = new Date("2026-03-01T12:00:00.000Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  acmeAdmin = await ctxFor(t.db, "admin@acme.test");
  globexAdmin = await ctxFor(t.db, "admin@globex.test");
  platformAdmin = await ctxFor(t.db, "admin@beacon.test");
  // Start from a known log: 30 Acme rows (several sharing one instant, to test the tie-break),
  // Globex and platform rows in the same period.
  await t.db.delete(auditLog).where(sql`true`);
  const acme = acmeAdmin.org.id;
  const rows = [];
  for (let i = 0; i < 30; i++) {
    rows.push({
      orgId: acme,
      actorType: i % 3 === 0 ? ("system" as const) : ("user" as const),
      actorId: i % 3 === 0 ? null : acmeAdmin.actor.id!,
      action: i % 2 === 0 ? "member.invited" : "endpoint.enable",
      targetType: "thing",
      targetId: `acme-${i}`,
      data: { n: i, html: "<script>alert(1)</script>" },
      // Rows 10 to 19 all at one instant.
      createdAt: i >= 10 && i < 20 ? at(10) : at(i),
    });
  }
  for (const [ctx, name] of [
    [globexAdmin, "globex"],
    [platformAdmin, "platform"],
  ] as const) {
    for (let i = 0; i < 5; i++) {
      rows.push({
        orgId: ctx.org.id,
        actorType: "user" as const,
        actorId: ctx.actor.id!,
        action: "member.invited",
        targetType: "thing",
        targetId: `${name}-${i}`,
        data: { secret: `${name}-only` },
        createdAt: at(i),
      });
    }
  }
  await t.db.insert(auditLog).values(rows);
});
afterAll(async () => t?.close());

async function all(ctx: Ctx, input: Record<string, unknown> = {}, pageSize = 7) {
  const seen: AuditRow[] = [];
  let after: string | null = null;
  for (let i = 0; i < 100; i++) {
    const page: { entries: AuditRow[]; next: string | null } = await listAudit({
      ctx,
      input: { ...input, limit: pageSize, ...(after ? { after } : {}) },
    });
    seen.push(...page.entries);
    if (!page.next) return seen;
    after = page.next;
  }
  throw new Error("did not end");
}

async function issues(p: Promise<unknown>) {
  return ((await p.catch((e: unknown) => e)) as ValidationError).issues;
}

describe("the audit log", () => {
  it("shows only the organization's own rows, newest first, with actor, action, target, time and details", async () => {
    const acme = await all(acmeAdmin);
    expect(acme).toHaveLength(30);
    expect(new Set(acme.map((r) => r.target.id!.split("-")[0]))).toEqual(new Set(["acme"]));
    for (let i = 1; i < acme.length; i++) {
      const [a, b] = [acme[i - 1]!, acme[i]!];
      expect(a.at >= b.at).toBe(true);
      if (a.at.getTime() === b.at.getTime()) expect(a.id > b.id).toBe(true);
    }
    expect(acme[0]).toMatchObject({
      action: "endpoint.enable",
      actor: {
        type: "user",
        id: acmeAdmin.actor.id,
        label: expect.stringContaining("admin@acme.test"),
      },
      target: { type: "thing", id: "acme-29" },
      at: at(29),
      data: { n: 29, html: "<script>alert(1)</script>" },
    });
    expect(acme.find((r) => r.actor.type === "system")!.actor.label).toBe("Beacon");
    // A platform admin reads the platform's log, not a tenant's; Globex never sees Acme's.
    const platform = await all(platformAdmin);
    expect(platform.map((r) => r.target.id).sort()).toEqual(
      [0, 1, 2, 3, 4].map((i) => `platform-${i}`),
    );
    const globex = await all(globexAdmin);
    expect(JSON.stringify(globex)).not.toContain("acme-");
    expect(JSON.stringify(acme)).not.toContain("globex-only");
  });

  it("pages by (time, id): no row repeats or goes missing, even while rows are written", async () => {
    const everything = (await listAudit({ ctx: acmeAdmin, input: { limit: 200 } })).entries;
    const first = await listAudit({ ctx: acmeAdmin, input: { limit: 12 } });
    expect(first.next).toBe(first.entries[11]!.id);
    // A row written between two pages (newer than all) does not shift the next page.
    await t.db.insert(auditLog).values({
      orgId: acmeAdmin.org.id,
      actorType: "system",
      action: "member.invited",
      targetType: "thing",
      targetId: "acme-late",
      createdAt: at(100),
    });
    const second = await listAudit({ ctx: acmeAdmin, input: { limit: 12, after: first.next } });
    expect(second.entries.map((r) => r.id)).toEqual(everything.slice(12, 24).map((r) => r.id));
    const paged = await all(acmeAdmin, { to: at(50).toISOString() }, 4);
    expect(paged.map((r) => r.id)).toEqual(everything.map((r) => r.id));
    await t.db.delete(auditLog).where(eq(auditLog.targetId, "acme-late"));
    // Another organization's row is no place in this log.
    const [globexRow] = await t.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.orgId, globexAdmin.org.id));
    expect((await listAudit({ ctx: acmeAdmin, input: { after: globexRow!.id } })).entries).toEqual(
      [],
    );
  });

  it("filters by actor, action and time", async () => {
    const system = await all(acmeAdmin, { actor: "system" });
    expect(system).toHaveLength(10);
    expect(system.every((r) => r.actor.type === "system")).toBe(true);
    const byAdmin = await all(acmeAdmin, { actor: acmeAdmin.actor.id });
    expect(byAdmin).toHaveLength(20);
    // Globex's admin as the actor in Acme's log: nothing (and Globex's rows stay out).
    expect(await all(acmeAdmin, { actor: globexAdmin.actor.id })).toEqual([]);

    const invited = await all(acmeAdmin, { action: "member.invited" });
    expect(invited).toHaveLength(15);
    expect(await all(acmeAdmin, { action: "member." })).toHaveLength(15);
    expect(await all(acmeAdmin, { action: "endpoint." })).toHaveLength(15);
    expect(await all(acmeAdmin, { action: "no.such_action" })).toEqual([]);

    const window = await all(acmeAdmin, { from: at(10).toISOString(), to: at(12).toISOString() });
    // Minutes 10 (rows 10 to 19) and 11 (none: row 11 is at minute 10): the end is exclusive.
    expect(window.map((r) => r.target.id).sort()).toEqual(
      [10, 11, 12, 13, 14, 15, 16, 17, 18, 19].map((i) => `acme-${i}`).sort(),
    );
    const combined = await all(acmeAdmin, {
      actor: "system",
      action: "member.invited",
      from: at(20).toISOString(),
    });
    // System rows (every third) that are invitations (every second), from minute 20 on.
    expect(combined.map((r) => r.target.id)).toEqual(["acme-24"]);
  });

  it("names each bad filter", async () => {
    expect(await issues(listAudit({ ctx: acmeAdmin, input: { actor: "bob" } }))).toEqual([
      { field: "actor", message: 'must be a member or API key id, or "system"' },
    ]);
    expect(
      (await issues(listAudit({ ctx: acmeAdmin, input: { action: "DROP TABLE" } })))[0]!.field,
    ).toBe("action");
    expect(await issues(listAudit({ ctx: acmeAdmin, input: { from: "2026-13-45" } }))).toEqual([
      { field: "from", message: "must be a date and time (ISO 8601)" },
    ]);
    expect(await issues(listAudit({ ctx: acmeAdmin, input: { to: "0000-01-01" } }))).toEqual([
      { field: "to", message: "must be between 2000-01-01 and 2100-01-01 (UTC)" },
    ]);
    expect(
      await issues(
        listAudit({
          ctx: acmeAdmin,
          input: { from: at(5).toISOString(), to: at(1).toISOString() },
        }),
      ),
    ).toEqual([{ field: "to", message: "must be after from" }]);
    expect(await issues(listAudit({ ctx: acmeAdmin, input: { after: "x" } }))).toEqual([
      { field: "after", message: "must be an audit row id" },
    ]);
    expect((await issues(listAudit({ ctx: acmeAdmin, input: { limit: "0" } })))[0]!.field).toBe(
      "limit",
    );
    expect(
      (await issues(listAudit({ ctx: acmeAdmin, input: { orgId: "x" } })))[0]!.message,
    ).toMatch(/orgId/);
    // Empty fields (a filter form's "any") are no filter.
    expect(
      (
        await listAudit({
          ctx: acmeAdmin,
          input: { actor: "", action: "", from: "", limit: "200" },
        })
      ).entries,
    ).toHaveLength(30);
  });

  it("needs audit:read: org and platform admins only, people and keys alike", async () => {
    for (const email of [
      "billing@acme.test",
      "devops@acme.test",
      "support@acme.test",
      "oncall@beacon.test",
    ]) {
      const ctx = await ctxFor(t.db, email);
      await expect(listAudit({ ctx, input: {} })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(auditFilterOptions({ ctx })).rejects.toBeInstanceOf(ForbiddenError);
    }
    const { secret } = await createApiKey({
      ctx: acmeAdmin,
      input: { name: "support reader", role: "support_manager" },
    });
    const keyCtx = await authenticateApiKey(t.db, `Bearer ${secret}`);
    await expect(listAudit({ ctx: keyCtx, input: {} })).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("offers the organization's own actors and actions to filter by", async () => {
    const [acme] = await t.db
      .select()
      .from(organizations)
      .where(eq(organizations.id, acmeAdmin.org.id));
    expect(acme).toBeTruthy();
    const options = await auditFilterOptions({ ctx: acmeAdmin });
    expect(options.actions).toEqual(expect.arrayContaining(["endpoint.enable", "member.invited"]));
    expect(options.actors.map((a) => a.value).sort()).toEqual(
      [acmeAdmin.actor.id!, "system"].sort(),
    );
    expect(JSON.stringify(options)).not.toContain("globex");
  });
});
