import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { signIn, USERS } from "./helpers";

/** A signed-in page in its own browser context. */
async function signedIn(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, email);
  return page;
}

test("a responder's incident reaches the public page, its permalink, history and uptime", async ({
  browser,
}) => {
  const title = `Voice routing failing in Mumbai ${Date.now()}`;
  const responder = await signedIn(browser, USERS.responder);

  await responder.goto("/portal/incidents");
  const consoleAxe = await new AxeBuilder({ page: responder }).analyze();
  expect(
    consoleAxe.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.help}`),
  ).toEqual([]);
  const openForm = responder.getByRole("form", { name: "Open an incident" });
  await openForm.getByLabel("Title").fill(title);
  await openForm.getByLabel("Category").selectOption("infrastructure");
  await openForm.getByLabel("Impact").selectOption("major");
  await openForm.getByLabel("Voice routing in Mumbai").selectOption("major_outage");
  await openForm
    .getByLabel("First update (markdown)")
    .fill("Calls to Mumbai numbers are **failing**. We are investigating.");
  await openForm.getByRole("button", { name: "Open incident" }).click();
  await responder.waitForURL(/\/portal\/incidents\/[0-9a-f-]{36}$/);
  const incidentId = responder.url().split("/").pop()!;

  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto("/");
  const active = visitor.getByRole("region", { name: "Active incidents" });
  await expect(active.getByRole("link", { name: title })).toBeVisible();
  await expect(visitor.getByTestId("overall-status")).toHaveText("Partial System Outage");
  await expect(
    visitor
      .getByTestId("component-Voice routing")
      .getByText(/Major outage in .*Mumbai/)
      .first(),
  ).toBeVisible();
  // The page's name is its h1.
  await expect(visitor.getByRole("heading", { level: 1 })).toHaveCount(1);

  const axe = await new AxeBuilder({ page: visitor }).analyze();
  const serious = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  await visitor.goto(`/incidents/${incidentId}`);
  await expect(visitor.getByRole("heading", { name: title })).toBeVisible();
  await expect(visitor.getByText("We are investigating.")).toBeVisible();

  const updateForm = responder.getByRole("form", { name: "Post an update" });
  await updateForm.getByLabel("New status").selectOption("resolved");
  await updateForm.getByLabel("Message (markdown)").fill("Routing restored in Mumbai.");
  await updateForm.getByRole("button", { name: "Post update" }).click();
  // Once resolved, the console offers the postmortem and reopen forms instead of updates.
  await expect(responder.getByRole("button", { name: "Reopen incident" })).toBeVisible();

  // The snapshot is dropped on commit: the very next request already shows the change (counted
  // once, without the retries an expect() would make while a stale snapshot expired).
  await visitor.goto("/");
  await expect(visitor.getByTestId("overall-status")).toBeVisible();
  expect(await visitor.getByRole("link", { name: title }).count()).toBe(0);

  const today = new Date().toISOString().slice(0, 10);
  await visitor.getByText("Voice routing by region").click();
  const bar = visitor.getByTestId("cell-Voice routing-BOM").locator(`[data-date="${today}"]`);
  const uptime = Number(await bar.getAttribute("data-uptime"));
  expect(uptime).toBeGreaterThan(0);
  expect(uptime).toBeLessThan(1);

  await visitor.goto("/history");
  await expect(visitor.getByRole("link", { name: title })).toBeVisible();
  await visitor.goto(`/incidents/${incidentId}`);
  await expect(visitor.getByText("Routing restored in Mumbai.")).toBeVisible();
});

test("a tenant-only incident is shown to that tenant and to nobody else", async ({
  browser,
  request,
}) => {
  const title = `Acme webhook misconfigured ${Date.now()}`;
  const responder = await signedIn(browser, USERS.responder);
  await responder.goto("/portal/incidents");
  const openForm = responder.getByRole("form", { name: "Open an incident" });
  await openForm.getByLabel("Title").fill(title);
  await openForm.getByLabel("Category").selectOption("configurable");
  await openForm.getByLabel("Audience").selectOption({ label: "Acme Telecom only" });
  await openForm.getByLabel("Webhooks in Delhi").selectOption("partial_outage");
  await openForm.getByLabel("First update (markdown)").fill("Your webhook endpoint answers 404.");
  await openForm.getByRole("button", { name: "Open incident" }).click();
  await responder.waitForURL(/\/portal\/incidents\/[0-9a-f-]{36}$/);
  const incidentId = responder.url().split("/").pop()!;

  const acme = await signedIn(browser, USERS.orgAdmin);
  await acme.goto("/");
  await expect(acme.getByRole("link", { name: title })).toBeVisible();
  await expect(acme.getByText("Visible only to Acme Telecom").first()).toBeVisible();
  // The tenant's portal lists it too, read-only: no console forms for a tenant role.
  await acme.goto("/portal/incidents");
  await expect(acme.getByRole("link", { name: title })).toBeVisible();
  await expect(acme.getByRole("form", { name: "Open an incident" })).toHaveCount(0);

  const globex = await signedIn(browser, USERS.globexAdmin);
  await globex.goto("/");
  await expect(globex.getByText(title)).toHaveCount(0);
  expect((await globex.goto(`/incidents/${incidentId}`))!.status()).toBe(404);

  const anonymous = await (await browser.newContext()).newPage();
  await anonymous.goto("/");
  await expect(anonymous.getByText(title)).toHaveCount(0);
  for (const path of [
    "/api/v2/summary.json",
    "/api/v2/incidents.json",
    "/history.atom",
    "/history.rss",
    "/badge.svg",
  ]) {
    const body = await (await request.get(path)).text();
    expect(body, path).not.toContain(title);
    expect(body, path).not.toContain(incidentId);
  }
  expect((await request.get(`/incidents/${incidentId}`)).status()).toBe(404);
});
