import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { createApiKey } from "@/lib/api-keys/keys";
import { invalidateSnapshot, publicDocument } from "@/lib/status/snapshot";

// The route handlers run here as plain functions against this file's own database.
vi.mock("server-only", () => ({}));
let t: TestDb;
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
  getDbHandle: async () => t,
}));

let session: { user: { id: string } } | null = null;
vi.mock("@/app/_server/auth", () => ({
  auth: async () => session,
  signIn: async () => {},
  signOut: async () => {},
}));

const settingsRoute = await import("./route");
const portalLogoRoute = await import("@/app/api/portal/status-page/logo/route");
const logoRoute = await import("./logo/route");
const serveRoute = await import("@/app/status-page-logo/[hash]/route");

let adminKey: string;
let responderKey: string;
let tenantKey: string;
const none = { params: Promise.resolve({}) };
const auth = (key: string) => ({ authorization: `Bearer ${key}` });

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);

const put = (body: unknown, key = adminKey) =>
  settingsRoute.PUT(
    new Request("http://localhost/api/v1/status-page", {
      method: "PUT",
      headers: { ...auth(key), "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    none,
  );
const upload = (body: BodyInit, headers: Record<string, string> = {}, key = adminKey) =>
  logoRoute.PUT(
    new Request("http://localhost/api/v1/status-page/logo", {
      method: "PUT",
      headers: { ...auth(key), ...headers },
      body,
    }),
    none,
  );
const serve = (hash: string, method = "GET") =>
  serveRoute.GET(new Request(`http://localhost/status-page-logo/${hash}`, { method }), {
    params: Promise.resolve({ hash }),
  });
const pageName = async () =>
  JSON.parse(
    (await publicDocument(t.db, "summary.json", { baseUrl: "https://x.test" }))!.body.toString(),
  ).page.name;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  invalidateSnapshot();
  const platformAdmin = await ctxFor(t.db, "admin@beacon.test");
  adminKey = (
    await createApiKey({ ctx: platformAdmin, input: { name: "ops", role: "platform_admin" } })
  ).secret;
  responderKey = (
    await createApiKey({ ctx: platformAdmin, input: { name: "pager", role: "responder" } })
  ).secret;
  tenantKey = (
    await createApiKey({
      ctx: await ctxFor(t.db, "admin@acme.test"),
      input: { name: "acme", role: "org_admin" },
    })
  ).secret;
});
afterAll(async () => {
  await t.close();
});

describe("/api/v1/status-page", () => {
  it("reads and changes the settings; summary.json shows the change at once", async () => {
    expect(await pageName()).toBe("Beacon Cloud Telephony");
    const get = await settingsRoute.GET(
      new Request("http://localhost/api/v1/status-page", { headers: auth(adminKey) }),
      none,
    );
    expect(get.status).toBe(200);
    expect(await get.json()).toMatchObject({ name: null, timeZone: "UTC", logo: null });
    const res = await put({ name: "Acme Voice", brandColor: "#0B3D91", timeZone: "Asia/Kolkata" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      name: "Acme Voice",
      brandColor: "#0b3d91",
      timeZone: "Asia/Kolkata",
    });
    expect(await pageName()).toBe("Acme Voice");
  });

  it("refuses a bad colour, URL or time zone with 422 naming each field", async () => {
    const res = await put({
      brandColor: "blue",
      publicUrl: "ftp://status.example.com",
      supportUrl: "javascript:alert(1)",
      timeZone: "Nowhere/Special",
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { fields: { field: string }[] } };
    expect(body.error.fields.map((f) => f.field).sort()).toEqual([
      "brandColor",
      "publicUrl",
      "supportUrl",
      "timeZone",
    ]);
    expect(await pageName()).toBe("Acme Voice");
  });

  it("is refused to tenant admins and responders (403), and without a key (401)", async () => {
    for (const key of [tenantKey, responderKey]) {
      expect((await put({ name: "Hijacked" }, key)).status).toBe(403);
      expect((await upload(new Uint8Array(PNG), { "content-type": "image/png" }, key)).status).toBe(
        403,
      );
    }
    const anon = await settingsRoute.PUT(
      new Request("http://localhost/api/v1/status-page", { method: "PUT", body: "{}" }),
      none,
    );
    expect(anon.status).toBe(401);
    expect(await pageName()).toBe("Acme Voice");
  });
});

describe("/api/v1/status-page/logo", () => {
  it("stores an image and serves it at its hash, immutable, with its type and nosniff", async () => {
    const res = await upload(new Uint8Array(PNG), { "content-type": "image/png" });
    expect(res.status).toBe(200);
    const { logo } = (await res.json()) as { logo: { url: string; contentType: string } };
    expect(logo.contentType).toBe("image/png");
    const hash = logo.url.split("/").pop()!;
    const served = await serve(hash);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(served.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await serve(hash, "HEAD")).status).toBe(200);

    // A multipart form works too, with the type sniffed from the bytes, not the declared one.
    const form = new FormData();
    form.append("logo", new Blob([new Uint8Array(JPEG)], { type: "image/png" }), "logo.png");
    const again = await upload(form);
    expect(again.status).toBe(200);
    const next = ((await again.json()) as { logo: { url: string; contentType: string } }).logo;
    expect(next.contentType).toBe("image/jpeg");
    expect((await serve(next.url.split("/").pop()!)).headers.get("content-type")).toBe(
      "image/jpeg",
    );
    // The old URL names an image that is no longer the logo.
    expect((await serve(hash)).status).toBe(404);
    expect((await serve("not-a-hash")).status).toBe(404);
  });

  it("refuses an SVG, an unknown type and an oversized image, naming the logo", async () => {
    const svg = await upload('<svg xmlns="http://www.w3.org/2000/svg"/>', {
      "content-type": "image/svg+xml",
    });
    expect(svg.status).toBe(422);
    expect(await svg.json()).toMatchObject({
      error: { fields: [{ field: "logo", message: expect.stringContaining("SVG") }] },
    });
    const text = await upload("hello", { "content-type": "image/png" });
    expect(text.status).toBe(422);
    expect(await text.json()).toMatchObject({
      error: { fields: [{ field: "logo", message: "must be a PNG, JPEG or WebP image" }] },
    });
    const big = new Uint8Array(Buffer.concat([PNG, Buffer.alloc(300 * 1024)]));
    const tooBig = await upload(big, { "content-type": "image/png" });
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { error: { message: string } }).error.message).toBe(
      "logo: must be at most 256 KB",
    );
    // Inside the multipart allowance but over the logo's own limit.
    const form = new FormData();
    form.append("logo", new Blob([new Uint8Array(Buffer.concat([PNG, Buffer.alloc(260 * 1024)]))]));
    const overForm = await upload(form);
    expect(overForm.status).toBe(422);
    expect(await overForm.json()).toMatchObject({ error: { fields: [{ field: "logo" }] } });
    const noFile = new FormData();
    noFile.append("image", "x");
    expect(await (await upload(noFile)).json()).toMatchObject({
      error: { fields: [{ field: "logo", message: "must be an uploaded image file" }] },
    });
  });

  it("removes the logo", async () => {
    const res = await logoRoute.DELETE(
      new Request("http://localhost/api/v1/status-page/logo", {
        method: "DELETE",
        headers: auth(adminKey),
      }),
      none,
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ logo: null });
  });
});

describe("/api/portal/status-page/logo (the portal's upload, by session)", () => {
  const post = (form: FormData) =>
    portalLogoRoute.POST(
      new Request("http://localhost/api/portal/status-page/logo", { method: "POST", body: form }),
    );
  const userId = async (email: string) => (await ctxFor(t.db, email)).actor.id!;

  it("takes a platform admin's upload and refuses a tenant admin's", async () => {
    const form = () => {
      const f = new FormData();
      f.append("logo", new Blob([new Uint8Array(PNG)]), "logo.png");
      return f;
    };
    try {
      session = { user: { id: await userId("admin@acme.test") } };
      expect((await post(form())).status).toBe(403);
      session = { user: { id: await userId("admin@beacon.test") } };
      const res = await post(form());
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ logo: { contentType: "image/png" } });
      const svg = new FormData();
      svg.append("logo", new Blob(["<svg/>"], { type: "image/png" }), "logo.png");
      expect(await (await post(svg)).json()).toMatchObject({
        error: { fields: [{ field: "logo", message: expect.stringContaining("SVG") }] },
      });
    } finally {
      session = null;
    }
    expect((await post(form())).status).toBe(401);
  });
});
