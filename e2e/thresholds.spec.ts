import { expect, test } from "@playwright/test";
import { signIn, USERS } from "./helpers";

test("Balance below 500 with a reset at 600 and a contact: fires once at 450, not at 520, resets at 650", async ({
  page,
  request,
}) => {
  // The dev server compiles each page on first use: slow on a busy machine.
  test.setTimeout(420_000);
  await signIn(page, USERS.orgAdmin);
  await page.goto("/portal/api-keys");
  await page.getByLabel("Name").fill(`metrics-${Date.now()}`);
  await page.getByLabel("Role").selectOption({ label: "Tech/DevOps" });
  await page.getByRole("button", { name: "Create key" }).click();
  const key = await page.getByLabel("New API key").inputValue();
  const auth = { authorization: `Bearer ${key}` };

  const stamp = Date.now();
  const name = `Balance below 500 ${stamp}`;
  const metric = `balance_${stamp}`;
  const contact = `finance-${stamp}@acme.test`;
  await page.goto("/portal/thresholds");
  await page.getByLabel("Title").fill(name);
  await page.getByLabel("Area").selectOption("billing");
  await page.getByLabel("Metric").fill(metric);
  await page.getByLabel("Condition", { exact: true }).selectOption("lt");
  await page.getByLabel("Threshold", { exact: true }).fill("500");
  await page.getByLabel("Reset threshold").fill("600");
  await page.getByLabel("Contact emails").fill(contact);
  await page.getByRole("button", { name: "Save rule" }).click();
  const row = page.getByRole("row", { name: new RegExp(name) });
  // The first save compiles the action on the dev server.
  await expect(row).toContainText("No samples yet", { timeout: 120_000 });
  await expect(row).toContainText("reset 600");

  const bad = await request.post("/api/v1/metrics", {
    headers: auth,
    data: {
      samples: [
        { metric, value: 1 },
        { metric, value: "lots" },
      ],
    },
  });
  expect(bad.status()).toBe(422);
  expect((await bad.json()).error.fields).toEqual([
    { field: "samples.1.value", message: "must be a number" },
  ]);

  const post = async (value: number) => {
    const res = await request.post("/api/v1/metrics", {
      headers: auth,
      data: { samples: [{ metric, value }] },
    });
    expect(res.status()).toBe(202);
    return ((await res.json()) as { transitions: { state: string; action?: string }[] })
      .transitions;
  };
  expect(await post(800)).toEqual([]);
  expect((await post(450)).map((t) => t.action)).toEqual(["fire"]);
  expect(await post(520)).toEqual([]);
  expect((await post(650)).map((t) => t.action)).toEqual(["recover"]);

  // The delivery log: one alert and one recovered notice to the rule's contact.
  await expect(async () => {
    await page.goto(`/portal/deliveries?recipient=${encodeURIComponent(contact)}`);
    // One row each (a row links both the alert and its incident, both named after the rule).
    const rows = page
      .getByRole("table", { name: "Deliveries" })
      .getByRole("row")
      .filter({ hasText: name });
    await expect(rows).toHaveCount(2, { timeout: 1000 });
  }).toPass({ timeout: 180_000 });

  // The dev mailbox: the fired alert and the recovered notice, once each.
  await expect(async () => {
    await page.goto("/portal/dev/mailbox");
    const mine = page
      .getByRole("list", { name: "Messages" })
      .getByRole("listitem")
      .filter({ hasText: contact });
    await expect(mine).toHaveCount(2, { timeout: 1000 });
    await expect(mine.filter({ hasText: /Recovered/ })).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 180_000 });

  // The rule's page: normal again, and the chart shows one firing span.
  await page.goto("/portal/thresholds");
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByText(/^Normal · last value 650/)).toBeVisible();
  await expect(page.getByTestId("firing-span")).toHaveCount(1);
  await expect(page.getByText(/Threshold 500, reset 600\. Firing from/)).toBeVisible();

  // Editing: a changed threshold is saved and shown.
  await page.getByLabel("Threshold", { exact: true }).fill("400");
  await page.getByRole("button", { name: "Save rule" }).click();
  await expect(page.getByText("Rule saved.")).toBeVisible({ timeout: 120_000 });
  await page.goto("/portal/thresholds");
  await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText(`${metric} < 400`);
});

test("a support manager cannot manage threshold rules", async ({ page }) => {
  await signIn(page, USERS.supportManager);
  const res = await page.goto("/portal/thresholds");
  expect(res?.status()).toBe(403);
});
