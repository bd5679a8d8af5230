import { expect, type Browser, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "beacon-demo-2026";

/** The Resend webhook signing secret the e2e server runs with (playwright.config.ts). */
export const E2E_RESEND_WEBHOOK_SECRET = `whsec_${Buffer.from("beacon e2e resend webhook key").toString("base64")}`;

export const USERS = {
  platformAdmin: "admin@beacon.test",
  responder: "oncall@beacon.test",
  orgAdmin: "admin@acme.test",
  billingAdmin: "billing@acme.test",
  techDevops: "devops@acme.test",
  supportManager: "support@acme.test",
  globexAdmin: "admin@globex.test",
  supportAgent: "support@beacon.test",
} as const;

/** Signs in through Auth.js's credentials endpoint (faster than the form); cookies land in the page's context. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  const csrf = await page.request.get("/api/auth/csrf");
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await page.request.post("/api/auth/callback/credentials", {
    form: { csrfToken, email, password, callbackUrl: "/portal" },
    maxRedirects: 0,
  });
  expect(res.status(), `sign-in of ${email}`).toBe(302);
  expect(res.headers().location ?? "").not.toContain("error");
}

/**
 * The text of the newest dev-mailbox message to `to` whose subject matches, as a member of the
 * organization it went to (`page` signed in there) sees it.
 */
export async function devMailText(page: Page, to: string, subject: RegExp): Promise<string> {
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
  }).toPass({ timeout: 60_000 });
  return text;
}

/** The empty-database server's data directory and its output (playwright.config.ts, first-run project). */
export const EMPTY_DATA_DIR = ".data-e2e-empty";
export const EMPTY_SERVER_LOG = `${EMPTY_DATA_DIR}/server.log`;

/**
 * A new Acme member with `role`, joined as a person would: invited by Acme's admin, the address
 * proved by the link emailed to it (read from Acme's dev mailbox), an account created. Returns the
 * member's page, signed in, in a browser context of its own.
 */
export async function newAcmeMember(
  browser: Browser,
  role: string,
  name: string,
): Promise<{ page: Page; email: string; password: string }> {
  const email = `${role.toLowerCase().replace(/\W+/g, "-")}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@acme.test`;
  const password = `pw-${Math.random().toString(36).slice(2)}-long`;
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, USERS.orgAdmin);
  await admin.goto("/portal/members");
  await admin.getByLabel("Email").fill(email);
  await admin.getByLabel("Role", { exact: true }).selectOption({ label: role });
  await admin.getByRole("button", { name: "Invite", exact: true }).click();
  const invite = new URL(await admin.getByLabel("Invitation link").inputValue()).pathname;

  const page = await (await browser.newContext()).newPage();
  await page.goto(invite);
  await page.getByRole("button", { name: "Email me a link" }).click();
  await expect(page.getByText(`We emailed a link to ${email}`)).toBeVisible();
  const text = await devMailText(admin, email, /Confirm your email/);
  await admin.context().close();
  const verify = /\/invite\/verify\/[\w-]+/.exec(text)?.[0];
  expect(verify, "verification link in the email").toBeTruthy();
  await page.goto(verify!);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Choose a password").fill(password);
  await page.getByRole("button", { name: "Create account and join" }).click();
  await expect(page).toHaveURL(/\/portal$/, { timeout: 30_000 });
  await expect(page.getByTestId("role")).toHaveText(role);
  return { page, email, password };
}

/** Signs `page` in as `email` and creates an API key with the role labelled `role`; returns it. */
export async function createKey(page: Page, email: string, role: string): Promise<string> {
  await signIn(page, email);
  await page.goto("/portal/api-keys");
  await page.getByLabel("Name").fill(`e2e ${role} ${Date.now()}`);
  await page.getByLabel("Role").selectOption({ label: role });
  await page.getByRole("button", { name: "Create key" }).click();
  return page.getByLabel("New API key").inputValue();
}
