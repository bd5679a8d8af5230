import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { createKey, signIn, USERS } from "./helpers";

/** A local webhook receiver (the app runs with ALLOW_PRIVATE_WEBHOOKS=true for tests). */
async function startReceiver() {
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/beacon`,
    received,
    close: () => server.close(),
  };
}

test.describe.configure({ mode: "serial" });

test("admin ticks a channel, adds a signed webhook, sends a test alert and sees it delivered", async ({
  page,
}) => {
  const receiver = await startReceiver();
  try {
    await signIn(page, USERS.orgAdmin);
    await page.goto("/portal/alerts");
    await expect(page.getByRole("heading", { name: "Alerts & Notifications" })).toBeVisible();

    // The seed's defaults: Org Admins get Infrastructure by SMS; Configurable email is opt-in (off).
    await expect(page.getByLabel("Infrastructure · Org Admins · SMS")).toBeChecked();
    await expect(page.getByLabel("Configurable · Org Admins · Email")).not.toBeChecked();

    const inApp = page.getByLabel("Infrastructure · Tech/DevOps · In-app");
    await inApp.check();
    await page.getByRole("button", { name: "Save channels" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Channels saved." })).toBeVisible();
    await page.reload();
    await expect(page.getByLabel("Infrastructure · Tech/DevOps · In-app")).toBeChecked();

    const add = page.getByRole("form", { name: "Add endpoint" });
    await add.getByLabel("Type").selectOption("webhook");
    const receiverName = `E2E receiver ${Date.now()}`;
    await add.getByLabel("Name").fill(receiverName);
    await add.getByLabel("URL").fill(receiver.url);
    await add.getByRole("button", { name: "Add endpoint" }).click();
    const secret = await add.getByLabel("Signing secret").inputValue();
    expect(secret).toMatch(/^whsec_/);

    await page.reload();
    const test = page.getByRole("form", { name: `Send test alert to ${receiverName}` });
    await test.getByRole("button", { name: `Send test alert to ${receiverName}` }).click();
    await expect(test.getByRole("status")).toHaveText(/Delivered \(HTTP 200\)/);

    // Other specs run in parallel on the same tenant, so a public incident may reach this
    // endpoint too: count only the test alerts.
    const tests = receiver.received.filter((r) => JSON.parse(r.body).type === "alert.test");
    expect(tests).toHaveLength(1);
    const event = new Webhook(secret).verify(
      tests[0]!.body,
      tests[0]!.headers as Record<string, string>,
    ) as {
      type: string;
    };
    expect(event.type).toBe("alert.test");

    // The delivery log has it, with its trace and attempt.
    await page.goto("/portal/deliveries?channel=webhook");
    await page.getByRole("link", { name: "Test alert from Beacon" }).first().click();
    await expect(page.getByTestId("delivery-status")).toHaveText("delivered");
    await expect(
      page.getByText("routing rules, quiet hours and digests do not apply"),
    ).toBeVisible();
  } finally {
    receiver.close();
  }
});

test("a test email lands in the dev mailbox and an in-app alert in the inbox", async ({ page }) => {
  await signIn(page, USERS.orgAdmin);
  await page.goto("/portal/alerts");
  const email = page.getByRole("form", { name: "Send test email" });
  // Test alerts go only to the organization's own addresses: a member's here.
  await email.getByLabel("Test email address").fill("billing@acme.test");
  await email.getByRole("button", { name: "Send test email" }).click();
  // Only stored in the dev mailbox (no provider under test): never shown as "Delivered".
  await expect(email.getByRole("status")).toHaveText("In dev mailbox (not sent)");

  const inApp = page.getByRole("form", { name: "Send test in-app alert" });
  await inApp.getByRole("button", { name: "Send test in-app alert" }).click();
  await expect(inApp.getByRole("status")).toHaveText(/Delivered/);

  await page.goto("/portal/dev/mailbox");
  await expect(page.getByText("NOT SENT")).toBeVisible();
  await expect(
    page.getByRole("list", { name: "Messages" }).getByText("billing@acme.test").first(),
  ).toBeVisible();

  await page.goto("/portal/inbox");
  await expect(page.getByRole("heading", { name: /1 unread|[0-9]+ unread/ })).toBeVisible();
  await expect(
    page
      .getByRole("list", { name: "Inbox items" })
      .getByText(/Test alert from Beacon/)
      .first(),
  ).toBeVisible();
});

test("a member without the permission sees the settings read-only", async ({ page }) => {
  await signIn(page, USERS.supportManager);
  await page.goto("/portal/alerts");
  await expect(
    page.getByText("Changing them needs the “Manage Alerts & Notifications” permission"),
  ).toBeVisible();
  await expect(page.getByRole("button", { name: "Save channels" })).toHaveCount(0);
  await expect(page.getByLabel("Infrastructure · Support Managers · Email")).toBeDisabled();
});

test("the same settings through /api/v1: validation, permission, endpoint, test alert and its result", async ({
  browser,
  request,
}) => {
  const receiver = await startReceiver();
  try {
    const admin = await createKey(await browser.newPage(), USERS.orgAdmin, "Org Admin");
    const support = await createKey(await browser.newPage(), USERS.orgAdmin, "Support Manager");
    const globex = await createKey(await browser.newPage(), USERS.globexAdmin, "Org Admin");
    const as = (key: string) => ({ authorization: `Bearer ${key}` });

    const settings = await request.get("/api/v1/alert-settings", { headers: as(admin) });
    expect(settings.status()).toBe(200);
    expect((await settings.json()).categories).toEqual({
      infrastructure: true,
      billing: true,
      configurable: true,
      maintenance: true,
    });

    const bad = await request.put("/api/v1/alert-settings", {
      headers: as(admin),
      data: { quietHours: { enabled: true, start: "22:00", end: "7am", timeZone: "Nowhere/City" } },
    });
    expect(bad.status()).toBe(422);
    expect((await bad.json()).error.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      "quietHours.end",
      "quietHours.timeZone",
    ]);

    const denied = await request.put("/api/v1/alert-settings", {
      headers: as(support),
      data: { digestMode: "daily" },
    });
    expect(denied.status()).toBe(403);
    expect(
      (await (await request.get("/api/v1/alert-settings", { headers: as(admin) })).json())
        .digestMode,
    ).toBe("immediate");

    const created = await request.post("/api/v1/endpoints", {
      headers: as(admin),
      data: { type: "webhook", name: "API receiver", url: receiver.url },
    });
    expect(created.status()).toBe(201);
    const { endpoint, secret } = await created.json();
    expect(secret).toMatch(/^whsec_/);
    const listed = await (await request.get("/api/v1/endpoints", { headers: as(admin) })).json();
    expect(JSON.stringify(listed)).not.toContain("whsec_");

    const queued = await request.post("/api/v1/test-alerts", {
      headers: as(admin),
      data: { channel: "webhook", endpointId: endpoint.id },
    });
    expect(queued.status()).toBe(202);
    const [deliveryId] = (await queued.json()).deliveryIds;
    await expect
      .poll(
        async () =>
          (
            await (
              await request.get(`/api/v1/deliveries/${deliveryId}`, { headers: as(admin) })
            ).json()
          ).status,
      )
      .toBe("delivered");
    expect(receiver.received.length).toBeGreaterThanOrEqual(1);

    expect(
      (await request.get(`/api/v1/deliveries/${deliveryId}`, { headers: as(globex) })).status(),
    ).toBe(404);
    expect(
      (await request.delete(`/api/v1/endpoints/${endpoint.id}`, { headers: as(globex) })).status(),
    ).toBe(404);
    expect(
      (await request.delete(`/api/v1/endpoints/${endpoint.id}`, { headers: as(admin) })).status(),
    ).toBe(204);
    expect(
      (await request.delete(`/api/v1/endpoints/${endpoint.id}`, { headers: as(admin) })).status(),
    ).toBe(404);
  } finally {
    receiver.close();
  }
});

test("a real trigger (a threshold rule firing) reaches the dev mailbox and the in-app inbox, with its trace", async ({
  page,
  request,
}) => {
  await signIn(page, USERS.orgAdmin);
  await page.goto("/portal/alerts");
  await page.getByLabel("Billing · Org Admins · In-app").check();
  await page.getByRole("button", { name: "Save channels" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Channels saved." })).toBeVisible();

  const key = await createKey(page, USERS.orgAdmin, "Tech/DevOps");
  const name = `Wallet low ${Date.now()}`;
  const metric = `wallet_${Date.now()}`;
  await page.goto("/portal/thresholds");
  await page.getByLabel("Title").fill(name);
  await page.getByLabel("Metric").fill(metric);
  await page.getByLabel("Condition", { exact: true }).selectOption("lt");
  await page.getByLabel("Threshold", { exact: true }).fill("500");
  await page.getByLabel("Area").selectOption("billing");
  await page.getByRole("button", { name: "Save rule" }).click();
  await expect(page.getByRole("row", { name: new RegExp(name) })).toBeVisible();

  const res = await request.post("/api/v1/metrics", {
    headers: { authorization: `Bearer ${key}` },
    data: { samples: [{ metric, value: 120 }] },
  });
  expect(res.status()).toBe(202);

  // The embedded driver is woken by the commit: no waiting for a poll interval.
  await expect(async () => {
    await page.goto("/portal/dev/mailbox");
    await expect(
      page.getByRole("list", { name: "Messages" }).getByText(new RegExp(name)).first(),
    ).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });

  await page.goto("/portal/inbox");
  await expect(
    page.getByRole("list", { name: "Inbox items" }).getByText(new RegExp(name)).first(),
  ).toBeVisible();
  await expect(page.getByTestId("inbox-indicator")).toContainText("unread");

  await page.goto("/portal/deliveries?channel=email&recipient=billing%40acme.test");
  await page
    .getByRole("link", { name: new RegExp(name) })
    .first()
    .click();
  await expect(page.getByTestId("delivery-status")).toHaveText("In dev mailbox (not sent)");
  await expect(page.getByText("Member of Billing Admins: billing → email")).toBeVisible();
});
