import { expect, test, type Page } from "@playwright/test";
import { signIn, USERS } from "./helpers";

/** The text of the newest dev-mailbox message to `to` whose subject matches, as platform staff see it. */
async function mailText(page: Page, to: string, subject: RegExp): Promise<string> {
  let text = "";
  await expect(async () => {
    await page.goto("/portal/dev/mailbox");
    const item = page
      .getByRole("list", { name: "Messages" })
      .getByRole("listitem")
      .filter({ hasText: to })
      .filter({ hasText: subject })
      .first();
    await expect(item).toBeVisible({ timeout: 1000 });
    await item.locator("summary").click();
    text = (await item.locator("pre").allTextContents()).join("\n");
  }).toPass({ timeout: 20_000 });
  return text;
}

test("a visitor subscribes by email, confirms, and receives a public incident with one-click unsubscribe", async ({
  browser,
}) => {
  const email = `visitor-${Date.now()}@example.com`;
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto("/");
  const form = visitor.getByRole("form", { name: "Subscribe to updates" });

  // A bad address is refused with a message next to the field.
  await form.getByLabel("Email address").fill("not-an-address");
  await form.evaluate((f: HTMLFormElement) => (f.noValidate = true));
  await form.getByRole("button", { name: "Subscribe" }).click();
  await expect(form.getByText("Enter a valid email address")).toBeVisible();

  await form.getByLabel("Email address").fill(email);
  await form.getByRole("button", { name: "Subscribe" }).click();
  await expect(visitor.getByRole("status")).toContainText("we sent a confirmation link");

  const staff = await (await browser.newContext()).newPage();
  await signIn(staff, USERS.platformAdmin);
  const confirmation = await mailText(staff, email, /Confirm your status updates subscription/);
  const link = /https?:\/\/\S+\/subscribe\/confirm\/[\w-]+/.exec(confirmation)?.[0];
  expect(link, confirmation).toBeTruthy();

  await visitor.goto(link!);
  await visitor.getByRole("button", { name: "Confirm subscription" }).click();
  await expect(visitor.getByRole("status")).toContainText(`Subscribed. ${email}`);

  const title = `Voice calls failing in Mumbai ${Date.now()}`;
  const responder = await (await browser.newContext()).newPage();
  await signIn(responder, USERS.responder);
  await responder.goto("/portal/incidents");
  const openForm = responder.getByRole("form", { name: "Open an incident" });
  await openForm.getByLabel("Title").fill(title);
  await openForm.getByLabel("Category").selectOption("infrastructure");
  await openForm.getByLabel("Impact").selectOption("major");
  await openForm.getByLabel("SIP trunking in Delhi").selectOption("partial_outage");
  await openForm.getByLabel("First update (markdown)").fill("Calls are failing; we are on it.");
  await openForm.getByLabel("Notify subscribers").check();
  await openForm.getByRole("button", { name: "Open incident" }).click();
  await responder.waitForURL(/\/portal\/incidents\/[0-9a-f-]{36}$/);

  const alert = await mailText(staff, email, new RegExp(title));
  expect(alert).toContain("Calls are failing");
  expect(alert).toMatch(/List-Unsubscribe: <https?:\/\/\S+\/api\/subscribers\/unsubscribe\?token=/);
  expect(alert).toContain("List-Unsubscribe-Post: List-Unsubscribe=One-Click");

  // Platform staff see the delivery, and why it was sent, in the delivery log.
  await staff.goto("/portal/deliveries?channel=email");
  await staff.getByRole("link", { name: title }).first().click();
  await expect(staff.getByTestId("delivery-status")).toHaveText("In dev mailbox (not sent)");
  await expect(staff.getByText(/Public subscriber \(email, confirmed/)).toBeVisible();
  await expect(staff.getByText("subscribed to everything")).toBeVisible();

  // "Change what you receive" in the email: maintenance only, for one component; kept on reload.
  const preferences = /Change what you receive: (https?:\/\/\S+)/.exec(alert)?.[1];
  expect(preferences, alert).toBeTruthy();
  await visitor.goto(preferences!);
  await expect(visitor.getByRole("heading", { name: "Your status updates" })).toBeVisible();
  await expect(visitor.getByText(email)).toBeVisible();
  const choices = visitor.getByRole("form", { name: "Your status updates" });
  await expect(choices.getByLabel("Incidents and maintenance")).toBeChecked();
  await choices.getByLabel("Maintenance only").check();
  await choices
    .getByRole("group", { name: /^Components/ })
    .getByLabel("SIP trunking")
    .check();
  await choices.getByRole("button", { name: "Save my choices" }).click();
  await expect(choices.getByRole("status")).toBeVisible({ timeout: 30_000 });
  await visitor.reload();
  await expect(choices.getByLabel("Maintenance only")).toBeChecked();
  await expect(
    choices.getByRole("group", { name: /^Components/ }).getByLabel("SIP trunking"),
  ).toBeChecked();
  await expect(
    choices.getByRole("group", { name: /^Components/ }).getByLabel("Voice routing"),
  ).not.toBeChecked();

  // One click (what a mail client does with List-Unsubscribe-Post) removes the subscription.
  const unsubscribeUrl = /List-Unsubscribe: <([^>]+)>/.exec(alert)![1]!;
  await visitor.goto(unsubscribeUrl);
  await visitor.getByRole("button", { name: "Unsubscribe" }).click();
  await expect(visitor.getByRole("heading", { name: "Unsubscribed" })).toBeVisible();
  const again = await visitor.request.post(unsubscribeUrl, {
    form: { "List-Unsubscribe": "One-Click" },
  });
  expect(again.status()).toBe(404);
});
