import { expect, test } from "@playwright/test";
import { devMailText, newAcmeMember, signIn, USERS } from "./helpers";

const SAME_ANSWER =
  "If an account exists for that address, we've emailed a link to set a new password. It works once and expires in 1 hour.";

test("forgot password: one answer for every address, a single-use emailed link, other sessions ended", async ({
  browser,
}) => {
  // A member of its own, so no other test's password changes; signed in in its own browser.
  const member = await newAcmeMember(browser, "Support Manager", "Petra Forgetful");
  const old = member.page;

  const page = await (await browser.newContext()).newPage();
  await page.goto("/signin");
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
  const form = page.getByRole("form", { name: "Email me a reset link" });

  // An address with no account gets the same answer as one with.
  await form.getByLabel("Email").fill(`nobody-${Date.now()}@acme.test`);
  await form.getByRole("button", { name: "Email me a link" }).click();
  await expect(form.getByRole("status")).toHaveText(SAME_ANSWER);
  await page.reload();
  await form.getByLabel("Email").fill(member.email);
  await form.getByRole("button", { name: "Email me a link" }).click();
  await expect(form.getByRole("status")).toHaveText(SAME_ANSWER);

  // No provider under test: the link lands in the dev mailbox of the member's organization.
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, USERS.orgAdmin);
  const mail = await devMailText(admin, member.email, /Reset your Beacon password/);
  await admin.context().close();
  const resetPath = /\/signin\/reset\/[\w-]+/.exec(mail)?.[0];
  expect(resetPath, "reset link in the email").toBeTruthy();

  const newPassword = "a-brand-new-password-2026";
  await page.goto(resetPath!);
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL(/\/portal$/, { timeout: 30_000 });
  await expect(page.getByTestId("role")).toHaveText("Support Manager");

  // The link worked once.
  const reused = await page.goto(resetPath!);
  expect(reused?.status()).toBe(404);
  await expect(page.getByRole("button", { name: "Set new password" })).toHaveCount(0);

  // The session the member had in the other browser is over.
  await old.goto("/portal");
  await expect(old).toHaveURL(/\/signin/);

  // The new password signs in; the old one no longer does.
  const fresh = await (await browser.newContext()).newPage();
  await fresh.goto("/signin");
  await fresh.getByLabel("Email", { exact: true }).fill(member.email);
  await fresh.getByLabel("Password", { exact: true }).fill(member.password);
  await fresh.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(
    fresh.getByRole("alert").filter({ hasText: "Invalid email or password." }),
  ).toBeVisible();
  await fresh.getByLabel("Password", { exact: true }).fill(newPassword);
  await fresh.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(fresh).toHaveURL(/\/portal$/, { timeout: 30_000 });
  await expect(fresh.getByTestId("role")).toHaveText("Support Manager");
});

test("audit log: an org admin finds their own rename; a billing admin has no access", async ({
  browser,
}) => {
  const { page } = await newAcmeMember(browser, "Org Admin", "Olga Original");
  const newName = `Olga Renamed ${Date.now()}`;
  await page.goto("/portal/profile");
  const rename = page.getByRole("form", { name: "Change name" });
  await rename.getByLabel("Name", { exact: true }).fill(newName);
  await rename.getByRole("button", { name: "Save name" }).click();
  await expect(rename.getByRole("status")).toBeVisible();

  await page
    .getByRole("navigation", { name: "Portal" })
    .getByRole("link", { name: "Audit log" })
    .click();
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  const filter = page.getByRole("form", { name: "Filter the audit log" });
  await filter.getByLabel("Action").selectOption("user.renamed");
  await filter.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/action=user\.renamed/);
  const row = page
    .getByRole("table", { name: "Audit log entries" })
    .getByRole("row")
    .filter({ hasText: newName });
  await expect(row.first()).toBeVisible();
  await expect(row.first()).toContainText("user.renamed");
  await expect(row.first()).toContainText("Olga Original");

  const billing = await (await browser.newContext()).newPage();
  await signIn(billing, USERS.billingAdmin);
  await billing.goto("/portal");
  await expect(billing.getByTestId("role")).toHaveText("Billing Admin");
  await expect(
    billing.getByRole("navigation", { name: "Portal" }).getByRole("link", { name: "Audit log" }),
  ).toHaveCount(0);
  const res = await billing.goto("/portal/audit");
  expect(res?.status()).toBe(403);
  await expect(
    billing.getByRole("heading", { name: "You don't have access to this page" }),
  ).toBeVisible();
});
