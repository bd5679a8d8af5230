import { createHmac, randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { E2E_RESEND_WEBHOOK_SECRET, signIn, USERS } from "./helpers";

/** A Resend (Svix-signed) hard bounce for the message Resend knows by `emailId`. */
function signedBounce(emailId: string, to: string) {
  const now = new Date();
  const body = JSON.stringify({
    type: "email.bounced",
    created_at: now.toISOString(),
    data: {
      email_id: emailId,
      created_at: now.toISOString(),
      from: "Beacon <alerts@beacon.localhost>",
      to: [to],
      subject: "Test alert from Beacon",
      bounce: { type: "Permanent", subType: "General", message: "550 5.1.1 no such user" },
    },
  });
  const id = `msg_${randomUUID()}`;
  const ts = String(Math.floor(now.getTime() / 1000));
  const key = Buffer.from(E2E_RESEND_WEBHOOK_SECRET.slice("whsec_".length), "base64");
  const mac = createHmac("sha256", key).update(`${id}.${ts}.${body}`).digest("base64");
  return {
    data: body,
    headers: {
      "content-type": "application/json",
      "svix-id": id,
      "svix-timestamp": ts,
      "svix-signature": `v1,${mac}`,
    },
  };
}

test("a bounced extra recipient is marked on the settings page, and the admin clears the mark", async ({
  page,
}) => {
  const address = `noc-${randomUUID().slice(0, 8)}@acme-ops.test`;
  await signIn(page, USERS.orgAdmin);
  await page.goto("/portal/alerts");

  const add = page.getByRole("form", { name: "Add recipient" });
  await add.getByLabel("Channel").selectOption("email");
  await add.getByLabel("Email or phone (+91…)").fill(address);
  await add.getByLabel("Role group").selectOption({ label: "Tech/DevOps" });
  await add.getByRole("button", { name: "Add recipient" }).click();
  const row = page.getByRole("listitem").filter({ hasText: address });
  await expect(row).toBeVisible();

  // A test email to it (the dev mailbox accepts it), then Resend reports a hard bounce.
  await page.getByLabel("Test email address").fill(address);
  await page.getByRole("button", { name: "Send test email" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "In dev mailbox (not sent)" }).first(),
  ).toBeVisible();
  await page.goto(`/portal/deliveries?channel=email&recipient=${encodeURIComponent(address)}`);
  await page
    .getByRole("link", { name: /Test alert from Beacon/ })
    .first()
    .click();
  const providerId = (await page.locator("dt:has-text('Provider id') + dd").innerText()).trim();
  expect(providerId).toMatch(/^devmail:/);
  const res = await page.request.post("/api/providers/resend", signedBounce(providerId, address));
  expect(res.status()).toBe(200);
  expect(await res.json()).toMatchObject({ outcome: "applied", status: "failed" });

  await page.goto("/portal/alerts");
  await expect(row).toContainText("Not getting through since");
  await expect(row).toContainText("550 5.1.1 no such user");
  await row.getByRole("button", { name: "Clear mark" }).click();
  await expect(row).not.toContainText("Not getting through");
  await expect(row.getByRole("button", { name: "Clear mark" })).toHaveCount(0);

  // Leave the tenant's recipients as they were.
  await row.getByRole("button", { name: "Remove" }).click();
  await row
    .getByRole("dialog")
    .getByRole("button", { name: /^Remove / })
    .click();
  await expect(row).toHaveCount(0);
});
