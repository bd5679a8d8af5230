import { expect, test, type Browser, type Locator, type Page } from "@playwright/test";
import { devMailText, signIn, USERS } from "./helpers";

/**
 * Issue 15, forms: a server-side validation error keeps what was typed and chosen, puts the focus
 * on the first field in error, and words the error by the field's label (never an input path);
 * destructive actions ask first.
 */

// The dev server compiles each page on first use, and the machine may be busy: generous deadlines.
test.beforeEach(() => test.setTimeout(300_000));
/** How long a server action may take to answer on a busy machine. */
const SERVER = 90_000;

async function signedIn(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, email);
  return page;
}

/** Lets the server judge the values (the browser's own checks would stop some before it). */
async function serverValidates(form: Locator) {
  await form.evaluate((f: HTMLFormElement) => (f.noValidate = true));
}

/** No input path of the verb reaches the person filling the form. */
async function expectNoInputPaths(form: Locator, paths: string[]) {
  const text = await form.innerText();
  // A raw input path at the start of a line ("password: …"), not a label that ends the same way.
  for (const p of paths)
    expect(text, `the form shows "${p}"`).not.toMatch(
      new RegExp(`(^|\\n)${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
    );
}

test("opening an incident: an error keeps the whole draft and names the field by its label", async ({
  browser,
}) => {
  const page = await signedIn(browser, USERS.responder);
  await page.goto("/portal/incidents");
  const form = page.getByRole("form", { name: "Open an incident" });
  const title = `Draft kept ${Date.now()}`;
  await expect(form.getByLabel("Notify subscribers", { exact: true })).toBeChecked(); // on by default
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Category").selectOption("configurable");
  await form.getByLabel("Impact").selectOption("critical");
  await form.getByLabel("Status", { exact: true }).selectOption("identified");
  await form.getByLabel("Voice routing in Mumbai").selectOption("major_outage");
  await form.getByLabel("First update (markdown)").fill("Calls to Mumbai are failing.");
  await form.getByLabel("Notify subscribers", { exact: true }).uncheck();
  // Audience left Public: a Configurable incident must name its tenant.
  await form.getByRole("button", { name: "Open incident" }).click();

  const audience = form.getByLabel("Audience");
  await expect(
    form.getByText(/^Audience: a Configurable incident .*choose the tenant$/),
  ).toBeVisible({ timeout: SERVER });
  await expect(audience).toBeFocused();
  await expect(audience).toHaveAttribute("aria-invalid", "true");
  await expect(audience).toHaveAccessibleDescription(/^Audience: a Configurable incident/);
  await expect(form.getByLabel("Title")).toHaveValue(title);
  await expect(form.getByLabel("Category")).toHaveValue("configurable");
  await expect(form.getByLabel("Impact")).toHaveValue("critical");
  await expect(form.getByLabel("Status", { exact: true })).toHaveValue("identified");
  await expect(form.getByLabel("Voice routing in Mumbai")).toHaveValue("major_outage");
  await expect(form.getByLabel("First update (markdown)")).toHaveValue(
    "Calls to Mumbai are failing.",
  );
  await expect(form.getByLabel("Notify subscribers", { exact: true })).not.toBeChecked();
  // Said once, beside the field; the line at the end only points at it.
  await expect(form.getByText(/a Configurable incident concerns one tenant/)).toHaveCount(1);
  await expect(form.getByRole("alert")).toHaveText("Please correct the field marked above.");
  await expectNoInputPaths(form, ["audienceOrgId"]);

  // Fixing the one field is enough: nothing else has to be typed again.
  await audience.selectOption({ label: "Acme Telecom only" });
  await form.getByRole("button", { name: "Open incident" }).click();
  await page.waitForURL(/\/portal\/incidents\/[0-9a-f-]{36}$/, { timeout: SERVER });
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
});

test("scheduling maintenance: an end before the start keeps the rest", async ({ browser }) => {
  const page = await signedIn(browser, USERS.responder);
  await page.goto("/portal/incidents");
  const form = page.getByRole("form", { name: "Schedule maintenance" });
  const title = `Window kept ${Date.now()}`;
  await expect(form.getByLabel("Notify subscribers", { exact: true })).toBeChecked();
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Starts (UTC)").fill("2030-05-01T22:00");
  await form.getByLabel("Ends (UTC)").fill("2030-05-01T21:00");
  await form.getByLabel("Audience").selectOption({ label: "Acme Telecom only" });
  await form.getByLabel("Voice routing in Mumbai").selectOption("under_maintenance");
  await form.getByLabel("Message (markdown)").fill("Upgrading the SIP proxies.");
  await form.getByRole("button", { name: "Schedule maintenance" }).click();

  const ends = form.getByLabel("Ends (UTC)");
  await expect(form.getByText("Ends (UTC): must be after the start of the window")).toBeVisible({
    timeout: SERVER,
  });
  await expect(ends).toBeFocused();
  await expect(ends).toHaveValue("2030-05-01T21:00");
  await expect(form.getByLabel("Title")).toHaveValue(title);
  await expect(form.getByLabel("Starts (UTC)")).toHaveValue("2030-05-01T22:00");
  await expect(form.getByLabel("Audience")).toHaveValue(/[0-9a-f-]{36}/);
  await expect(form.getByLabel("Audience").locator("option:checked")).toHaveText(
    "Acme Telecom only",
  );
  await expect(form.getByLabel("Voice routing in Mumbai")).toHaveValue("under_maintenance");
  await expect(form.getByLabel("Message (markdown)")).toHaveValue("Upgrading the SIP proxies.");
  await expect(form.getByLabel("Notify subscribers", { exact: true })).toBeChecked();
  await expectNoInputPaths(form, ["scheduledUntil", "scheduledFor"]);
});

test("subscribing: a bad address keeps the chosen components and regions", async ({ browser }) => {
  const page = await (await browser.newContext()).newPage();
  await page.goto("/");
  const form = page.getByRole("form", { name: "Subscribe to updates" });
  await serverValidates(form);
  await form.getByText("Only some components or regions").click();
  await form.getByRole("checkbox", { name: "Voice routing" }).check();
  await form.getByRole("checkbox", { name: "Mumbai" }).check();
  await form.getByLabel("Email address").fill("visitor@example");
  await form.getByRole("button", { name: "Subscribe" }).click();

  const email = form.getByLabel("Email address");
  await expect(form.getByText("Email address: Enter a valid email address")).toBeVisible({
    timeout: SERVER,
  });
  await expect(email).toBeFocused();
  await expect(email).toHaveValue("visitor@example");
  await expect(form.getByRole("checkbox", { name: "Voice routing" })).toBeChecked();
  await expect(form.getByRole("checkbox", { name: "Mumbai" })).toBeChecked();
  await expect(form.getByText("Enter a valid email address")).toHaveCount(1);

  // The webhook choice stays too, and the URL's error is worded by its label.
  await form.getByRole("radio", { name: "Webhook" }).check();
  await form.getByLabel("Webhook URL").fill("not a url");
  await form.getByRole("button", { name: "Subscribe" }).click();
  await expect(form.getByText("Webhook URL: Enter a full URL starting with https://")).toBeVisible({
    timeout: SERVER,
  });
  await expect(form.getByRole("radio", { name: "Webhook" })).toBeChecked();
  await expect(form.getByLabel("Webhook URL")).toBeFocused();
  await expect(form.getByLabel("Webhook URL")).toHaveValue("not a url");
  await expect(form.getByRole("checkbox", { name: "Voice routing" })).toBeChecked();
});

test("adding a recipient and an endpoint: the choices stay; removing asks first", async ({
  browser,
}) => {
  const page = await signedIn(browser, USERS.orgAdmin);
  await page.goto("/portal/alerts");

  const recipient = page.getByRole("form", { name: "Add recipient" });
  await serverValidates(recipient);
  await recipient.getByLabel("Channel").selectOption("sms");
  await recipient.getByLabel("Email or phone (+91…)").fill("call me maybe");
  await recipient.getByLabel("Role group").selectOption("billing_admin");
  await recipient.getByRole("button", { name: "Add recipient" }).click();
  const address = recipient.getByLabel("Email or phone (+91…)");
  await expect(
    recipient.getByText(/^Email or phone \(\+91…\): must be a phone number in E\.164 form/),
  ).toBeVisible({ timeout: SERVER });
  await expect(address).toBeFocused();
  await expect(address).toHaveValue("call me maybe");
  await expect(recipient.getByLabel("Channel")).toHaveValue("sms");
  await expect(recipient.getByLabel("Role group")).toHaveValue("billing_admin");
  await expectNoInputPaths(recipient, ["address:", "roleGroup"]);

  const endpoint = page.getByRole("form", { name: "Add endpoint" });
  const name = `Ops Slack ${Date.now()}`;
  await endpoint.getByLabel("Type").selectOption("slack");
  await endpoint.getByLabel("Name").fill(name);
  // Not https (the e2e server allows private http receivers, and any Slack host).
  await endpoint.getByLabel("URL").fill("ftp://example.com/not-slack");
  await endpoint.getByLabel("Receives for").selectOption("tech_devops");
  // Filters: one component, one region and a minimum impact, all kept after the error.
  const componentBoxes = endpoint.getByRole("group", { name: /^Components/ }).getByRole("checkbox");
  const regionBoxes = endpoint.getByRole("group", { name: /^Regions/ }).getByRole("checkbox");
  await componentBoxes.nth(1).check();
  await regionBoxes.first().check();
  await endpoint.getByLabel("Minimum impact").selectOption("major");
  await endpoint.getByRole("button", { name: "Add endpoint" }).click();
  const url = endpoint.getByLabel("URL");
  await expect(endpoint.getByText(/^URL: must use https:\/\//)).toBeVisible({
    timeout: SERVER,
  });
  await expect(url).toBeFocused();
  await expect(endpoint.getByLabel("Type")).toHaveValue("slack"); // not back to Webhook
  await expect(endpoint.getByLabel("Name")).toHaveValue(name);
  await expect(url).toHaveValue("ftp://example.com/not-slack");
  await expect(endpoint.getByLabel("Receives for")).toHaveValue("tech_devops");
  await expect(componentBoxes.nth(1)).toBeChecked();
  await expect(componentBoxes.first()).not.toBeChecked();
  await expect(regionBoxes.first()).toBeChecked();
  await expect(endpoint.getByLabel("Minimum impact")).toHaveValue("major");

  // A valid recipient, then removing it: a red button that asks, Cancel and Escape keep it.
  const phone = `+9198${String(Date.now()).slice(-8)}`;
  await address.fill(phone);
  await recipient.getByRole("button", { name: "Add recipient" }).click();
  const row = page.getByRole("listitem").filter({ hasText: phone });
  await expect(row).toBeVisible({ timeout: SERVER });
  const remove = row.getByRole("button", { name: "Remove" });
  await expect(remove).toHaveClass(/text-red-700/); // the destructive style, not the primary one
  await remove.click();
  const dialog = page.getByRole("dialog", { name: new RegExp(`Remove \\${phone}\\?`) });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toBeVisible();
  // By keyboard: open, Escape closes; open again, Tab to the red button, Enter removes.
  await remove.focus();
  await page.keyboard.press("Enter");
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(row).toBeVisible();
  await remove.focus();
  await page.keyboard.press("Enter");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: `Remove ${phone}` })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("listitem").filter({ hasText: phone })).toHaveCount(0, {
    timeout: SERVER,
  });
});

test("accepting an invitation: a short password keeps the name and names the field", async ({
  browser,
}) => {
  const email = `forms-${Date.now()}@acme.test`;
  const admin = await signedIn(browser, USERS.orgAdmin);
  await admin.goto("/portal/members");
  await admin.getByLabel("Email").fill(email);
  await admin.getByLabel("Role", { exact: true }).selectOption({ label: "Support Manager" });
  await admin.getByRole("button", { name: "Invite", exact: true }).click();
  const invite = new URL(await admin.getByLabel("Invitation link").inputValue()).pathname;

  const page = await (await browser.newContext()).newPage();
  await page.goto(invite);
  await page.getByRole("button", { name: "Email me a link" }).click();
  await expect(page.getByText(`We emailed a link to ${email}`)).toBeVisible({ timeout: SERVER });
  const text = await devMailText(admin, email, /Confirm your email/);
  const verify = /\/invite\/verify\/[\w-]+/.exec(text)?.[0];
  expect(verify, "verification link in the email").toBeTruthy();
  await page.goto(verify!);

  const form = page.getByRole("form", { name: "Create your account" });
  await form.getByLabel("Your name").fill("Priya Forms");
  await form.getByLabel("Choose a password").fill("short");
  await form.getByRole("button", { name: "Create account and join" }).click();
  const password = form.getByLabel("Choose a password");
  await expect(form.getByText("Choose a password: must be at least 10 characters")).toBeVisible({
    timeout: SERVER,
  });
  // Once: not again in a list under the form.
  await expect(form.getByText(/must be at least 10 characters/)).toHaveCount(1);
  await expect(password).toBeFocused();
  await expect(form.getByLabel("Your name")).toHaveValue("Priya Forms");
  await expectNoInputPaths(form, ["password:"]);

  await password.fill("a-long-enough-password");
  await form.getByRole("button", { name: "Create account and join" }).click();
  await expect(page).toHaveURL(/\/portal$/, { timeout: SERVER });
});
