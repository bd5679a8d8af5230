import { expect, test } from "@playwright/test";
import { signIn, USERS } from "./helpers";

test("an org admin defines a low-balance rule that fires from posted samples", async ({
  page,
  request,
}) => {
  await signIn(page, USERS.orgAdmin);
  await page.goto("/portal/api-keys");
  await page.getByLabel("Name").fill(`metrics-${Date.now()}`);
  await page.getByLabel("Role").selectOption({ label: "Tech/DevOps" });
  await page.getByRole("button", { name: "Create key" }).click();
  const key = await page.getByLabel("New API key").inputValue();

  const name = `Low balance ${Date.now()}`;
  const metric = `balance_${Date.now()}`;
  await page.goto("/portal/thresholds");
  await page.getByLabel("Title").fill(name);
  await page.getByLabel("Metric").fill(metric);
  await page.getByLabel("Condition").selectOption("lt");
  await page.getByLabel("Threshold", { exact: true }).fill("500");
  await page.getByLabel("Category").selectOption("billing");
  await page.getByRole("button", { name: "Save rule" }).click();
  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText("No samples yet");

  const bad = await request.post("/api/v1/metrics", {
    headers: { authorization: `Bearer ${key}` },
    data: { samples: [{ metric, value: "lots" }] },
  });
  expect(bad.status()).toBe(422);
  expect((await bad.json()).error.fields).toEqual([
    { field: "samples.0.value", message: "must be a number" },
  ]);

  const res = await request.post("/api/v1/metrics", {
    headers: { authorization: `Bearer ${key}` },
    data: { samples: [{ metric, value: 420 }] },
  });
  expect(res.status()).toBe(202);
  expect((await res.json()).transitions).toHaveLength(1);

  await page.reload();
  await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText("Firing");
  await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText("420");
});

test("a support manager cannot manage threshold rules", async ({ page }) => {
  await signIn(page, USERS.supportManager);
  const res = await page.goto("/portal/thresholds");
  expect(res?.status()).toBe(403);
});
