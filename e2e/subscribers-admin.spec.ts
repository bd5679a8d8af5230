import { expect, test, type Page } from "@playwright/test";
import { signIn, USERS } from "./helpers";

/** Subscribes from the status page's form as an anonymous visitor. */
async function subscribeFrom(visitor: Page, kind: "email" | "webhook", address: string) {
  await visitor.goto("/");
  const form = visitor.getByRole("form", { name: "Subscribe to updates" });
  if (kind === "webhook") {
    await form.getByLabel("Webhook", { exact: true }).check();
    await form.getByLabel("Webhook URL").fill(address);
  } else {
    await form.getByLabel("Email address").fill(address);
  }
  await form.getByRole("button", { name: "Subscribe" }).click();
  await expect(visitor.getByRole("status")).toContainText(
    kind === "webhook" ? "Subscribed" : "we sent a confirmation link",
  );
}

test("platform admins list, filter and remove subscribers and rotate a webhook's secret; the subscriber rotates its own", async ({
  browser,
}) => {
  const stamp = Date.now();
  const email = `awaiting-${stamp}@example.com`;
  // A port of its own makes this run's webhook host unique; nothing needs to listen there.
  const port = 20_000 + (stamp % 40_000);
  const host = `127.0.0.1:${port}`;

  const visitor = await (await browser.newContext()).newPage();
  await subscribeFrom(visitor, "webhook", `http://${host}/status-hook`);
  const subscribed = visitor.getByRole("status");
  const secret = await subscribed.getByRole("textbox", { name: "Signing secret" }).inputValue();
  const manageToken = await subscribed
    .getByRole("textbox", { name: "Management token" })
    .inputValue();
  expect(secret).toMatch(/^whsec_/);
  expect(manageToken).toMatch(/^bsm_/);
  await subscribeFrom(visitor, "email", email);

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, USERS.platformAdmin);
  await admin.goto("/portal");
  await admin
    .getByRole("navigation", { name: "Portal" })
    .getByRole("link", { name: "Subscribers" })
    .click();
  await expect(admin.getByRole("heading", { name: "Subscribers", level: 1 })).toBeVisible();
  const counts = admin.getByRole("table", { name: "Subscriber counts" });
  await expect(counts.getByRole("row", { name: /^Email/ })).toBeVisible();
  const awaitingEmails = Number(
    await counts
      .getByRole("row", { name: /^Email/ })
      .getByRole("cell")
      .nth(1)
      .textContent(),
  );
  expect(awaitingEmails).toBeGreaterThanOrEqual(1);

  // Filter: awaiting email subscribers whose address contains this run's stamp.
  const filter = admin.getByRole("form", { name: "Filter subscribers" });
  await filter.getByLabel("Status").selectOption("awaiting");
  await filter.getByLabel("Channel").selectOption("email");
  await filter.getByLabel("Address contains").fill(String(stamp));
  await filter.getByRole("button", { name: "Apply" }).click();
  const list = admin.getByRole("table", { name: "Subscribers" });
  await expect(list.getByRole("row")).toHaveCount(2); // header + the one match
  const emailRow = list.getByRole("row").filter({ hasText: email });
  await expect(emailRow).toContainText("Awaiting confirmation");
  await expect(emailRow).toContainText("All");

  // The webhook shows as its host only; its secret is rotated here and shown once.
  await filter.getByLabel("Status").selectOption({ label: "Any" });
  await filter.getByLabel("Channel").selectOption("webhook");
  await filter.getByLabel("Address contains").fill(String(port));
  await filter.getByRole("button", { name: "Apply" }).click();
  const hookRow = list.getByRole("row").filter({ hasText: host });
  await expect(hookRow).toBeVisible();
  await expect(hookRow).not.toContainText("status-hook");
  const rotate = hookRow.getByRole("form", { name: `Rotate secret of ${host}` });
  await rotate.getByRole("button", { name: "Rotate secret" }).click();
  await expect(rotate.getByRole("status")).toContainText("shown only once");
  const adminSecret = await rotate.getByRole("textbox", { name: "Signing secret" }).inputValue();
  expect(adminSecret).toMatch(/^whsec_/);
  expect(adminSecret).not.toBe(secret);
  await admin.reload();
  await expect(list.getByRole("row").filter({ hasText: host })).toContainText(
    "old secret valid until",
  );

  // The subscriber rotates with its management token, on the page or by API.
  await visitor.goto("/subscribe/manage");
  const manage = visitor.getByRole("form", { name: "Rotate signing secret" });
  await manage.getByLabel("Management token").fill("whsec_not-a-token");
  await manage.getByRole("button", { name: "Rotate secret" }).click();
  await expect(manage.getByText("must be the management token (bsm_…)")).toBeVisible();
  await manage.getByLabel("Management token").fill(manageToken);
  await manage.getByRole("button", { name: "Rotate secret" }).click();
  const done = visitor.getByRole("status");
  await expect(done).toContainText("New signing secret");
  const ownSecret = await done.getByRole("textbox", { name: "Signing secret" }).inputValue();
  expect(ownSecret).toMatch(/^whsec_/);
  expect([secret, adminSecret]).not.toContain(ownSecret);
  const byApi = await visitor.request.post("/api/subscribers/rotate-secret", {
    headers: { authorization: `Bearer ${manageToken}` },
  });
  expect(byApi.status()).toBe(200);
  expect(((await byApi.json()) as { secret: string }).secret).toMatch(/^whsec_/);

  // Remove the email subscriber (asks first).
  await admin.goto(`/portal/subscribers?q=${stamp}&channel=email`);
  await list
    .getByRole("row")
    .filter({ hasText: email })
    .getByRole("button", { name: `Remove ${email}` })
    .click();
  await admin
    .getByRole("dialog")
    .getByRole("button", { name: `Remove ${email}` })
    .click();
  await expect(admin.getByText("No subscribers match.")).toBeVisible();
});

test("a tenant admin has no Subscribers page, link or API", async ({ page }) => {
  await signIn(page, USERS.orgAdmin);
  await page.goto("/portal");
  await expect(
    page.getByRole("navigation", { name: "Portal" }).getByRole("link", { name: "Delivery log" }),
  ).toBeVisible();
  await expect(
    page.getByRole("navigation", { name: "Portal" }).getByRole("link", { name: "Subscribers" }),
  ).toHaveCount(0);
  const res = await page.goto("/portal/subscribers");
  expect(res?.status()).toBe(403);
  await expect(
    page.getByRole("heading", { name: "You don't have access to this page" }),
  ).toBeVisible();
  await expect(page.getByRole("table", { name: "Subscribers" })).toHaveCount(0);
  // The API wants a platform key; the session is not one.
  expect((await page.request.get("/api/v1/subscribers")).status()).toBe(401);
});
