import { describe, it } from "vitest";
import { RuleTester } from "eslint";
import tseslint from "typescript-eslint";
import beacon from "./beacon.mjs";

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const tester = new RuleTester({
  languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: "module" },
});

describe("beacon/no-raw-transaction", () => {
  tester.run("no-raw-transaction", beacon.rules["no-raw-transaction"]!, {
    valid: [
      "await withTransaction(ctx, async (tx) => tx.select());",
      "await withTransaction({ db }, (tx) => enqueueNotification(tx, job));",
    ],
    invalid: [
      { code: "await ctx.db.transaction(async (tx) => {});", errors: [{ messageId: "raw" }] },
      { code: "await db.transaction((tx) => f(tx));", errors: [{ messageId: "raw" }] },
    ],
  });
});

const verb = (body: string, before = "") => `${before}
export async function doIt({ ctx, input }: { ctx: Ctx; input: unknown }) {
${body}
}`;

describe("beacon/verb-shape", () => {
  tester.run("verb-shape", beacon.rules["verb-shape"]!, {
    valid: [
      // Guarded and audited.
      verb(`  requirePermission(ctx, "alerts:manage");
  return withTransaction(ctx, async (tx) => {
    await tx.insert(t).values({});
    await recordAudit(tx, ctx, { action: "x", targetType: "y" });
  });`),
      // Another documented guard; an arrow verb.
      `export const doIt = async ({ ctx, input }: { ctx: Ctx; input: unknown }) => {
  requireSubscriberAdmin(ctx);
  await withTransaction(ctx, async (tx) => {
    await tx.delete(t).where(w);
    await recordAudit(tx, ctx, { action: "x", targetType: "y" });
  });
};`,
      // A read-only transaction needs no audit row.
      verb(`  requirePermission(ctx, "alerts:read");
  return withTransaction(ctx, (tx) => tx.select().from(t));`),
      // Map#delete is not a write to the database.
      verb(`  requirePermission(ctx, "alerts:read");
  return withTransaction(ctx, async (tx) => { seen.delete(1); return tx.select().from(t); });`),
      // Explained opt-outs, before the function or inside it.
      verb(
        `  return withTransaction({ db: ctx.db }, async (tx) => {
    await tx.insert(t).values({});
  });`,
        `/**
 * verb-no-permission: the emailed token is the credential
 * verb-no-audit: readings, not a change anyone made
 */`,
      ),
      verb(`  // verb-no-permission: rate-limited public verb, no session
  return withTransaction(ctx, async (tx) => tx.select().from(t));`),
      // Not a verb: no { ctx, input } parameter, or not exported.
      `export async function sweep(db: Db) {
  await withTransaction({ db }, async (tx) => { await tx.delete(t).where(w); });
}`,
      `async function helper({ ctx, input }: { ctx: Ctx; input: unknown }) {
  await withTransaction(ctx, async (tx) => { await tx.delete(t).where(w); });
}`,
      // No transaction: nothing to check here.
      verb(`  return ctx.db.select().from(t);`),
    ],
    invalid: [
      {
        code: verb(`  return withTransaction(ctx, async (tx) => {
    await tx.update(t).set({}).where(w);
    await recordAudit(tx, ctx, { action: "x", targetType: "y" });
  });`),
        errors: [{ messageId: "guard" }],
      },
      {
        // The check must come before the transaction opens.
        code: verb(`  const r = await withTransaction(ctx, async (tx) => tx.select().from(t));
  requirePermission(ctx, "alerts:read");
  return r;`),
        errors: [{ messageId: "guard" }],
      },
      {
        code: verb(`  requirePermission(ctx, "alerts:manage");
  return withTransaction(ctx, async (tx) => {
    await tx.insert(t).values({});
  });`),
        errors: [{ messageId: "audit" }],
      },
      {
        // A writing helper counts as a write.
        code: verb(`  requirePermission(ctx, "incidents:write");
  await withTransaction(ctx, async (tx) => {
    await enqueueNotification(tx, job);
  });`),
        errors: [{ messageId: "audit" }],
      },
      {
        // An audit row written outside the transaction does not count.
        code: verb(`  requirePermission(ctx, "alerts:manage");
  await withTransaction(ctx, async (tx) => { await tx.delete(t).where(w); });
  await recordAudit(ctx.db, ctx, { action: "x", targetType: "y" });`),
        errors: [{ messageId: "audit" }],
      },
      {
        // An opt-out without its reason is itself an error, and opts nothing out.
        code: verb(
          `  return withTransaction(ctx, async (tx) => tx.select().from(t));`,
          "// verb-no-permission:",
        ),
        errors: [{ messageId: "reason" }, { messageId: "guard" }],
      },
      {
        code: `export const doIt = async ({ ctx }: { ctx: Ctx }) =>
  withTransaction(ctx, async (tx) => { await tx.insert(t).values({}); });`,
        errors: [{ messageId: "guard" }, { messageId: "audit" }],
      },
    ],
  });
});
