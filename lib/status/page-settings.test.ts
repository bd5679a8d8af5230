import postgres from "postgres";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { components, notificationJobs, regions } from "@/db/schema";
import { openIncident } from "@/lib/incidents/open-incident";
import { scheduleMaintenance } from "@/lib/incidents/schedule-maintenance";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { StatusHeader, StatusPageBody } from "@/components/status/status-page";
import { LocalTime, PageTimeZone } from "@/components/status/local-time";
import type { Ctx } from "@/lib/context";
import { env } from "@/lib/env";
import { ForbiddenError, ValidationError } from "@/lib/errors";
import { startStatusListener } from "./listen";
import { contrastRatio, readableTextColor } from "./page-settings";
import { invalidateSnapshot, publicDocument, publicStatusView } from "./snapshot";
import { getStatusPageSettings, setStatusPageLogo, updateStatusPageSettings } from "./settings";

let t: TestDb;
let admin: Ctx;
const baseUrl = "https://app.example.test";
const doc = async (name: "summary.json" | "history.atom" | "history.rss" | "badge.svg") =>
  (await publicDocument(t.db, name, { baseUrl }))!;
const summary = async () => JSON.parse((await doc("summary.json")).body.toString());
const header = async () =>
  renderToStaticMarkup(
    createElement(StatusHeader, { page: (await publicStatusView(t.db)).page, signedIn: false }),
  );

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  invalidateSnapshot();
  admin = await ctxFor(t.db, "admin@beacon.test");
});
afterAll(async () => {
  await t.close();
});

/** A tiny valid PNG (1×1). */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

describe("status page settings: defaults", () => {
  it("render the page, summary.json and feeds exactly as before settings existed", async () => {
    // As before settings existed, but for the page name now being the page's <h1>.
    expect(await header()).toBe(
      '<header class="flex flex-wrap items-center justify-between gap-2"><h1 class="text-2xl font-semibold"><a href="/">Beacon Cloud Telephony status</a></h1><nav aria-label="Status page" class="flex gap-4 text-sm text-slate-600 dark:text-slate-400"><a class="hover:underline" href="/history">History</a><a href="/history.atom" class="hover:underline">Atom</a><a href="/history.rss" class="hover:underline">RSS</a><a class="hover:underline" href="/portal">Sign in</a></nav></header>',
    );
    const page = (await summary()).page;
    expect(page).toMatchObject({
      name: "Beacon Cloud Telephony",
      url: baseUrl,
      time_zone: "Etc/UTC",
    });
    expect(Object.keys(page).sort()).toEqual(["id", "name", "time_zone", "updated_at", "url"]);
    const atom = (await doc("history.atom")).body.toString();
    expect(atom).toContain("<title>Beacon Cloud Telephony status - incident history</title>");
    expect(atom).toContain(`<link rel="alternate" href="${baseUrl}/"/>`);
    const body = renderToStaticMarkup(
      createElement(StatusPageBody, { view: await publicStatusView(t.db) }),
    );
    // Without a support URL of its own, the footer's Support link is Beacon's escalation matrix.
    expect(body).toContain('<a href="/support" class="underline" rel="noopener">Support</a>');
    expect(body).toMatch(/Updated <time[^>]*>\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/time>/);
    const settings = await getStatusPageSettings({ ctx: admin });
    expect(settings).toMatchObject({
      name: null,
      defaultName: "Beacon Cloud Telephony",
      timeZone: "UTC",
      logo: null,
      notice: null,
    });
  });
});

describe("status page settings: a change", () => {
  it("shows at once on the page, summary.json, feeds and badge (the snapshot is dropped)", async () => {
    // Everything cached first, as a busy page would have it.
    await publicStatusView(t.db);
    const badgeBefore = await doc("badge.svg");
    await summary();
    await doc("history.atom");
    await doc("history.rss");

    await updateStatusPageSettings({
      ctx: admin,
      input: {
        name: "Acme Voice",
        brandColor: "#FFD",
        publicUrl: "https://status.acme.example/",
        supportUrl: "https://help.acme.example/support",
        contactUrl: "mailto:noc@acme.example",
        timeZone: "Europe/Berlin",
        notice: "Planned **network** work <script>alert(1)</script> [details](javascript:alert(1))",
      },
    });

    const html = await header();
    expect(html).toContain("Acme Voice status");
    // #ffffdd is light: black text on it, well above WCAG AA's 4.5:1.
    expect(html).toContain("background-color:#ffffdd;color:#000000");
    expect(html).toContain("<strong>network</strong>");
    expect(html).not.toContain("<script");
    expect(html).not.toContain("javascript:");

    const page = (await summary()).page;
    expect(page).toMatchObject({
      name: "Acme Voice",
      url: "https://status.acme.example",
      time_zone: "Europe/Berlin",
    });
    const atom = (await doc("history.atom")).body.toString();
    expect(atom).toContain("<title>Acme Voice status - incident history</title>");
    expect(atom).toContain('href="https://status.acme.example/history.atom"');
    expect(atom).not.toContain(baseUrl);
    expect((await doc("history.rss")).body.toString()).toContain(
      "<link>https://status.acme.example/</link>",
    );
    const badgeAfter = await doc("badge.svg");
    expect(badgeAfter).not.toBe(badgeBefore);
    expect(badgeAfter.builtAt).toBeGreaterThanOrEqual(badgeBefore.builtAt);

    const view = await publicStatusView(t.db);
    const body = renderToStaticMarkup(
      createElement(
        PageTimeZone,
        { zone: view.page.timeZone },
        createElement(StatusPageBody, { view }),
      ),
    );
    expect(body).toContain('href="https://help.acme.example/support"');
    expect(body).toContain('href="mailto:noc@acme.example"');
    // Times show in the page's zone before the browser shows the visitor's own.
    expect(body).toMatch(/Updated <time[^>]*>\d{4}-\d\d-\d\d \d\d:\d\d GMT\+[12]<\/time>/);
  });

  it("puts a setting back to its default with null or an empty value", async () => {
    await updateStatusPageSettings({
      ctx: admin,
      input: { name: "", brandColor: null, notice: "", timeZone: "", publicUrl: null },
    });
    const page = (await summary()).page;
    expect(page).toMatchObject({
      name: "Beacon Cloud Telephony",
      url: baseUrl,
      time_zone: "Etc/UTC",
    });
    expect(await header()).not.toContain("background-color");
    expect(await header()).not.toContain("Notice");
  });

  it("shows a new logo at once, at a URL naming its content", async () => {
    const s = await setStatusPageLogo({ ctx: admin, input: { logo: PNG } });
    expect(s.logo).toMatchObject({ contentType: "image/png", bytes: PNG.length });
    expect(s.logo!.url).toMatch(/^\/status-page-logo\/[0-9a-f]{32}$/);
    expect(await header()).toContain(`<img src="${s.logo!.url}"`);
  });
});

describe("status page settings: public links in alerts", () => {
  it("point at the public URL setting when set, else APP_URL", async () => {
    const oncall = await ctxFor(t.db, "oncall@beacon.test");
    const [component] = await t.db.select().from(components).limit(1);
    const [region] = await t.db.select().from(regions).limit(1);
    const cells = [{ componentId: component!.id, regionId: region!.id }];
    const urlOf = async (kind: "incident.created" | "maintenance.scheduled") =>
      (await t.db.select().from(notificationJobs).where(eq(notificationJobs.kind, kind)))
        .map((j) => j.payload.url)
        .sort();
    const first = await openIncident({
      ctx: oncall,
      input: {
        title: "Before the setting",
        category: "infrastructure",
        impact: "minor",
        message: "x",
        cells: cells.map((c) => ({ ...c, status: "degraded_performance" })),
        notify: true,
      },
    });
    expect(await urlOf("incident.created")).toEqual([
      new URL(`/incidents/${first.incident.id}`, env.APP_URL).toString(),
    ]);
    await updateStatusPageSettings({
      ctx: admin,
      input: { publicUrl: "https://status.links.example" },
    });
    try {
      const second = await openIncident({
        ctx: oncall,
        input: {
          title: "After the setting",
          category: "infrastructure",
          impact: "minor",
          message: "x",
          cells: cells.map((c) => ({ ...c, status: "degraded_performance" })),
          notify: true,
        },
      });
      expect(await urlOf("incident.created")).toContain(
        `https://status.links.example/incidents/${second.incident.id}`,
      );
      const start = new Date(Date.now() + 86_400_000);
      const m = await scheduleMaintenance({
        ctx: oncall,
        input: {
          title: "Window",
          message: "x",
          scheduledFor: start.toISOString(),
          scheduledUntil: new Date(start.getTime() + 3_600_000).toISOString(),
          cells,
          notify: true,
        },
      });
      expect((await urlOf("maintenance.scheduled")).join()).toContain(
        `https://status.links.example/maintenances/${m.maintenance.id}`,
      );
    } finally {
      await updateStatusPageSettings({ ctx: admin, input: { publicUrl: null } });
    }
  });
});

// LISTEN/NOTIFY only exists between processes on a PostgreSQL server (TEST_DATABASE_URL).
describe("status page settings on several instances", () => {
  it("announce a change to the other instances, which drop their snapshots", async (c) => {
    if (t.engine !== "postgres") c.skip();
    await startStatusListener(t);
    const other = postgres(t.url!, { max: 1, onnotice: () => {} });
    const heard: string[] = [];
    await other.listen("beacon_status", (p) => heard.push(p));
    try {
      await updateStatusPageSettings({ ctx: admin, input: { notice: "Heard elsewhere" } });
      await expect.poll(() => heard.length, { timeout: 10_000 }).toBeGreaterThan(0);
    } finally {
      await other.end({ timeout: 5 });
      await updateStatusPageSettings({ ctx: admin, input: { notice: null } });
    }
  });
});

describe("status page settings: refusals", () => {
  const refused = async (input: unknown) => {
    const e = await updateStatusPageSettings({ ctx: admin, input }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).issues;
  };

  it("names the field of a bad colour, URL, link, time zone or notice", async () => {
    expect(await refused({ brandColor: "red" })).toEqual([
      { field: "brandColor", message: "must be a hex colour such as #1a73e8" },
    ]);
    expect((await refused({ publicUrl: "http://status.example.com" }))[0]).toEqual({
      field: "publicUrl",
      message: "must be an https:// URL",
    });
    expect((await refused({ publicUrl: "https://example.com/status?x=1" }))[0]!.field).toBe(
      "publicUrl",
    );
    expect(await refused({ supportUrl: "javascript:alert(1)" })).toEqual([
      { field: "supportUrl", message: "must be an https:// URL or a mailto: address" },
    ]);
    expect((await refused({ contactUrl: "not a url" }))[0]!.field).toBe("contactUrl");
    expect(await refused({ timeZone: "Mars/Olympus" })).toEqual([
      { field: "timeZone", message: "must be an IANA time zone such as Europe/Berlin" },
    ]);
    expect((await refused({ timeZone: "+01:00" }))[0]!.field).toBe("timeZone");
    expect(
      (await updateStatusPageSettings({ ctx: admin, input: { timeZone: "utc" } })).timeZone,
    ).toBe("UTC");
    expect(
      (await updateStatusPageSettings({ ctx: admin, input: { timeZone: "europe/berlin" } }))
        .timeZone,
    ).toBe("Europe/Berlin");
    await updateStatusPageSettings({ ctx: admin, input: { timeZone: null } });
    expect((await refused({ notice: "x".repeat(1001) }))[0]!.field).toBe("notice");
    expect((await refused({ name: "x".repeat(101) }))[0]!.field).toBe("name");
    expect((await refused({ orgId: "someone else" }))[0]!.field).toBe("(body)");
  });

  it("refuses a logo that is too large or not a PNG, JPEG or WebP, naming the field", async () => {
    const logoRefused = async (logo: Uint8Array) => {
      const e = await setStatusPageLogo({ ctx: admin, input: { logo } }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ValidationError);
      return (e as ValidationError).issues;
    };
    const big = Buffer.concat([PNG, Buffer.alloc(256 * 1024)]);
    expect(await logoRefused(big)).toEqual([
      { field: "logo", message: expect.stringMatching(/^must be at most 256 KB/) },
    ]);
    expect(
      await logoRefused(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>')),
    ).toEqual([{ field: "logo", message: expect.stringContaining("SVG is not accepted") }]);
    expect(await logoRefused(Buffer.from("GIF89a......"))).toEqual([
      { field: "logo", message: "must be a PNG, JPEG or WebP image" },
    ]);
    expect(await logoRefused(new Uint8Array())).toEqual([
      { field: "logo", message: "must not be empty" },
    ]);
  });

  it("is for the platform's admins only", async () => {
    for (const email of ["admin@acme.test", "oncall@beacon.test"]) {
      const ctx = await ctxFor(t.db, email);
      await expect(getStatusPageSettings({ ctx })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(
        updateStatusPageSettings({ ctx, input: { name: "Hijacked" } }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      await expect(setStatusPageLogo({ ctx, input: { logo: PNG } })).rejects.toBeInstanceOf(
        ForbiddenError,
      );
    }
    // Even with the permission, a tenant's member cannot change the platform's page.
    const acme = await ctxFor(t.db, "admin@acme.test");
    const forged = {
      ...acme,
      permissions: new Set([...acme.permissions, "status_page:manage" as const]),
    };
    await expect(
      updateStatusPageSettings({ ctx: forged, input: { name: "Hijacked" } }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect((await summary()).page.name).toBe("Beacon Cloud Telephony");
  });
});

describe("readable text colour", () => {
  it("picks black or white, whichever contrasts more with the brand colour", () => {
    expect(readableTextColor("#ffffff")).toBe("#000000");
    expect(readableTextColor("#000000")).toBe("#ffffff");
    expect(readableTextColor("#0b3d91")).toBe("#ffffff");
    expect(readableTextColor("#ffd54f")).toBe("#000000");
    for (const c of ["#777777", "#1a73e8", "#e91e63", "#00ff00", "#123456", "#808000"]) {
      expect(contrastRatio(c, readableTextColor(c))).toBeGreaterThanOrEqual(4.5);
    }
  });

  it("LocalTime shows the page's zone on the server, and UTC by default", () => {
    const iso = "2026-01-15T12:00:00.000Z";
    expect(renderToStaticMarkup(createElement(LocalTime, { iso }))).toContain(
      ">2026-01-15 12:00 UTC<",
    );
    expect(
      renderToStaticMarkup(
        createElement(PageTimeZone, { zone: "Asia/Kolkata" }, createElement(LocalTime, { iso })),
      ),
    ).toContain(">2026-01-15 17:30 GMT+5:30<");
  });
});
