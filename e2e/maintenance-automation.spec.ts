import { expect, test } from "@playwright/test";
import { signIn, USERS } from "./helpers";

/** "2026-12-02T21:15:30" (UTC, to the second): what the console's datetime fields take. */
const utcInput = (d: Date) => d.toISOString().slice(0, 19);

test("a maintenance window scheduled ahead moves to in progress and completed on its own, and the public page shows each state", async ({
  browser,
}) => {
  // Real time, no clock tricks: the server's own job driver moves the window. It starts a minute
  // after it is scheduled and lasts 20 seconds, so the journey takes under two minutes.
  test.setTimeout(240_000);
  const title = `Carrier cut-over ${Date.now()}`;
  const responder = await (await browser.newContext()).newPage();
  await signIn(responder, USERS.responder);
  await responder.goto("/portal/incidents");
  const form = responder.getByRole("form", { name: "Schedule maintenance" });
  await form.getByLabel("Title").fill(title);
  const start = new Date(Date.now() + 60_000);
  const end = new Date(start.getTime() + 20_000);
  await form.getByLabel("Starts (UTC)").fill(utcInput(start));
  await form.getByLabel("Ends (UTC)").fill(utcInput(end));
  await form.getByLabel("API in Mumbai").selectOption("under_maintenance");
  await form
    .getByLabel("Message (markdown)")
    .fill("Moving API traffic in Mumbai to a new carrier.");
  await form.getByLabel("Notify subscribers", { exact: true }).check();
  // Automation is on by default; reminders 24 h and 1 h ahead are already past, so none is sent.
  await expect(form.getByLabel("Start and complete on its own at the times above")).toBeChecked();
  await form.getByRole("button", { name: "Schedule maintenance" }).click();
  await expect(responder.getByText("Maintenance scheduled.", { exact: true })).toBeVisible({
    timeout: 90_000,
  });
  const link = responder.getByRole("link", { name: title });
  await expect(link).toBeVisible();
  const href = (await link.getAttribute("href"))!;
  expect(href).toMatch(/^\/maintenances\/[0-9a-f-]{36}$/);

  // A visitor sees it scheduled on the status page.
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto("/");
  const section = visitor.getByRole("region", { name: "Maintenance" });
  const card = section.getByRole("article").filter({ hasText: title });
  // Its status line (the timeline below it names each update's status too).
  await expect(card).toContainText("Scheduled ·");
  await expect(card).not.toContainText("In progress");

  // At its start it moves to in progress by itself, and the cell shows under maintenance.
  await expect(async () => {
    await visitor.reload();
    await expect(card).toContainText("In progress", { timeout: 1000 });
  }).toPass({ timeout: 90_000, intervals: [1000] });
  expect(Date.now()).toBeGreaterThanOrEqual(start.getTime());
  await expect(card).toContainText("The scheduled maintenance has started.");
  await expect(
    visitor
      .getByTestId("component-API")
      .getByText(/Under maintenance/)
      .first(),
  ).toBeVisible();

  // At its end it completes by itself: gone from the current page, completed on its own page.
  await expect(async () => {
    await visitor.reload();
    await expect(card).toHaveCount(0, { timeout: 1000 });
  }).toPass({ timeout: 90_000, intervals: [1000] });
  expect(Date.now()).toBeGreaterThanOrEqual(end.getTime());
  await visitor.goto(href);
  const page = visitor.getByRole("article").filter({ hasText: title });
  await expect(page).toContainText("Completed");
  await expect(page).toContainText("The scheduled maintenance has completed.");
  await expect(page).toContainText("The scheduled maintenance has started.");

  // The console lists it completed, with the system's updates in its timeline.
  await responder.reload();
  await expect(
    responder.getByRole("listitem").filter({ has: responder.getByRole("link", { name: title }) }),
  ).toContainText("Completed");
});
