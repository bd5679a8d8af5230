import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { encode, decode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import type { Db } from "@/db";
import { components, organizations, regions, users } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import type { Ctx } from "@/lib/context";
import { loadUserCtxBriefly } from "@/lib/auth/session-ctx";
import { bumpSessionEpoch, sessionEpochOf } from "@/lib/auth/session-epoch";
import { openIncident } from "@/lib/incidents/open-incident";
import { postUpdate } from "@/lib/incidents/post-update";
import { statusChanged } from "@/lib/status/changes";
import { publicStatusView, tenantStatusView, warmSnapshot } from "@/lib/status/snapshot";
import { pageViewerOf } from "@/lib/status/viewer";
import { fastPathViewer, installStatusFastPath } from "./status-fast-path";

/**
 * The signed-in status page: a tenant member's `/` is answered by the fast path from memory (the
 * public snapshot plus the tenant's own part, rendered once per change and tenant), so the
 * staff of a tenant opening the page during an outage cost no database reads and no renders.
 */
const AUTH_SECRET = "test-only-secret-test-only-secret-0000";
const COOKIE = "authjs.session-token";
const ACME_ONLY = "Acme carrier route withdrawn";
const GLOBEX_ONLY = "Globex SIP registrations failing";

let t: TestDb;
let server: http.Server;
let base: string;
let uninstall: () => void;
let oncall: Ctx;
let acmeIncident: string;
let acmeId: string;
/** What reached the stand-in for Next: one entry per render of `/`. */
const renders: string[] = [];
let nextFails = false;

/** A database that counts what is asked of it and can be made to fail, as one that went away. */
let down = false;
let touched = 0;
let wrapped: Db;

async function cookieFor(email: string, opts: { maxAge?: number; epoch?: number } = {}) {
  const [user] = await t.db.select().from(users).where(eq(users.email, email));
  const token = await encode({
    token: { uid: user!.id, sub: user!.id, epoch: opts.epoch ?? user!.sessionEpoch },
    secret: AUTH_SECRET,
    salt: COOKIE,
    maxAge: opts.maxAge,
  });
  return `theme=dark; ${COOKIE}=${token}`;
}

function get(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
    (resolve, reject) => {
      http
        .get(`${base}${path}`, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({
              status: res.statusCode!,
              headers: res.headers,
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
        })
        .on("error", reject);
    },
  );
}

/**
 * Stands in for Next's `/`, as app/_server/viewer.ts decides who is looking: the viewer the fast
 * path asks for, else the session's.
 */
async function renderPage(req: http.IncomingMessage): Promise<string> {
  const headers = { get: (name: string) => (req.headers[name] as string | undefined) ?? null };
  let asked = fastPathViewer(headers);
  if (!asked) {
    const token = /authjs\.session-token=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
    const session = token
      ? await decode({ token, secret: AUTH_SECRET, salt: COOKIE }).catch(() => null)
      : null;
    const ctx =
      typeof session?.uid === "string"
        ? await loadUserCtxBriefly(wrapped, session.uid, undefined, {
            sessionEpoch: sessionEpochOf(session),
          })
        : null;
    asked = pageViewerOf(ctx);
  }
  const { viewer, signedIn } = asked;
  const view = viewer.viewerOrgId
    ? await tenantStatusView(wrapped, viewer.viewerOrgId)
    : await publicStatusView(wrapped);
  const incidents = view.incidents.map((i) => `${i.title}: ${i.updates[0]?.message}`);
  return `<html>${signedIn ? "Portal" : "Sign in"} | ${incidents.join(" | ")}</html>`;
}

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  wrapped = new Proxy(t.db, {
    get(target, prop, receiver) {
      touched++;
      if (down) {
        throw Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:5432"), {
          code: "ECONNREFUSED",
        });
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  oncall = await ctxFor(t.db, "oncall@beacon.test");
  const orgs = await t.db.select().from(organizations);
  acmeId = orgs.find((o) => o.slug === "acme")!.id;
  const globexId = orgs.find((o) => o.slug === "globex")!.id;
  const api = (await t.db.select().from(components)).find((c) => c.name === "API")!.id;
  const del = (await t.db.select().from(regions)).find((r) => r.code === "DEL")!.id;
  acmeIncident = (
    await openIncident({
      ctx: oncall,
      input: {
        title: ACME_ONLY,
        category: "configurable",
        impact: "major",
        audienceOrgId: acmeId,
        message: "Calls to one carrier fail",
        cells: [{ componentId: api, regionId: del, status: "major_outage" }],
      },
    })
  ).incident.id;
  await openIncident({
    ctx: oncall,
    input: {
      title: GLOBEX_ONLY,
      category: "configurable",
      impact: "critical",
      audienceOrgId: globexId,
      message: "Registrations time out",
    },
  });
  await warmSnapshot(wrapped, "https://status.example.test");
  uninstall = installStatusFastPath({
    db: wrapped,
    baseUrl: "https://status.example.test",
    authSecret: AUTH_SECRET,
  });
  server = http.createServer((req, res) => {
    if (req.url !== "/") {
      res.writeHead(404);
      res.end();
      return;
    }
    renders.push(String(req.headers["x-beacon-viewer"] ?? ""));
    if (nextFails) {
      res.writeHead(500);
      res.end("failed");
      return;
    }
    renderPage(req).then(
      (html) => {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end(html);
      },
      () => {
        res.writeHead(500);
        res.end("failed");
      },
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  down = false;
  uninstall();
  await new Promise((r) => server.close(r));
  await t.close();
});

describe("the signed-in status page on the fast path", () => {
  it("shows a session older than the user's epoch only the public page", async () => {
    const [user] = await t.db.select().from(users).where(eq(users.email, "support@acme.test"));
    await bumpSessionEpoch(t.db, user!.id);
    const stale = await get("/", { cookie: await cookieFor("support@acme.test", { epoch: 0 }) });
    expect(stale.status).toBe(200);
    expect(stale.body).not.toContain(ACME_ONLY);
    const fresh = await get("/", { cookie: await cookieFor("support@acme.test") });
    expect(fresh.body).toContain(ACME_ONLY);
  });

  it("shows a tenant's members their own incidents, and no other tenant's, from one render per tenant", async () => {
    const acme = await get("/", { cookie: await cookieFor("admin@acme.test") });
    expect(acme.status).toBe(200);
    expect(acme.headers["x-beacon-fast-path"]).toBe("1");
    expect(acme.headers["cache-control"]).toBe("private, no-cache");
    expect(acme.headers.vary).toBe("Cookie, Accept-Encoding");
    expect(acme.body).toContain(ACME_ONLY);
    expect(acme.body).not.toContain(GLOBEX_ONLY);
    expect(acme.body).toContain("Portal");
    const rendersForAcme = renders.length;

    // Another Acme member gets the same copy: no second render.
    const devops = await get("/", { cookie: await cookieFor("devops@acme.test") });
    expect(devops.headers["x-beacon-fast-path"]).toBe("1");
    expect(devops.body).toBe(acme.body);
    expect(renders.length).toBe(rendersForAcme);

    const globex = await get("/", { cookie: await cookieFor("admin@globex.test") });
    expect(globex.headers["x-beacon-fast-path"]).toBe("1");
    expect(globex.body).toContain(GLOBEX_ONLY);
    expect(globex.body).not.toContain(ACME_ONLY);

    // Platform staff and anonymous visitors: the public view only.
    const staff = await get("/", { cookie: await cookieFor("admin@beacon.test") });
    expect(staff.headers["x-beacon-fast-path"]).toBe("1");
    expect(staff.body).toContain("Portal");
    const anonymous = await get("/");
    expect(anonymous.headers["x-beacon-fast-path"]).toBe("1");
    expect(anonymous.body).toContain("Sign in");
    for (const page of [staff.body, anonymous.body]) {
      expect(page).not.toContain(ACME_ONLY);
      expect(page).not.toContain(GLOBEX_ONLY);
    }
  });

  it("shows the tenant's posted update at once", async () => {
    const cookie = await cookieFor("support@acme.test");
    expect((await get("/", { cookie })).body).toContain(`${ACME_ONLY}: Calls to one carrier fail`);
    await postUpdate({
      ctx: oncall,
      input: { incidentId: acmeIncident, status: "identified", message: "A carrier withdrew" },
    });
    const after = await get("/", { cookie });
    expect(after.headers["x-beacon-fast-path"]).toBe("1");
    expect(after.body).toContain(`${ACME_ONLY}: A carrier withdrew`);
    expect(after.body).not.toContain(GLOBEX_ONLY);
  });

  it("reads nothing from the database per request, and serves the last good copy in an outage", async () => {
    const cookie = await cookieFor("admin@acme.test");
    const good = (await get("/", { cookie })).body;
    expect(good).toContain(ACME_ONLY);
    touched = 0;
    const before = renders.length;
    for (let i = 0; i < 20; i++) {
      const res = await get("/", { cookie });
      expect(res.headers["x-beacon-fast-path"]).toBe("1");
      expect(res.body).toBe(good);
    }
    expect(touched).toBe(0);
    expect(renders.length).toBe(before);

    down = true;
    try {
      // A change announced by another instance drops the snapshot; every rebuild now fails.
      statusChanged();
      const during = await get("/", { cookie });
      expect(during.status).toBe(200);
      expect(during.body).toBe(good);
      // Even when Next itself cannot render the page, the last good copy answers.
      nextFails = true;
      statusChanged();
      const failing = await get("/", { cookie });
      expect(failing.status).toBe(200);
      expect(failing.headers["x-beacon-fast-path"]).toBe("1");
      expect(failing.body).toBe(good);
      const globex = await get("/", { cookie: await cookieFor("admin@globex.test") });
      expect(globex.body).not.toContain(ACME_ONLY);
    } finally {
      down = false;
      nextFails = false;
    }
  });

  it("sends no cookie to Next for its copies, and Next trusts a named viewer only with the process's token", async () => {
    await get("/", { cookie: await cookieFor("billing@acme.test") });
    expect(renders.every((r) => !r.includes("theme=dark"))).toBe(true);
    const forged = await get("/", {
      "x-beacon-snapshot": "0".repeat(32),
      "x-beacon-viewer": encodeURIComponent(
        JSON.stringify({ viewer: { viewerOrgId: acmeId }, signedIn: true }),
      ),
    });
    expect(forged.headers["x-beacon-fast-path"]).toBeUndefined();
    expect(forged.body).toContain("Sign in");
    expect(forged.body).not.toContain(ACME_ONLY);
  });

  it("leaves a cookie that does not decrypt, or has expired, to Next", async () => {
    const forged = await get("/", { cookie: `${COOKIE}=not-a-session` });
    expect(forged.headers["x-beacon-fast-path"]).toBeUndefined();
    const expired = await get("/", {
      cookie: await cookieFor("admin@acme.test", { maxAge: -60 }),
    });
    expect(expired.headers["x-beacon-fast-path"]).toBeUndefined();
    expect(expired.body).not.toContain(ACME_ONLY);
  });
});
