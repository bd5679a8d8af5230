import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { signIn, USERS } from "./helpers";

// axe on the public pages and on the console's alerts, incidents and deliveries pages, in light
// and dark mode, with everything operational; then the same pages (and the incident's and a
// maintenance window's own pages) with an incident open.

const SCHEMES = ["light", "dark"] as const;
const PORTAL = ["/portal/alerts", "/portal/incidents", "/portal/deliveries"];

/** The serious and critical violations on `path` in both colour schemes, one line each. */
async function scan(page: Page, path: string): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    await page.goto(path);
    await expect(page.locator("h1").first()).toBeVisible({ timeout: 60_000 });
    const { violations } = await new AxeBuilder({ page }).analyze();
    for (const v of violations.filter((x) => x.impact === "serious" || x.impact === "critical"))
      found.push(
        `${path} (${colorScheme}) ${v.id}: ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => `${n.target.join(" ")} ${n.failureSummary?.split("\n").at(-1)?.trim() ?? ""}`)
          .join(" | ")}`,
      );
  }
  return found;
}

// With everything operational: the anonymous page as the demo data leaves it (other specs may
// open public incidents meanwhile; the banner is scanned whatever it says) and Acme's console.
for (const path of ["/", "/history", "/subscribe"])
  test(`operational: ${path} has no serious violation`, async ({ page }) => {
    test.setTimeout(300_000);
    expect(await scan(page, path)).toEqual([]);
  });
for (const path of PORTAL)
  test(`operational: ${path} has no serious violation`, async ({ page }) => {
    test.setTimeout(300_000);
    await signIn(page, USERS.orgAdmin);
    expect(await scan(page, path)).toEqual([]);
  });

// With an incident open (minor, one cell degraded, nobody notified: other specs' endpoints and
// counts stay untouched) and a maintenance window scheduled: every public page, the incident's and
// the window's own pages, and the console's incident pages, in both colour schemes.
test("incident state: public and console pages have no serious violation", async ({ browser }) => {
  test.setTimeout(600_000);
  const responder = await (await browser.newContext()).newPage();
  await signIn(responder, USERS.responder);
  await responder.goto("/portal/incidents");
  const title = `Voice latency in Mumbai ${Date.now()}`;
  const open = responder.getByRole("form", { name: "Open an incident" });
  await open.getByLabel("Title").fill(title);
  await open.getByLabel("Category").selectOption("infrastructure");
  await open.getByLabel("Impact").selectOption("minor");
  await open.getByLabel("Voice routing in Mumbai").selectOption("degraded_performance");
  await open.getByLabel("First update (markdown)").fill("Calls to Mumbai connect **slowly**.");
  await open.getByLabel("Notify subscribers").uncheck();
  await open.getByRole("button", { name: "Open incident" }).click();
  await responder.waitForURL(/\/portal\/incidents\/[0-9a-f-]{36}$/, { timeout: 90_000 });
  const incident = new URL(responder.url()).pathname;

  await responder.goto("/portal/incidents");
  const schedule = responder.getByRole("form", { name: "Schedule maintenance" });
  const maintenanceTitle = `Carrier upgrade ${Date.now()}`;
  const start = new Date(Date.now() + 30 * 86_400_000);
  await schedule.getByLabel("Title").fill(maintenanceTitle);
  await schedule.getByLabel("Starts (UTC)").fill(start.toISOString().slice(0, 19));
  await schedule
    .getByLabel("Ends (UTC)")
    .fill(new Date(start.getTime() + 3_600_000).toISOString().slice(0, 19));
  await schedule.getByLabel("API in Mumbai").selectOption("under_maintenance");
  await schedule.getByLabel("Message (markdown)").fill("Upgrading the Mumbai carrier link.");
  await schedule.getByLabel("Notify subscribers", { exact: true }).uncheck();
  await schedule.getByRole("button", { name: "Schedule maintenance" }).click();
  const link = responder.getByRole("link", { name: maintenanceTitle });
  await expect(link).toBeVisible({ timeout: 90_000 });
  const maintenance = (await link.getAttribute("href"))!;

  try {
    const visitor = await (await browser.newContext()).newPage();
    const found: string[] = [];
    for (const path of ["/", "/history", incident.replace("/portal", ""), maintenance])
      found.push(...(await scan(visitor, path)));
    for (const path of ["/portal/incidents", incident])
      found.push(...(await scan(responder, path)));
    expect(found).toEqual([]);
  } finally {
    await responder.emulateMedia({ colorScheme: "light" });
    await responder.goto(incident);
    const update = responder.getByRole("form", { name: "Post an update" });
    await update.getByLabel("New status").selectOption("resolved");
    await update.getByLabel("Message (markdown)").fill("Latency is back to normal.");
    await update.getByLabel("Notify subscribers").uncheck();
    await update.getByRole("button", { name: "Post update" }).click();
    await expect(responder.getByRole("button", { name: "Reopen incident" })).toBeVisible({
      timeout: 90_000,
    });
  }
});
