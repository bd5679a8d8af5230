import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { desc, eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import {
  alertRecipients,
  auditLog,
  components,
  inboxItems,
  memberships,
  organizations,
  regions,
  users,
} from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { ACTIONS, ROUTES, type Entry } from "@/test/access-matrix";
import type { Role } from "@/lib/auth/roles";
import { escalateToTier2, raiseTicket } from "@/lib/support/tickets";
import { createPolicy } from "@/lib/oncall/policies";
import type { Ctx } from "@/lib/context";
import { createApiKey } from "@/lib/api-keys/keys";
import { createEndpoint } from "@/lib/alerts/endpoints";
import { addRecipient } from "@/lib/alerts/recipients";
import { inviteMember } from "@/lib/members/invite";
import { createRule } from "@/lib/metrics/rules";
import { createTemplate } from "@/lib/alerts/templates";
import { sendTestAlert } from "@/lib/alerts/test-alert";
import { openIncident } from "@/lib/incidents/open-incident";
import { scheduleMaintenance } from "@/lib/incidents/schedule-maintenance";
import { createComponent, createGroup, createRegion } from "@/lib/catalog/manage";

// Every route handler and server action, called as a plain function by every role, against the
// expected table in test/access-matrix.ts. Routes and actions are found on the file system, so
// one without an entry in the table fails here.
vi.mock("server-only", () => ({}));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));
class Redirected extends Error {
  constructor(readonly to: string) {
    super(`redirect to ${to}`);
  }
}
vi.mock("next/navigation", () => ({
  redirect: (to: string) => {
    throw new Redirected(to);
  },
  forbidden: () => {
    throw new Error("forbidden()");
  },
}));
let t: TestDb;
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
  getDbHandle: async () => t,
}));
let session: { user: { id: string }; orgId?: string } | null = null;
const sessionUpdates: { orgId?: string }[] = [];
vi.mock("@/app/_server/auth", () => ({
  auth: async () => session,
  signIn: async () => {},
  signOut: async () => {},
  unstable_update: async (change: { orgId?: string }) => {
    sessionUpdates.push(change);
  },
}));
// A server action answers { ok: false, error } whatever went wrong; the status of the error it
// mapped tells a refusal (401/403) from a bad input (422) or a missing object (404).
let lastActionErrorStatus: number | undefined;
vi.mock("@/lib/errors", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/errors")>();
  return {
    ...real,
    toActionResult: (e: unknown) => {
      lastActionErrorStatus = e instanceof real.ServiceError ? e.status : 500;
      return real.toActionResult(e);
    },
  };
});

const ROOT = path.resolve(import.meta.dirname, "..");
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
type Caller = Role | "anonymous";
const ROLES: readonly Role[] = [
  "org_admin",
  "billing_admin",
  "tech_devops",
  "support_manager",
  "platform_admin",
  "responder",
  "support_agent",
];
const CALLERS: readonly Caller[] = [...ROLES, "anonymous"];
/** The demo member signed in for each role (Acme for tenant roles, Beacon staff for platform roles). */
const MEMBER: Record<Role, string> = {
  org_admin: "admin@acme.test",
  billing_admin: "billing@acme.test",
  tech_devops: "devops@acme.test",
  support_manager: "support@acme.test",
  platform_admin: "admin@beacon.test",
  responder: "oncall@beacon.test",
  support_agent: "support@beacon.test",
};

function walk(dir: string, name: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((d) => {
    const rel = `${dir}/${d.name}`;
    if (d.isDirectory()) return walk(rel, name);
    return d.name === name ? [rel] : [];
  });
}

/** The handlers a route file exports: `export const GET`, `export async function POST`, `export const { GET, POST }`. */
function exportedMethods(source: string): string[] {
  const found = new Set<string>();
  for (const line of source.split("\n")) {
    const head = /^export\s+(?:async\s+)?(?:const|function|let)\s+([^=(]*)/.exec(line)?.[1];
    if (!head) continue;
    for (const m of METHODS) if (new RegExp(`\\b${m}\\b`).test(head)) found.add(m);
  }
  return [...found];
}

/** "app/api/v1/incidents/[id]/route.ts" → "/api/v1/incidents/[id]" (route groups left out). */
function urlPathOf(file: string): string {
  const segs = path.dirname(file).split("/").slice(1);
  return "/" + segs.filter((s) => !/^\(.*\)$/.test(s)).join("/");
}

const routeFiles = walk("app", "route.ts").sort();
const realRoutes = routeFiles.flatMap((file) =>
  exportedMethods(readFileSync(path.join(ROOT, file), "utf8")).map((method) => ({
    file,
    method,
    urlPath: urlPathOf(file),
    key: `${method} ${urlPathOf(file)}`,
  })),
);
const actionFiles = walk("app", "actions.ts").sort();
const realActions = actionFiles.flatMap((file) =>
  [
    ...readFileSync(path.join(ROOT, file), "utf8").matchAll(
      /^export\s+(?:async\s+)?(?:function|const|let)\s+(\w+)/gm,
    ),
  ].map((m) => ({ file, name: m[1]!, key: `${file}#${m[1]!}` })),
);

const keys = {} as Record<Role, string>;
let globexAdminKey: string;
const userIds: Record<string, string> = {};
let acmeId: string;
let platformAdmin: Ctx;
let acmeAdmin: Ctx;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  for (const u of await t.db.select().from(users)) userIds[u.email] = u.id;
  platformAdmin = await ctxFor(t.db, "admin@beacon.test");
  acmeAdmin = await ctxFor(t.db, "admin@acme.test");
  for (const role of ROLES) {
    const ctx = ["platform_admin", "responder", "support_agent"].includes(role)
      ? platformAdmin
      : acmeAdmin;
    keys[role] = (await createApiKey({ ctx, input: { name: `matrix ${role}`, role } })).secret;
  }
  globexAdminKey = (
    await createApiKey({
      ctx: await ctxFor(t.db, "admin@globex.test"),
      input: { name: "matrix globex", role: "org_admin" },
    })
  ).secret;
  acmeId = (await t.db.select().from(organizations).where(eq(organizations.slug, "acme")))[0]!.id;
});
afterAll(() => t?.close());

function request(method: string, url: string, key?: string): Request {
  const hasBody = !["GET", "HEAD", "DELETE", "OPTIONS"].includes(method);
  return new Request(`http://localhost${url}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(hasBody ? { "content-type": "application/json" } : {}),
    },
    body: hasBody ? "{}" : undefined,
  });
}

type RouteHandler = (
  req: Request,
  ctx: { params: Promise<Record<string, string>> },
) => Promise<Response>;
async function handlerOf(file: string, method: string): Promise<RouteHandler> {
  const mod = (await import(/* @vite-ignore */ path.join(ROOT, file))) as Record<string, unknown>;
  const h = mod[method];
  if (typeof h !== "function") throw new Error(`${file} exports no ${method} handler`);
  return h as RouteHandler;
}

/** Calls a route with minimal input: `[id]` filled in, an empty JSON body, no query. */
async function callRoute(
  r: (typeof realRoutes)[number],
  opts: { key?: string; id?: string },
): Promise<Response> {
  const id = opts.id ?? randomUUID();
  const handler = await handlerOf(r.file, r.method);
  const url = r.urlPath.replace("[id]", id);
  return handler(request(r.method, url, opts.key), {
    params: Promise.resolve<Record<string, string>>(r.urlPath.includes("[id]") ? { id } : {}),
  });
}

describe("the access table covers every route and action", () => {
  it("finds the routes and actions on the file system", () => {
    expect(realRoutes.length).toBeGreaterThan(20);
    expect(realActions.length).toBeGreaterThan(30);
    expect(realRoutes.map((r) => r.key)).toContain("PATCH /api/v1/incidents/[id]");
    expect(realActions.map((a) => a.key)).toContain(
      "app/portal/members/actions.ts#changeRoleAction",
    );
  });

  it("has an entry for every route handler", () => {
    const missing = realRoutes.map((r) => r.key).filter((k) => !(k in ROUTES));
    expect(missing, "add these routes to test/access-matrix.ts").toEqual([]);
  });

  it("has an entry for every exported server action", () => {
    const missing = realActions.map((a) => a.key).filter((k) => !(k in ACTIONS));
    expect(missing, "add these actions to test/access-matrix.ts").toEqual([]);
  });

  it("has no entry for a route or action that is gone", () => {
    const routeKeys = new Set(realRoutes.map((r) => r.key));
    const actionKeys = new Set(realActions.map((a) => a.key));
    expect(Object.keys(ROUTES).filter((k) => !routeKeys.has(k))).toEqual([]);
    expect(Object.keys(ACTIONS).filter((k) => !actionKeys.has(k))).toEqual([]);
  });

  it("every /api/v1 route is authenticated by API key, every /api/portal route by session", () => {
    for (const r of realRoutes) {
      const entry = ROUTES[r.key];
      if (r.urlPath.startsWith("/api/v1/")) expect(entry?.auth, r.key).toBe("apiKey");
      if (r.urlPath.startsWith("/api/portal/")) expect(entry?.auth, r.key).toBe("session");
    }
    for (const a of realActions) {
      if (a.file.startsWith("app/portal/") && a.name !== "signOutAction")
        expect(ACTIONS[a.key]?.auth, a.key).toBe("session");
    }
  });
});

function expectation(entry: Entry, caller: Caller): "allow" | "deny" {
  if (entry.auth === "public") throw new Error("public entries are not role-checked");
  return caller !== "anonymous" && entry.allow.includes(caller) ? "allow" : "deny";
}

describe("routes × roles", () => {
  const checked = realRoutes.filter((r) => ROUTES[r.key] && ROUTES[r.key]!.auth !== "public");

  it.each(checked.map((r) => [r.key, r] as const))("%s", async (_key, r) => {
    const entry = ROUTES[r.key]!;
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const caller of CALLERS) {
      let res: Response;
      if (entry.auth === "apiKey") {
        res = await callRoute(r, { key: caller === "anonymous" ? undefined : keys[caller] });
      } else {
        session = caller === "anonymous" ? null : { user: { id: userIds[MEMBER[caller]]! } };
        try {
          res = await callRoute(r, {});
        } finally {
          session = null;
        }
      }
      const want = expectation(entry, caller);
      const denyStatus = caller === "anonymous" ? 401 : 403;
      expected.push(`${caller}: ${want === "allow" ? "allowed" : denyStatus}`);
      // Allowed: past the permission check (a 4xx for the minimal input is fine, a 5xx is not).
      outcomes.push(
        `${caller}: ${
          res.status === 401 || res.status === 403 || res.status >= 500
            ? res.status
            : want === "allow"
              ? "allowed"
              : `${res.status} (allowed)`
        }`,
      );
    }
    expect(outcomes).toEqual(expected);
  });
});

describe("server actions × roles", () => {
  const checked = realActions.filter((a) => ACTIONS[a.key] && ACTIONS[a.key]!.auth !== "public");

  it.each(checked.map((a) => [a.key, a] as const))("%s", async (_key, a) => {
    const entry = ACTIONS[a.key]!;
    const mod = (await import(/* @vite-ignore */ path.join(ROOT, a.file))) as Record<
      string,
      (...args: unknown[]) => Promise<unknown>
    >;
    const action = mod[a.name]!;
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const caller of CALLERS) {
      session = caller === "anonymous" ? null : { user: { id: userIds[MEMBER[caller]]! } };
      lastActionErrorStatus = undefined;
      let outcome: string;
      try {
        // Minimal input: an empty form (the verb's permission check comes before its input's).
        const form = new FormData();
        const result = (await (action.length === 1 ? action(form) : action(null, form))) as
          { ok?: boolean } | undefined;
        outcome =
          result?.ok === false &&
          (lastActionErrorStatus === 401 ||
            lastActionErrorStatus === 403 ||
            (lastActionErrorStatus ?? 0) >= 500)
            ? String(lastActionErrorStatus)
            : "allowed";
      } catch (e) {
        // A redirect is how some actions end: to sign-in for no session, elsewhere on success.
        if (!(e instanceof Redirected)) throw e;
        outcome = e.to.startsWith("/signin") ? "401" : "allowed";
      } finally {
        session = null;
      }
      const want = expectation(entry, caller);
      expected.push(
        `${caller}: ${want === "allow" ? "allowed" : caller === "anonymous" ? "401" : "403"}`,
      );
      outcomes.push(`${caller}: ${outcome}`);
    }
    expect(outcomes).toEqual(expected);
  });
});

/**
 * Every tenant-owned route with an id in its path: an object of Acme's, addressed with Globex's
 * org-admin key. Fixtures are keyed by the route's path; a new `[id]` route needs one here.
 */
const CROSS_TENANT: Record<string, () => Promise<{ id: string; secret: string }>> = {
  "/api/v1/incidents/[id]": () => acmeIncident(),
  "/api/v1/incidents/[id]/updates": () => acmeIncident(),
  "/api/v1/incidents/[id]/acknowledge": () => acmeIncident(),
  "/api/v1/incidents/[id]/updates/[updateId]": () => acmeIncident(),
  "/api/v1/maintenances/[id]": () => acmeMaintenance(),
  "/api/v1/maintenances/[id]/updates": () => acmeMaintenance(),
  "/api/v1/maintenances/[id]/cancel": () => acmeMaintenance(),
  "/api/v1/endpoints/[id]": async () => {
    const { endpoint } = await createEndpoint({
      ctx: acmeAdmin,
      input: { type: "webhook", name: "acme matrix hook", url: "http://127.0.0.1:9/hook" },
      channelSettings: { allowPrivate: true },
    });
    return { id: endpoint.id, secret: endpoint.name };
  },
  "/api/v1/tickets/[id]": () => acmeTicket(),
  "/api/v1/tickets/[id]/replies": () => acmeTicket(),
  "/api/v1/threshold-rules/[id]": async () => {
    const r = await createRule({
      ctx: acmeAdmin,
      input: { name: "Acme matrix rule", metric: "balance", operator: "<", threshold: 5 },
    });
    return { id: r.id, secret: "Acme matrix rule" };
  },
  // Platform-only routes: Globex's org admin is refused whatever the id (another tenant's own).
  "/api/v1/organizations/[id]": async () => ({ id: acmeId, secret: "Acme Telecom" }),
  "/api/v1/organizations/[id]/invitations": async () => ({ id: acmeId, secret: "Acme Telecom" }),
  // The platform's own catalogue: no tenant may touch it, whatever id it names.
  "/api/v1/components/[id]": async () => {
    const c = await createComponent({
      ctx: platformAdmin,
      input: { name: `matrix component ${randomUUID().slice(0, 8)}` },
    });
    return { id: c.id, secret: c.name };
  },
  "/api/v1/component-groups/[id]": async () => {
    const g = await createGroup({
      ctx: platformAdmin,
      input: { name: `matrix group ${randomUUID().slice(0, 8)}` },
    });
    return { id: g.id, secret: g.name };
  },
  "/api/v1/regions/[id]": async () => {
    const r = await createRegion({
      ctx: platformAdmin,
      input: { code: `M${randomUUID().slice(0, 6)}`, name: "Matrix region" },
    });
    return { id: r.id, secret: r.name };
  },
  "/api/v1/deliveries/[id]": async () => {
    // Test alerts go only to the organization's own addresses: an Acme member's.
    const { deliveryIds } = await sendTestAlert({
      ctx: acmeAdmin,
      input: { channel: "email", to: "billing@acme.test" },
    });
    return { id: deliveryIds[0]!, secret: "billing@acme.test" };
  },
};

async function catalogCell() {
  const [c] = await t.db.select().from(components).where(eq(components.name, "Voice routing"));
  const [r] = await t.db.select().from(regions).where(eq(regions.code, "BOM"));
  return { componentId: c!.id, regionId: r!.id };
}

async function acmeIncident() {
  const { incident } = await openIncident({
    ctx: await ctxFor(t.db, "oncall@beacon.test"),
    input: {
      title: "Acme-only matrix incident",
      category: "configurable",
      impact: "minor",
      audienceOrgId: acmeId,
      message: "Investigating",
      cells: [{ ...(await catalogCell()), status: "degraded_performance" }],
    },
  });
  return { id: incident.id, secret: "Acme-only matrix incident" };
}

async function acmePolicy() {
  return createPolicy({
    ctx: acmeAdmin,
    input: {
      name: `Acme matrix policy ${randomUUID().slice(0, 8)}`,
      tiers: [{ roleGroups: ["org_admin"], timeoutMinutes: 5 }],
    },
  });
}

async function acmeTicket() {
  const ticket = await raiseTicket({
    ctx: acmeAdmin,
    input: {
      subject: "Acme-only matrix ticket",
      description: "Our SMS alerts are late",
      severity: "low",
    },
  });
  return { id: ticket.id, secret: "Acme-only matrix ticket" };
}

async function acmeMaintenance() {
  const start = new Date(Date.now() + 86_400_000);
  const { maintenance } = await scheduleMaintenance({
    ctx: await ctxFor(t.db, "oncall@beacon.test"),
    input: {
      title: "Acme-only matrix maintenance",
      message: "Upgrading",
      audienceOrgId: acmeId,
      scheduledFor: start.toISOString(),
      scheduledUntil: new Date(start.getTime() + 3_600_000).toISOString(),
      cells: [await catalogCell()],
    },
  });
  return { id: maintenance.id, secret: "Acme-only matrix maintenance" };
}

describe("another tenant's ids", () => {
  const idRoutes = realRoutes.filter(
    (r) => r.urlPath.includes("[id]") && ROUTES[r.key]?.auth !== "public",
  );

  it("has a cross-tenant fixture for every route with an id in its path", () => {
    expect(idRoutes.length).toBeGreaterThan(0);
    const missing = [...new Set(idRoutes.map((r) => r.urlPath))].filter((p) => !CROSS_TENANT[p]);
    expect(missing, "add a fixture for these routes to CROSS_TENANT").toEqual([]);
  });

  it.each(idRoutes.map((r) => [r.key, r] as const))("%s", async (_key, r) => {
    const entry = ROUTES[r.key]!;
    const { id, secret } = await CROSS_TENANT[r.urlPath]!();
    const res = await callRoute(r, { key: globexAdminKey, id });
    const text = await res.text();
    expect(text).not.toContain(secret);
    if (entry.auth !== "public" && entry.allow.includes("org_admin")) {
      // An org admin may use this route: for another tenant's object it must be as if it did not exist.
      expect(res.status, text).toBe(404);
      // ...and the owner's own org admin gets past that (the fixture is real).
      const own = await callRoute(r, { key: keys.org_admin, id });
      expect(own.status, await own.text()).not.toBe(404);
    } else {
      // An org admin may not use this route at all: refused, exactly as for an id that does not exist.
      expect(res.status, text).toBe(403);
      const unknown = await callRoute(r, { key: globexAdminKey });
      expect(unknown.status).toBe(403);
    }
  });
});

/**
 * List routes whose query takes a row id (a page cursor, a filter): Acme's ids, sent with
 * Globex's org-admin key, show nothing of Acme's; with Acme's own key they do.
 */
const LIST_CROSS_TENANT: Record<string, () => Promise<{ query: string; secret: string }>> = {
  "GET /api/v1/audit": async () => {
    const secret = `x${randomUUID().slice(0, 8)}@example.test`;
    await inviteMember({ ctx: acmeAdmin, input: { email: secret, role: "billing_admin" } });
    const [row] = await t.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.orgId, acmeId))
      .orderBy(desc(auditLog.createdAt))
      .limit(1);
    return { query: `?after=${row!.id}&actor=${acmeAdmin.actor.id}`, secret };
  },
};

describe("another tenant's ids in list queries", () => {
  it.each(Object.keys(LIST_CROSS_TENANT).map((k) => [k] as const))("%s", async (k) => {
    const r = realRoutes.find((x) => x.key === k)!;
    expect(r, `${k} is a real route`).toBeTruthy();
    const { query, secret } = await LIST_CROSS_TENANT[k]!();
    const handler = await handlerOf(r.file, r.method);
    const call = (key: string, q: string) =>
      handler(request(r.method, `${r.urlPath}${q}`, key), { params: Promise.resolve({}) });
    const theirs = await call(globexAdminKey, query);
    expect(theirs.status).toBe(200);
    expect(await theirs.text()).not.toContain(secret);
    expect(await (await call(globexAdminKey, "")).text()).not.toContain(secret);
    expect(await (await call(keys.org_admin, "")).text()).toContain(secret);
  });
});

/**
 * The same for server actions: every action an org admin may call that reads an id from its form
 * (found in the action's source), run by Globex's org admin on an object of Acme's, must answer
 * "not found". Each gets a fixture here: the form, holding the Acme object's id.
 */
const acmeEndpointId = async () =>
  (
    await createEndpoint({
      ctx: acmeAdmin,
      input: { type: "webhook", name: "acme action hook", url: "http://127.0.0.1:9/hook" },
      channelSettings: { allowPrivate: true },
    })
  ).endpoint.id;
const acmeRecipientId = async () =>
  (
    await addRecipient({
      ctx: acmeAdmin,
      input: {
        channel: "email",
        address: `r${randomUUID().slice(0, 8)}@acme.test`,
        roleGroup: "org_admin",
      },
    })
  ).id;
const acmeMembershipId = async () =>
  (
    await t.db
      .select()
      .from(memberships)
      .where(eq(memberships.userId, userIds["billing@acme.test"]!))
  )[0]!.id;
const acmeRule = async () =>
  createRule({
    ctx: acmeAdmin,
    input: {
      name: `rule ${randomUUID().slice(0, 8)}`,
      metric: "balance",
      operator: "lt",
      threshold: 500,
      category: "billing",
      impact: "major",
    },
  });

const ACTION_CROSS_TENANT: Record<string, () => Promise<Record<string, string>>> = {
  // Switching into an organization the member does not belong to: checked below by the session
  // not changing (the action redirects either way).
  "app/portal/actions.ts#switchOrganization": async () => ({ orgId: acmeId }),
  "app/portal/alerts/actions.ts#removeRecipientAction": async () => ({
    id: await acmeRecipientId(),
  }),
  "app/portal/alerts/actions.ts#clearRecipientMarkAction": async () => ({
    id: await acmeRecipientId(),
  }),
  "app/portal/alerts/actions.ts#updateEndpointAction": async () => ({
    id: await acmeEndpointId(),
    name: "renamed by another tenant",
  }),
  "app/portal/alerts/actions.ts#deleteEndpointAction": async () => ({ id: await acmeEndpointId() }),
  "app/portal/alerts/actions.ts#enableEndpointAction": async () => ({ id: await acmeEndpointId() }),
  "app/portal/alerts/actions.ts#rotateSecretAction": async () => ({ id: await acmeEndpointId() }),
  "app/portal/alerts/actions.ts#sendTestAlertAction": async () => ({
    channel: "webhook",
    endpointId: await acmeEndpointId(),
  }),
  "app/portal/deliveries/actions.ts#resendDeliveryAction": async () => ({
    id: (
      await sendTestAlert({ ctx: acmeAdmin, input: { channel: "email", to: "support@acme.test" } })
    ).deliveryIds[0]!,
  }),
  "app/portal/api-keys/actions.ts#revokeApiKeyAction": async () => ({
    apiKeyId: (await createApiKey({ ctx: acmeAdmin, input: { name: "acme", role: "org_admin" } }))
      .apiKey.id,
  }),
  "app/portal/members/actions.ts#changeRoleAction": async () => ({
    membershipId: await acmeMembershipId(),
    role: "support_manager",
  }),
  "app/portal/members/actions.ts#setGrantsAction": async () => ({
    membershipId: await acmeMembershipId(),
    grants: "alerts:manage",
  }),
  "app/portal/members/actions.ts#removeMemberAction": async () => ({
    membershipId: await acmeMembershipId(),
  }),
  "app/portal/members/actions.ts#revokeInvitationAction": async () => ({
    invitationId: (
      await inviteMember({
        ctx: acmeAdmin,
        input: { email: `i${randomUUID().slice(0, 8)}@example.test`, role: "billing_admin" },
      })
    ).invitation.id,
  }),
  "app/portal/thresholds/actions.ts#deleteRuleAction": async () => ({
    ruleId: (await acmeRule()).id,
  }),
  "app/portal/thresholds/actions.ts#toggleRuleAction": async () => {
    const rule = await acmeRule();
    return {
      ruleId: rule.id,
      name: rule.name,
      metric: rule.metric,
      operator: rule.operator,
      threshold: String(rule.threshold),
      category: rule.category,
      impact: rule.impact,
      enabled: "off",
    };
  },
  "app/portal/support/actions.ts#raiseTicketAction": async () => ({
    subject: "Cross-tenant ticket",
    description: "x",
    severity: "low",
    deliveryId: (
      await sendTestAlert({ ctx: acmeAdmin, input: { channel: "email", to: "support@acme.test" } })
    ).deliveryIds[0]!,
  }),
  "app/portal/support/actions.ts#replyToTicketAction": async () => ({
    id: (await acmeTicket()).id,
    body: "hello",
  }),
  "app/portal/support/actions.ts#markUnsatisfactoryAction": async () => ({
    id: (await acmeTicket()).id,
    reason: "no",
  }),
  "app/portal/support/actions.ts#escalateToTier2Action": async () => ({
    id: (await acmeTicket()).id,
    reason: "late",
  }),
  "app/portal/support/actions.ts#escalateToTier3Action": async () => {
    // A Tier 2 ticket of Acme's, escalable by Acme (its acknowledgement target is long past).
    const t1 = await raiseTicket({
      ctx: acmeAdmin,
      now: new Date(Date.now() - 30 * 86_400_000),
      input: { subject: "Acme old ticket", description: "x", severity: "low" },
    });
    const t2 = await escalateToTier2({ ctx: acmeAdmin, input: { id: t1.id, reason: "late" } });
    return { tier2TicketId: t2.ref, reason: "urgent" };
  },
  "app/portal/support/actions.ts#closeTicketAction": async () => ({ id: (await acmeTicket()).id }),
  // Another tenant's rule is not found, as another tenant's template is.
  "app/portal/templates/actions.ts#createTemplateAction": async () => ({
    channel: "teams",
    body: "{{ alert.title }}",
    thresholdRuleId: (await acmeRule()).id,
  }),
  "app/portal/templates/actions.ts#updateTemplateAction": async () => ({
    id: (await acmeTemplate()).id,
    body: "{{ alert.headline }}",
  }),
  "app/portal/templates/actions.ts#deleteTemplateAction": async () => ({
    id: (await acmeTemplate()).id,
  }),
  "app/portal/oncall/actions.ts#updatePolicyAction": async () => ({
    policyId: (await acmePolicy()).id,
    name: "Renamed by Globex",
    "tier1.roleGroups": "org_admin",
    "tier1.timeoutMinutes": "5",
  }),
  "app/portal/oncall/actions.ts#deletePolicyAction": async () => ({
    policyId: (await acmePolicy()).id,
  }),
  "app/portal/inbox/actions.ts#markReadAction": async () => {
    const [item] = await t.db
      .insert(inboxItems)
      .values({
        orgId: acmeId,
        userId: userIds["admin@acme.test"]!,
        title: "Acme's own",
        body: "x",
      })
      .returning();
    return { id: item!.id };
  },
};

/** A new template of Acme's (SMS, for a rule of its own, so each is unique). */
async function acmeTemplate() {
  return createTemplate({
    ctx: acmeAdmin,
    input: { channel: "sms", body: "{{ alert.title }}", thresholdRuleId: (await acmeRule()).id },
  });
}

/** The fields of a form an action reads that hold an id (`id`, `…Id`), from its source. */
function idFieldsOf(file: string, name: string): string[] {
  const source = readFileSync(path.join(ROOT, file), "utf8");
  const body = source.split(new RegExp(`^export\\s+async\\s+function\\s+${name}\\b`, "m"))[1];
  const own = body?.split(/^export\s/m)[0] ?? "";
  return [...own.matchAll(/\.(?:text|optional|nullable|list)\("(id|\w+Id)"\)/g)]
    .map((m) => m[1]!)
    .filter((f) => f !== "audienceOrgId");
}

describe("another tenant's ids, through server actions", () => {
  const idActions = realActions.filter((a) => {
    const entry = ACTIONS[a.key];
    return (
      entry?.auth === "session" &&
      entry.allow.includes("org_admin") &&
      idFieldsOf(a.file, a.name).length > 0
    );
  });

  it("has a cross-tenant fixture for every org-admin action that takes an id", () => {
    expect(idActions.length).toBeGreaterThan(5);
    const missing = idActions.map((a) => a.key).filter((k) => !ACTION_CROSS_TENANT[k]);
    expect(missing, "add a fixture for these actions to ACTION_CROSS_TENANT").toEqual([]);
  });

  it.each(idActions.map((a) => [a.key, a] as const))("%s", async (_key, a) => {
    const fields = await ACTION_CROSS_TENANT[a.key]!();
    const mod = (await import(/* @vite-ignore */ path.join(ROOT, a.file))) as Record<
      string,
      (prev: unknown, form: FormData) => Promise<{ ok: boolean }>
    >;
    const formWith = (values: Record<string, string>) => {
      const f = new FormData();
      for (const [k, v] of Object.entries(values)) f.set(k, v);
      return f;
    };
    const form = () => formWith(fields);
    session = { user: { id: userIds["admin@globex.test"]! } };
    lastActionErrorStatus = undefined;
    if (a.name === "switchOrganization") {
      sessionUpdates.length = 0;
      const switchTo = (userId: string) => {
        session = { user: { id: userId } };
        return (mod[a.name] as unknown as (form: FormData) => Promise<void>)(form()).catch(
          (e: unknown) => {
            if (!(e instanceof Redirected)) throw e;
          },
        );
      };
      try {
        await switchTo(userIds["admin@globex.test"]!);
        expect(sessionUpdates).toEqual([]);
        await switchTo(userIds["admin@acme.test"]!);
        expect(sessionUpdates).toEqual([{ orgId: acmeId }]);
      } finally {
        session = null;
      }
      return;
    }
    try {
      const res = await mod[a.name]!(null, form());
      if (a.name === "removeRecipientAction") {
        // Removing is idempotent ({ removed: false } for an id it does not find): another
        // tenant's recipient must get exactly the answer an unknown id gets, and stay.
        const unknown = await mod[a.name]!(null, formWith({ id: randomUUID() }));
        expect(res).toEqual(unknown);
        const kept = await t.db
          .select()
          .from(alertRecipients)
          .where(eq(alertRecipients.id, fields.id!));
        expect(kept).toHaveLength(1);
        return;
      }
      if (a.name === "escalateToTier3Action") {
        // The Tier 3 form says why it refuses an ID; another tenant's must read as an unknown one.
        const unknown = await mod[a.name]!(
          null,
          formWith({ ...fields, tier2TicketId: "T2-2026-999999" }),
        );
        expect(res).toEqual(unknown);
        expect(res.ok).toBe(false);
        return;
      }
      expect(res.ok).toBe(false);
      expect(lastActionErrorStatus).toBe(404);
      // ...while Acme's own org admin gets past that (the fixture is real).
      session = { user: { id: userIds["admin@acme.test"]! } };
      lastActionErrorStatus = undefined;
      // (Some actions redirect to what they made.)
      await mod[a.name]!(null, form()).catch((e: unknown) => {
        if (!(e instanceof Redirected)) throw e;
      });
      expect(lastActionErrorStatus).not.toBe(404);
    } finally {
      session = null;
    }
  });
});
