import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count, eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { seedDatabase, CATALOG, DEMO_USERS } from "./seed";
import {
  componentRegions,
  components,
  memberships,
  organizations,
  regions,
  users,
} from "@/db/schema";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.close());

describe("seedDatabase", () => {
  it("creates the platform catalogue and demo tenants once", async () => {
    const first = await seedDatabase(t.db, { demo: true });
    expect(first.created).toBe(true);
    expect(first.demoUsers).toHaveLength(DEMO_USERS.length);

    const second = await seedDatabase(t.db, { demo: true });
    expect(second).toEqual({ created: false, demoUsers: [] });

    const [platform] = await t.db
      .select()
      .from(organizations)
      .where(eq(organizations.slug, "platform"));
    expect(platform?.kind).toBe("platform");
    const comps = await t.db.select().from(components).where(eq(components.orgId, platform!.id));
    expect(comps.map((c) => c.name).sort()).toEqual(
      CATALOG.groups.flatMap((g) => [...g.components]).sort(),
    );
    const regs = await t.db.select().from(regions).where(eq(regions.orgId, platform!.id));
    expect(regs.map((r) => r.name)).toEqual(
      expect.arrayContaining(["Mumbai", "Delhi", "Bangalore", "Chennai", "Singapore"]),
    );
    // Every component starts out in every region: the matrix's cells are all real.
    const cells = await t.db.select().from(componentRegions);
    expect(cells).toHaveLength(comps.length * regs.length);
    const [acme] = await t.db.select().from(organizations).where(eq(organizations.slug, "acme"));
    expect(acme?.name).toBe("Acme Telecom");
    const roles = await t.db
      .select({ role: memberships.role })
      .from(memberships)
      .where(eq(memberships.orgId, acme!.id));
    expect(roles.map((r) => r.role).sort()).toEqual([
      "billing_admin",
      "org_admin",
      "support_manager",
      "tech_devops",
    ]);
    const [{ n }] = (await t.db.select({ n: count() }).from(users)) as [{ n: number }];
    expect(n).toBe(DEMO_USERS.length);
  });

  it("starts a real install (no demo data) with the platform organization only: no catalogue, no users", async () => {
    const fresh = await createTestDb();
    try {
      expect(await seedDatabase(fresh.db, { demo: false })).toEqual({
        created: true,
        demoUsers: [],
      });
      expect(await fresh.db.select().from(organizations)).toHaveLength(1);
      expect(await fresh.db.select().from(components)).toHaveLength(0);
      expect(await fresh.db.select().from(regions)).toHaveLength(0);
      expect(await fresh.db.select().from(users)).toHaveLength(0);
    } finally {
      await fresh.close();
    }
  });
});
