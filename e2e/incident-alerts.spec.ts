import { expect, test } from "@playwright/test";
import { signIn, USERS } from "./helpers";

test("a responder's incident update reaches tenants' dev mailbox and in-app inbox", async ({
  browser,
}) => {
  // Globex, not Acme: other specs save Acme's channel matrix in parallel and would undo this tick.
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, USERS.globexAdmin);
  await admin.goto("/portal/alerts");
  await admin.getByLabel("Infrastructure · Org Admins · In-app").check();
  await admin.getByRole("button", { name: "Save channels" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Channels saved." })).toBeVisible();

  const title = `SIP trunking degraded in Delhi ${Date.now()}`;
  const responder = await (await browser.newContext()).newPage();
  await signIn(responder, USERS.responder);
  await responder.goto("/portal/incidents");
  const openForm = responder.getByRole("form", { name: "Open an incident" });
  await openForm.getByLabel("Title").fill(title);
  await openForm.getByLabel("Category").selectOption("infrastructure");
  await openForm.getByLabel("Impact").selectOption("minor");
  await openForm.getByLabel("SIP trunking in Delhi").selectOption("degraded_performance");
  await openForm.getByLabel("First update (markdown)").fill("Registrations are slow in Delhi.");
  await openForm.getByLabel("Notify subscribers").check();
  await openForm.getByRole("button", { name: "Open incident" }).click();
  await responder.waitForURL(/\/portal\/incidents\/[0-9a-f-]{36}$/);

  const updateForm = responder.getByRole("form", { name: "Post an update" });
  await updateForm.getByLabel("New status").selectOption("identified");
  await updateForm
    .getByLabel("Message (markdown)")
    .fill("A faulty SBC in Delhi was taken out of rotation.");
  await updateForm.getByLabel("Notify subscribers").check();
  await updateForm.getByRole("button", { name: "Post update" }).click();

  // The incident page shows the fan-out as it goes.
  await expect(responder.getByTestId("fanout-progress")).toContainText("delivered", {
    timeout: 15_000,
  });

  await expect(async () => {
    await admin.goto("/portal/dev/mailbox");
    await expect(
      admin.getByRole("list", { name: "Messages" }).getByText(new RegExp(title)).first(),
    ).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });

  await expect(async () => {
    await admin.goto("/portal/inbox");
    const inbox = admin.getByRole("list", { name: "Inbox items" });
    await expect(inbox.getByText(new RegExp(title)).first()).toBeVisible({ timeout: 1000 });
    await expect(inbox.getByText(/faulty SBC/).first()).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
});
