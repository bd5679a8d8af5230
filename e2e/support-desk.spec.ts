import { expect, test } from "@playwright/test";
import { createKey, devMailText, signIn, USERS } from "./helpers";

// Seed 001's escalation matrix as a working desk: Tier 1 ticket from a failed delivery, support
// answers, the tenant is not satisfied and escalates to Tier 2, then Tier 3 through the form.
test("a ticket from a failed delivery goes through Tier 1, Tier 2 and the Tier 3 form", async ({
  browser,
  request,
}) => {
  const tenant = await browser.newPage();
  const key = await createKey(tenant, USERS.orgAdmin, "Org Admin");
  const auth = { authorization: `Bearer ${key}` };

  // A webhook endpoint nobody listens on: its test alert fails at once (a test is tried once).
  const name = `Desk e2e hook ${Date.now()}`;
  const created = await request.post("/api/v1/endpoints", {
    headers: auth,
    data: { type: "webhook", name, url: "http://127.0.0.1:9/hook" },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { endpoint } = await created.json();
  const sent = await request.post("/api/v1/test-alerts", {
    headers: auth,
    data: { channel: "webhook", endpointId: endpoint.id },
  });
  const { deliveryIds } = await sent.json();
  const deliveryId = deliveryIds[0] as string;
  await expect
    .poll(
      async () =>
        (await (await request.get(`/api/v1/deliveries/${deliveryId}`, { headers: auth })).json())
          .status,
      { timeout: 30_000 },
    )
    .toBe("failed");

  // The delivery log's failed row → "Raise a ticket", with the delivery's facts filled in.
  await tenant.goto(`/portal/deliveries?id=${deliveryId}`);
  await tenant.getByRole("link", { name: "Raise a ticket about this delivery" }).click();
  await expect(tenant.getByRole("heading", { name: "Raise a ticket" })).toBeVisible();
  await expect(tenant.getByLabel("Webhook")).toBeChecked();
  await expect(tenant.getByLabel("What happened")).toHaveValue(new RegExp(deliveryId));
  await expect(tenant.getByLabel("When you saw it")).not.toHaveValue("");
  const subject = `Webhook alerts failing ${Date.now()}`;
  await tenant.getByLabel("Subject").fill(subject);
  await tenant.getByLabel("Severity").selectOption("high");
  await tenant.getByRole("button", { name: "Raise ticket" }).click();
  const t1Heading = tenant.getByRole("heading", { level: 1 });
  await expect(t1Heading).toContainText(subject);
  const t1Ref = (await t1Heading.textContent())!.match(/T1-\d{4}-\d{6}/)![0];
  const t1Url = tenant.url();

  // Platform support finds it in the queue, answers (which acknowledges it).
  const agent = await browser.newPage();
  await signIn(agent, USERS.supportAgent);
  await agent.goto("/portal/support");
  await agent.getByRole("link", { name: t1Ref }).click();
  await agent.getByLabel("Reply or internal note").fill("Your receiver refuses connections.");
  await agent.getByRole("button", { name: "Send" }).click();
  await expect(agent.getByText("Your receiver refuses connections.")).toBeVisible();
  await expect(agent.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(agent.getByText(/Tier 1 · high · Acknowledged/)).toBeVisible();

  // The tenant is not satisfied and escalates to Tier 2.
  await tenant.goto(t1Url);
  await expect(tenant.getByText("Your receiver refuses connections.")).toBeVisible();
  await tenant.getByLabel("What is still wrong").fill("It listens; your retries never arrive.");
  await tenant.getByRole("button", { name: "Mark answer unsatisfactory" }).click();
  await expect(
    tenant.getByText("You can escalate: you marked the answer unsatisfactory."),
  ).toBeVisible();
  await tenant.getByLabel("What you need from the escalation team").fill("A second look today.");
  await tenant.getByRole("button", { name: "Escalate to Tier 2" }).click();
  const t2Heading = tenant.getByRole("heading", { level: 1 });
  await expect(t2Heading).toContainText(/T2-\d{4}-\d{6}/);
  const t2Ref = (await t2Heading.textContent())!.match(/T2-\d{4}-\d{6}/)![0];
  await expect(tenant.getByRole("link", { name: t1Ref })).toBeVisible();

  // The Tier 3 form refuses an ID that is not this tenant's open Tier 2 ticket, keeping the reason.
  await tenant.goto("/portal/support");
  const form = tenant.getByRole("form", { name: "Tier 3 escalation" });
  await form.getByLabel("Tier 2 ticket ID").fill(t1Ref);
  await form.getByLabel("Why this needs senior attention").fill("Alerts lost for a day.");
  await form.getByRole("button", { name: "Escalate to Tier 3" }).click();
  await expect(form.getByText("Tier 2 ticket ID: is a Tier 1 ticket")).toBeVisible();
  await expect(form.getByLabel("Tier 2 ticket ID")).toBeFocused();
  await expect(form.getByLabel("Why this needs senior attention")).toHaveValue(
    "Alerts lost for a day.",
  );
  await form.getByLabel("Tier 2 ticket ID").fill(t2Ref);
  await form.getByRole("button", { name: "Escalate to Tier 3" }).click();
  await expect(tenant.getByRole("heading", { level: 1 })).toContainText(/T3-\d{4}-\d{6}/);

  // The platform admin is told, by email among their channels (the dev mailbox here).
  const admin = await browser.newPage();
  await signIn(admin, USERS.platformAdmin);
  const mail = await devMailText(admin, USERS.platformAdmin, /Tier 3 escalation/);
  expect(mail).toContain("Alerts lost for a day.");

  // The dead endpoint would otherwise be sent (and retry) every later public incident.
  const removed = await request.delete(`/api/v1/endpoints/${endpoint.id}`, { headers: auth });
  expect(removed.status()).toBe(204);
});
