import { expect, test, type Page } from "@playwright/test";
import { signIn, USERS } from "./helpers";

/** Each alert's line of the incident page's fan-out counter. */
const fanoutLines = (page: Page) => page.getByTestId("fanout-progress").getByRole("listitem");

// The second test reads the deliveries of the incident the first one opened.
test.describe.configure({ mode: "serial" });
const title = `Live counter check ${Date.now()}`;
let incidentPath = "";

test("the fan-out counter follows a second update to its final count without a reload", async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const watcher = await (await browser.newContext()).newPage();
  await signIn(watcher, USERS.responder);
  await watcher.goto("/portal/incidents");
  const openForm = watcher.getByRole("form", { name: "Open an incident" });
  await openForm.getByLabel("Title").fill(title);
  await openForm.getByLabel("Category").selectOption("infrastructure");
  await openForm.getByLabel("Impact").selectOption("minor");
  // Globex only: other specs leave Acme webhook endpoints that no longer answer (their retries
  // would keep a public incident's count from ever settling); Globex has none.
  await openForm.getByLabel("Audience").selectOption({ label: "Globex Communications only" });
  await openForm.getByLabel("SIP trunking in Delhi").selectOption("degraded_performance");
  await openForm.getByLabel("First update (markdown)").fill("Registrations are slow in Delhi.");
  await openForm.getByLabel("Notify subscribers").check();
  await openForm.getByRole("button", { name: "Open incident" }).click();
  await watcher.waitForURL(/\/portal\/incidents\/[0-9a-f-]{36}$/);
  incidentPath = new URL(watcher.url()).pathname;

  // The opening's alerts settle.
  await expect(fanoutLines(watcher)).toHaveCount(1, { timeout: 30_000 });
  await expect(fanoutLines(watcher).first()).toHaveAttribute("data-state", "done", {
    timeout: 60_000,
  });
  await expect(fanoutLines(watcher).first()).toContainText(/Opened .*: \d+ of [1-9]\d* delivered/);

  // Another responder posts an update from another browser; the watcher's page is not touched.
  const poster = await (await browser.newContext()).newPage();
  await signIn(poster, USERS.responder);
  await poster.goto(incidentPath);
  const updateForm = poster.getByRole("form", { name: "Post an update" });
  await updateForm.getByLabel("New status").selectOption("identified");
  await updateForm.getByLabel("Message (markdown)").fill("A faulty SBC was taken out of rotation.");
  await updateForm.getByLabel("Notify subscribers").check();
  await updateForm.getByRole("button", { name: "Post update" }).click();
  await expect(poster.getByRole("status").filter({ hasText: "Update posted." })).toBeVisible({
    timeout: 60_000,
  });

  // The watcher's counter picks up the second alert and follows it to its end by itself.
  await expect(fanoutLines(watcher)).toHaveCount(2, { timeout: 60_000 });
  await expect(fanoutLines(watcher).nth(1)).toContainText("Update (identified)");
  await expect(fanoutLines(watcher).nth(1)).toHaveAttribute("data-state", "done", {
    timeout: 90_000,
  });
  await expect(fanoutLines(watcher).nth(1)).toContainText(/: \d+ of [1-9]\d* delivered/);
  const live = await watcher.getByTestId("fanout-progress").innerText();

  // What a reload shows is what the live counter already showed.
  await watcher.reload();
  await expect(fanoutLines(watcher)).toHaveCount(2, { timeout: 30_000 });
  expect(await watcher.getByTestId("fanout-progress").innerText()).toBe(live);

  // Platform staff see who was alerted, by tenant and channel.
  const whoCard = watcher.getByTestId("incident-deliveries");
  await expect(whoCard.getByRole("table", { name: "By tenant" })).toContainText(
    "Globex Communications",
  );
  await expect(whoCard.getByRole("table", { name: "By channel" })).toContainText("Email");
});

test("the delivery log names the incident and leads to the explainer, as does the incident page", async ({
  browser,
}) => {
  test.setTimeout(240_000);
  expect(incidentPath, "the incident the first test opened").not.toBe("");

  // A tenant's delivery log names the incident and leads to the explainer for a row.
  const acme = await (await browser.newContext()).newPage();
  await signIn(acme, USERS.globexAdmin);
  await acme.goto("/portal/deliveries");
  const row = acme
    .getByRole("table", { name: "Deliveries" })
    .getByRole("row")
    .filter({ has: acme.getByRole("link", { name: title, exact: true }) })
    .filter({ hasText: USERS.globexAdmin })
    .first();
  await expect(row).toBeVisible({ timeout: 30_000 });
  await row.getByRole("link", { name: /^Why\?/ }).click();
  await acme.waitForURL(/[?&]who=member%3A[0-9a-f-]{36}.*#explain$/);
  await expect(acme.getByLabel("Alert about")).toHaveValue(incidentPath.split("/").pop()!);
  await expect(acme.getByLabel("Member, endpoint or extra recipient")).toHaveValue(/^member:/);
  await expect(acme.getByTestId("explanation")).toContainText(title);

  // From the incident page too: the explainer opens with the incident picked, no id to paste.
  await acme.goto(incidentPath);
  await acme
    .getByRole("link", { name: /Why did or didn't this incident's alert reach someone/ })
    .click();
  await acme.waitForURL(/\/portal\/deliveries\?explain=[0-9a-f-]{36}#explain$/, {
    timeout: 60_000,
  });
  await expect(acme.getByLabel("Alert about")).toHaveValue(incidentPath.split("/").pop()!, {
    timeout: 30_000,
  });
});
