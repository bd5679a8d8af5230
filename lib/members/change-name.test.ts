import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { auditLog, users } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { createApiKey } from "@/lib/api-keys/keys";
import { authenticateApiKey } from "@/lib/api-keys/keys";
import { ForbiddenError, ValidationError } from "@/lib/errors";
import { changeMyName } from "./change-name";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(async () => t?.close());

async function issues(p: Promise<unknown>) {
  return ((await p.catch((e: unknown) => e)) as ValidationError).issues;
}

describe("changing one's own name", () => {
  it("trims and saves the name, with an audit row of the change", async () => {
    const ctx = await ctxFor(t.db, "support@acme.test");
    const [before] = await t.db.select().from(users).where(eq(users.id, ctx.actor.id!));
    expect(await changeMyName({ ctx, input: { name: "  Samira Support  " } })).toEqual({
      name: "Samira Support",
    });
    const [after] = await t.db.select().from(users).where(eq(users.id, ctx.actor.id!));
    expect(after!.name).toBe("Samira Support");
    const rows = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.actorId, ctx.actor.id!), eq(auditLog.action, "user.renamed")));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      orgId: ctx.org.id,
      targetType: "user",
      targetId: ctx.actor.id,
      data: { from: before!.name, to: "Samira Support" },
    });
  });

  it("names a bad name and keeps the old one", async () => {
    const ctx = await ctxFor(t.db, "billing@acme.test");
    expect(await issues(changeMyName({ ctx, input: { name: "   " } }))).toEqual([
      { field: "name", message: "is required" },
    ]);
    expect(await issues(changeMyName({ ctx, input: { name: "x".repeat(201) } }))).toEqual([
      { field: "name", message: "must be at most 200 characters" },
    ]);
    expect(await issues(changeMyName({ ctx, input: { name: "a\u0000b" } }))).toEqual([
      { field: "name", message: "must not contain NUL characters" },
    ]);
    expect(await issues(changeMyName({ ctx, input: {} }))).toEqual([
      { field: "name", message: "is required" },
    ]);
    const [u] = await t.db.select().from(users).where(eq(users.id, ctx.actor.id!));
    expect(u!.name).toBe(ctx.actor.type === "user" ? ctx.actor.name : "");
  });

  it("is a person's own: an API key has no name to change", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const { secret } = await createApiKey({
      ctx: admin,
      input: { name: "rename key", role: "org_admin" },
    });
    const keyCtx = await authenticateApiKey(t.db, `Bearer ${secret}`);
    await expect(changeMyName({ ctx: keyCtx, input: { name: "Robot" } })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });
});
