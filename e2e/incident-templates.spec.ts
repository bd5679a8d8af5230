import { expect, test } from "@playwright/test";
import { signIn, USERS } from "./helpers";

test("a platform admin makes a template, opens an incident from it and corrects its update; the public page shows the correction", async ({
  browser,
}) => {
  const stamp = Date.now();
  const name = `Carrier outage ${stamp}`;
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, USERS.platformAdmin);

  // The template.
  await admin.goto("/portal/incident-templates");
  const create = admin.getByRole("form", { name: "New template" });
  await create.getByLabel("Name").fill(name);
  await create.getByLabel("Incident title").fill("Calls failing through a carrier");
  await create.getByLabel("Category").selectOption("infrastructure");
  await create.getByLabel("Impact").selectOption("major");
  await create.getByLabel("Voice routing in Mumbai").selectOption("partial_outage");
  await create.getByLabel("Message (markdown)").fill("Calls through one carrier are failing.");
  await create.getByRole("button", { name: "Add template" }).click();
  await expect(admin.getByText(name, { exact: true })).toBeVisible();

  // An incident from it: the template fills the form, which stays editable.
  await admin.goto("/portal/incidents");
  const open = admin.getByRole("form", { name: "Open an incident" });
  await open.getByLabel("New incident from template").selectOption({ label: name });
  await expect(open.getByLabel("Title")).toHaveValue("Calls failing through a carrier");
  await expect(open.getByLabel("Impact")).toHaveValue("major");
  await expect(open.getByLabel("Voice routing in Mumbai")).toHaveValue("partial_outage");
  await expect(open.getByLabel("First update (markdown)")).toHaveValue(
    "Calls through one carrier are failing.",
  );
  const title = `Carrier calls failing in Mumbai ${stamp}`;
  await open.getByLabel("Title").fill(title);
  await open.getByLabel("Notify subscribers").uncheck();
  await open.getByRole("button", { name: "Open incident" }).click();
  await admin.waitForURL(/\/portal\/incidents\/[0-9a-f-]{36}$/);
  const incidentId = admin.url().split("/").pop()!;

  // Correcting the first update.
  await admin
    .getByText(/Edit the update of/)
    .first()
    .click();
  const edit = admin.getByRole("form", { name: "Correct this update" });
  await edit
    .getByLabel("Corrected message (markdown)")
    .fill("Calls through one carrier are failing in Mumbai since 09:12 UTC.");
  await edit.getByRole("button", { name: "Save correction" }).click();
  await expect(admin.getByText("Update corrected.")).toBeVisible();

  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(`/incidents/${incidentId}`);
  await expect(visitor.getByRole("heading", { name: title })).toBeVisible();
  await expect(
    visitor.getByText("Calls through one carrier are failing in Mumbai since 09:12 UTC."),
  ).toBeVisible();
  await expect(visitor.getByText(/edited/)).toBeVisible();
  await expect(visitor.getByText("Calls through one carrier are failing.")).toHaveCount(0);
});
