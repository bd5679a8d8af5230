import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { signIn, USERS } from "./helpers";

/** A webhook receiver that has gone away for good: every request answers 410 Gone. */
async function goneReceiver() {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(410).end("gone"));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => server.close(),
  };
}

// Only this spec changes the Globex admin's own opt-in; other specs may add Globex members.
test("a member opts in to email; a user-level warning then reaches their mailbox and inbox", async ({
  page,
}) => {
  const receiver = await goneReceiver();
  try {
    await signIn(page, USERS.globexAdmin);
    await page.goto("/portal");
    await page.getByRole("link", { name: "My notifications" }).click();
    await expect(page.getByRole("heading", { name: "My notifications" })).toBeVisible();

    const form = page.getByRole("form", { name: "My notifications" });
    await expect(form.getByRole("checkbox", { name: "In-app" })).toBeChecked();
    await expect(form.getByRole("checkbox", { name: "In-app" })).toBeDisabled();
    await expect(form.getByRole("checkbox", { name: "Email" })).not.toBeChecked();

    // A bad phone number is refused with the field and the reason, and nothing is saved.
    await form.getByRole("checkbox", { name: "Email" }).check();
    await form.getByLabel("Phone").fill("98123 45678");
    await form.getByRole("button", { name: "Save" }).click();
    await expect(form.getByText(/must be a phone number in E\.164 form/).first()).toBeVisible();
    await expect(form.getByLabel("Phone")).toHaveAttribute("aria-invalid", "true");
    // The refused save keeps what was chosen, so fixing the phone is all it takes.
    await expect(form.getByRole("checkbox", { name: "Email" })).toBeChecked();
    await expect(form.getByLabel("Phone")).toHaveValue("98123 45678");

    await form.getByLabel("Phone").fill("+91 98123 45678");
    await form.getByRole("button", { name: "Save" }).click();
    await expect(form.getByRole("status")).toHaveText("Your notification settings are saved.");
    await expect(form.getByLabel("Phone")).toHaveValue("+919812345678");
    await page.reload();
    await expect(form.getByRole("checkbox", { name: "Email" })).toBeChecked();
    await expect(form.getByLabel("Phone")).toHaveValue("+919812345678");

    // An endpoint that answers 410 is switched off, and its org admins are warned.
    await page.goto("/portal/alerts");
    const name = `Gone hook ${Date.now()}`;
    const add = page.getByRole("form", { name: "Add endpoint" });
    await add.getByLabel("Type").selectOption("webhook");
    await add.getByLabel("Name").fill(name);
    await add.getByLabel("URL").fill(receiver.url);
    await add.getByRole("button", { name: "Add endpoint" }).click();
    await expect(add.getByLabel("Signing secret")).toBeVisible();
    await page.reload();
    const send = page.getByRole("form", { name: `Send test alert to ${name}` });
    await send.getByRole("button", { name: `Send test alert to ${name}` }).click();
    // The endpoint is switched off at once, so its test button goes away with it.
    await expect(page.getByTestId(`endpoint-${name}`)).toContainText(
      "disabled: Answered HTTP 410 Gone",
    );

    const subject = `Warning: Endpoint "${name}" was disabled`;
    await expect(async () => {
      await page.goto("/portal/dev/mailbox");
      await expect(
        page
          .getByRole("list", { name: "Messages" })
          .getByText(`${USERS.globexAdmin} — [Beacon] ${subject}`),
      ).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 20_000 });

    await page.goto("/portal/inbox");
    await expect(page.getByRole("list", { name: "Inbox items" }).getByText(subject)).toBeVisible();

    // The delivery log says why no SMS went out even though a phone is on file.
    await page.goto("/portal/deliveries?channel=sms");
    await page
      .getByRole("link", { name: `Endpoint "${name}" was disabled` })
      .first()
      .click();
    await expect(page.getByTestId("delivery-status")).toHaveText("suppressed");
    // This delivery's own reason: the page also lists the job's other deliveries (foundation.spec
    // adds Globex members), which may carry the same one.
    await expect(page.getByTestId("delivery-reason")).toContainText(
      "member has not opted in to SMS for user-level warnings",
    );
  } finally {
    receiver.close();
  }
});

test("the Alerts & Notifications page links the opt-in to My notifications", async ({ page }) => {
  await signIn(page, USERS.supportManager);
  await page.goto("/portal/alerts");
  await page.getByRole("link", { name: "My notifications", exact: true }).last().click();
  await expect(page).toHaveURL(/\/portal\/profile$/);
  await expect(page.getByRole("heading", { name: "My notifications" })).toBeVisible();
});
