import http from "node:http";
import type { AddressInfo } from "node:net";
import { brotliDecompressSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { openIncident } from "@/lib/incidents/open-incident";
import { updateStatusPageSettings } from "@/lib/status/settings";
import { installStatusFastPath } from "./status-fast-path";

let t: TestDb;
let server: http.Server;
let base: string;
let renders = 0;
let uninstall: () => void;
const seen: string[] = [];

function get(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
    (resolve, reject) => {
      http
        .get(`${base}${path}`, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        })
        .on("error", reject);
    },
  );
}

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  uninstall = installStatusFastPath({ db: t.db, baseUrl: "https://status.example.test" });
  // Stands in for Next: counts renders of / and records what reaches it.
  server = http.createServer((req, res) => {
    seen.push(req.url!);
    if (req.url === "/") renders++;
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<html>render ${renders}</html>`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  uninstall();
  await new Promise((r) => server.close(r));
  await t.close();
});

describe("status fast path", () => {
  it("serves v2 JSON from memory, brotli-compressed, with ETag and 304, before the app's handler", async () => {
    const res = await get("/api/v2/summary.json", { "accept-encoding": "br" });
    expect(res.status).toBe(200);
    expect(res.headers["x-beacon-fast-path"]).toBe("1");
    expect(res.headers["content-encoding"]).toBe("br");
    expect(res.headers["access-control-allow-origin"]).toBe("*");
    const json = JSON.parse(brotliDecompressSync(res.body).toString("utf8"));
    expect(json.status.description).toBe("All Systems Operational");
    const again = await get("/api/v2/summary.json", { "if-none-match": res.headers.etag! });
    expect(again.status).toBe(304);
    expect(seen).not.toContain("/api/v2/summary.json");
  });

  it("renders / through the app once per change and passes signed-in and unknown requests through", async () => {
    const first = await get("/");
    expect(first.body.toString()).toBe("<html>render 1</html>");
    // Signed-in visitors may see more, so shared caches must not hand this copy to them.
    expect(first.headers.vary).toBe("Cookie, Accept-Encoding");
    expect(first.headers["cache-control"]).toBe("private, no-cache");
    expect((await get("/")).body.toString()).toBe("<html>render 1</html>");
    expect(renders).toBe(1);

    await openIncident({
      ctx: await ctxFor(t.db, "oncall@beacon.test"),
      input: {
        title: "Fast path check",
        category: "infrastructure",
        impact: "minor",
        message: "x",
      },
    });
    expect((await get("/")).body.toString()).toBe("<html>render 2</html>");
    const summary = JSON.parse((await get("/api/v2/summary.json")).body.toString("utf8"));
    expect(summary.incidents.map((i: { name: string }) => i.name)).toEqual(["Fast path check"]);

    const signedIn = await get("/", { cookie: "authjs.session-token=abc" });
    expect(signedIn.headers["x-beacon-fast-path"]).toBeUndefined();
    expect(renders).toBe(3);
    const other = await get("/portal");
    expect(other.headers["x-beacon-fast-path"]).toBeUndefined();
    expect(seen).toContain("/portal");
    const badBadge = await get("/badge.svg?component=nope");
    expect(badBadge.headers["x-beacon-fast-path"]).toBeUndefined();
    expect(seen).toContain("/badge.svg?component=nope");
  });

  it("drops its copies of / and the documents when the page's settings change", async () => {
    const cached = (await get("/")).body.toString();
    expect((await get("/")).body.toString()).toBe(cached);
    const before = renders;
    await updateStatusPageSettings({
      ctx: await ctxFor(t.db, "admin@beacon.test"),
      input: { name: "Renamed page", publicUrl: "https://status.renamed.example" },
    });
    expect((await get("/")).body.toString()).toBe(`<html>render ${before + 1}</html>`);
    const summary = JSON.parse((await get("/api/v2/summary.json")).body.toString("utf8"));
    expect(summary.page).toMatchObject({
      name: "Renamed page",
      url: "https://status.renamed.example",
    });
    const feed = (await get("/history.atom")).body.toString("utf8");
    expect(feed).toContain("<title>Renamed page status - incident history</title>");
    expect(feed).toContain('href="https://status.renamed.example/history.atom"');
  });
});
