import { expect, test } from "@playwright/test";
import { devMailText, signIn, USERS } from "./helpers";

test("an org admin words the email alert with a template, previews it, and the test email arrives with the custom subject", async ({
  page,
}) => {
  // Four pages compiled on first visit under next dev, and a render per preview.
  test.slow();
  await signIn(page, USERS.orgAdmin);
  await page.goto("/portal/alerts");
  await page.getByRole("link", { name: "Edit alert templates" }).click();
  // The first visit compiles the page (next dev): slow on a busy machine.
  await expect(page.getByRole("heading", { name: "Alert templates", level: 1 })).toBeVisible({
    timeout: 90_000,
  });
  // The variables are documented on the page.
  await expect(page.getByRole("cell", { name: "threshold.value" })).toBeVisible();

  const marker = `T${Date.now()}`;
  const card = page.locator("section", {
    has: page.getByRole("heading", { name: "New template" }),
  });
  const form = card.getByRole("form", { name: "New template" });
  const preview = card.getByRole("region", { name: "Preview" });
  await form.getByLabel("Channel").selectOption("email");
  await form.getByLabel("Subject").fill(`[${marker}] {{ alert.kind_label }}: {{ alert.title }}`);

  // A mistake is shown with its line while typing, and refused at save next to the field.
  await form.getByLabel("Body (HTML or plain text)").fill("Hello\n{{ alert.title | shout }}");
  await expect(form.getByText("line 2, column 1: undefined filter: shout")).toBeVisible({
    timeout: 30_000,
  });
  await form.getByRole("button", { name: "Save template" }).click();
  await expect(form.getByRole("alert")).toContainText("body: line 2, column 1: undefined filter", {
    timeout: 30_000,
  });

  try {
    await form
      .getByLabel("Body (HTML or plain text)")
      .fill("<p>Hello {{ organization.name }},</p>\n<p>{{ alert.message }}</p>");
    // The preview renders the draft on the sample threshold alert.
    await expect(preview.getByTestId("preview-subject")).toHaveText(
      `[${marker}] Threshold crossed: Balance below 500: balance is 450`,
      { timeout: 30_000 },
    );
    await expect(preview.getByTestId("preview-text")).toContainText("Hello Acme Telecom,");
    await expect(preview.getByTestId("preview-text")).toContainText(
      "balance is 450, below the threshold 500",
    );
    await form.getByRole("button", { name: "Save template" }).click();
    await expect(form.getByRole("status")).toHaveText("Template saved.", { timeout: 30_000 });
    await expect(page.getByText("Email · All alerts")).toBeVisible();

    // "Send test email" (to the admin's own address) is worded by the template.
    await page.goto("/portal/alerts");
    const email = page.getByRole("form", { name: "Send test email" });
    await email.getByRole("button", { name: "Send test email" }).click();
    await expect(email.getByRole("status")).toHaveText("In dev mailbox (not sent)", {
      timeout: 30_000,
    });
    // The first visit compiles the mailbox page (next dev).
    await page.goto("/portal/dev/mailbox");
    await expect(page.getByRole("heading", { name: "Dev mailbox" })).toBeVisible({
      timeout: 90_000,
    });
    const text = await devMailText(
      page,
      USERS.orgAdmin,
      new RegExp(`\\[${marker}\\] Test alert: Test alert from Beacon`),
    );
    expect(text).toContain("Hello Acme Telecom,");
    expect(text).toContain("This is a test of your email alert destination");
  } finally {
    // Other specs read Acme's alert emails: leave its wording as it was.
    await page.goto("/portal/templates");
    const row = page.getByRole("listitem").filter({ hasText: "Email · All alerts" });
    if (await row.count()) {
      await row.locator("summary").click();
      await row.getByRole("button", { name: "Delete template" }).click();
      await expect(page.getByText("No templates yet")).toBeVisible({ timeout: 30_000 });
    }
  }
});
