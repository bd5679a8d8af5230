import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { users } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { getAlertSettings } from "@/lib/alerts/settings";

// The server actions run here as plain functions, with the session a test chooses.
vi.mock("server-only", () => ({}));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));
let t: TestDb;
let session: { user: { id: string }; orgId?: string } | null = null;
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
}));
vi.mock("@/app/_server/auth", () => ({ auth: async () => session }));

const { addRecipientAction, removeRecipientAction, saveCategoriesAction } =
  await import("./actions");

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  const [admin] = await t.db.select().from(users).where(eq(users.email, "admin@acme.test"));
  session = { user: { id: admin!.id } };
});
afterAll(async () => t?.close());

function form(fields: Record<string, string>) {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

const addresses = async () =>
  (await getAlertSettings({ ctx: await ctxFor(t.db, "admin@acme.test") })).recipients.map(
    (r) => r.address,
  );

describe("recipient actions", () => {
  it("adds and removes a recipient, answering with the message only", async () => {
    const added = await addRecipientAction(
      null,
      form({ channel: "email", address: "Pager@Acme.test", roleGroup: "tech_devops" }),
    );
    expect(added).toEqual({ ok: true, data: undefined, message: "Recipient added." });
    const view = await getAlertSettings({ ctx: await ctxFor(t.db, "admin@acme.test") });
    const row = view.recipients.find((r) => r.address === "pager@acme.test")!;
    expect(row.roleGroup).toBe("tech_devops");

    const removed = await removeRecipientAction(null, form({ id: row.id }));
    expect(removed).toEqual({ ok: true, data: undefined, message: "Recipient removed." });
    expect(await addresses()).not.toContain("pager@acme.test");
  });

  it("names the field the admin typed into", async () => {
    const res = await addRecipientAction(
      null,
      form({ channel: "sms", address: "call me", roleGroup: "org_admin" }),
    );
    expect(res).toMatchObject({
      ok: false,
      fields: { address: expect.stringMatching(/^must be a phone number in E\.164 form/) },
    });
  });

  it("a settings form reads its checkboxes", async () => {
    const res = await saveCategoriesAction(
      null,
      form({ "category.infrastructure": "on", "category.configurable": "on" }),
    );
    expect(res).toEqual({ ok: true, data: undefined, message: "Categories saved." });
    const view = await getAlertSettings({ ctx: await ctxFor(t.db, "admin@acme.test") });
    expect(view.categories).toEqual({
      infrastructure: true,
      billing: false,
      configurable: true,
      maintenance: false,
    });
  });
});
