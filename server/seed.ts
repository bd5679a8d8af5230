import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import {
  componentGroups,
  componentRegions,
  components,
  memberships,
  organizations,
  PLATFORM_SLUG,
  regions,
  users,
  type Role,
} from "@/db/schema";
import { applyDefaultAlertSettings } from "@/lib/alerts/defaults";
import { hashPassword } from "@/lib/auth/password";

export const DEMO_PASSWORD = "beacon-demo-2026";

export const CATALOG = {
  groups: [
    { name: "Core platform", components: ["API", "Dashboard", "Webhooks"] },
    { name: "Voice", components: ["Voice routing", "SIP trunking"] },
    { name: "Messaging", components: ["SMS gateway"] },
    { name: "Billing", components: ["Billing & payments"] },
  ],
  regions: [
    { code: "BOM", name: "Mumbai" },
    { code: "DEL", name: "Delhi" },
    { code: "BLR", name: "Bangalore" },
    { code: "MAA", name: "Chennai" },
    { code: "SIN", name: "Singapore" },
  ],
} as const;

const DESCRIPTIONS: Record<string, string> = {
  API: "REST API for calls, numbers and reports",
  Dashboard: "Web dashboard and mobile apps",
  Webhooks: "Call and event webhooks to customer endpoints",
  "Voice routing": "Inbound and outbound call routing, IVR",
  "SIP trunking": "SIP registration and trunks",
  "SMS gateway": "Transactional and after-call SMS",
  "Billing & payments": "Recharges, invoices, card and UPI payments",
};

export const DEMO_USERS: { org: string; email: string; name: string; role: Role }[] = [
  {
    org: PLATFORM_SLUG,
    email: "admin@beacon.test",
    name: "Priya Platform",
    role: "platform_admin",
  },
  { org: PLATFORM_SLUG, email: "oncall@beacon.test", name: "Omar On-call", role: "responder" },
  {
    org: PLATFORM_SLUG,
    email: "support@beacon.test",
    name: "Sunil Support",
    role: "support_agent",
  },
  { org: "acme", email: "admin@acme.test", name: "Asha Admin", role: "org_admin" },
  { org: "acme", email: "billing@acme.test", name: "Bela Billing", role: "billing_admin" },
  { org: "acme", email: "devops@acme.test", name: "Dev Ops", role: "tech_devops" },
  { org: "acme", email: "support@acme.test", name: "Sam Support", role: "support_manager" },
  { org: "globex", email: "admin@globex.test", name: "Gita Globex", role: "org_admin" },
];

const DEMO_TENANTS = [
  { slug: "acme", name: "Acme Telecom" },
  { slug: "globex", name: "Globex Communications" },
];

export interface SeedResult {
  created: boolean;
  demoUsers: { email: string; role: Role; org: string }[];
}

/**
 * First-start data. The platform organization is always created on an empty database; a demo
 * catalogue, demo tenants and users only when `demo` is set (DEMO_DATA, on by default outside
 * production). Running it again on a seeded database does nothing.
 */
export async function seedDatabase(db: Db, { demo }: { demo: boolean }): Promise<SeedResult> {
  const existing = await db
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.slug, PLATFORM_SLUG));
  if (existing.length > 0) return { created: false, demoUsers: [] };

  const passwordHash = demo ? await hashPassword(DEMO_PASSWORD) : null;

  return db.transaction(async (tx) => {
    const [platform] = await tx
      .insert(organizations)
      .values({ slug: PLATFORM_SLUG, name: "Beacon Cloud Telephony", kind: "platform" })
      .returning();
    // A real install starts with an empty catalogue: platform admins add their own components and
    // regions (Portal → Catalog). The demo gets a cloud-telephony one.
    if (!demo) return { created: true, demoUsers: [] };
    let position = 0;
    for (const [gi, group] of CATALOG.groups.entries()) {
      const [g] = await tx
        .insert(componentGroups)
        .values({ orgId: platform!.id, name: group.name, position: gi })
        .returning();
      await tx.insert(components).values(
        group.components.map((name) => ({
          orgId: platform!.id,
          groupId: g!.id,
          name,
          description: DESCRIPTIONS[name] ?? "",
          position: position++,
        })),
      );
    }
    const regs = await tx
      .insert(regions)
      .values(
        CATALOG.regions.map((r, i) => ({
          orgId: platform!.id,
          code: r.code,
          name: r.name,
          position: i,
        })),
      )
      .returning();
    // Every component runs in every region to start with; platform admins change that in the
    // portal (Catalog).
    const comps = await tx
      .select({ id: components.id })
      .from(components)
      .where(eq(components.orgId, platform!.id));
    await tx
      .insert(componentRegions)
      .values(comps.flatMap((c) => regs.map((r) => ({ componentId: c.id, regionId: r.id }))));

    const orgIds = new Map<string, string>([[PLATFORM_SLUG, platform!.id]]);
    for (const t of DEMO_TENANTS) {
      const [o] = await tx
        .insert(organizations)
        .values({ ...t, kind: "tenant" })
        .returning();
      orgIds.set(t.slug, o!.id);
      await applyDefaultAlertSettings(tx, o!.id);
    }
    for (const u of DEMO_USERS) {
      const [user] = await tx
        .insert(users)
        .values({ email: u.email, name: u.name, passwordHash, emailVerifiedAt: new Date() })
        .returning();
      await tx
        .insert(memberships)
        .values({ orgId: orgIds.get(u.org)!, userId: user!.id, role: u.role });
    }
    return {
      created: true,
      demoUsers: DEMO_USERS.map(({ email, role, org }) => ({ email, role, org })),
    };
  });
}

export function formatDemoCredentials(result: SeedResult): string {
  if (result.demoUsers.length === 0) return "";
  const rows = result.demoUsers.map((u) => `  ${u.email.padEnd(22)} ${u.role.padEnd(16)} ${u.org}`);
  return [
    "Beacon demo data created. Sign in at /signin with any of these (password: " +
      DEMO_PASSWORD +
      "):",
    ...rows,
  ].join("\n");
}
