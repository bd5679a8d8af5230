import { expect, test } from "@playwright/test";
import { devMailText, signIn, USERS } from "./helpers";

test("a major incident pages the on-call responder, who acknowledges from the emailed link; tier 2 is never paged", async ({
  browser,
}) => {
  // Tier 1 has a minute; the test waits past it to see that tier 2 stays unpaged.
  test.setTimeout(240_000);
  const stamp = Date.now();
  const policyName = `E2E on-call ${stamp}`;
  const title = `Media servers down in Mumbai ${stamp}`;

  // The platform admin sets the platform's policy: the responder first, then the admin.
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, USERS.platformAdmin);
  await admin.goto("/portal/oncall");
  const form = admin.getByRole("form", { name: "New escalation policy" });
  await form.getByLabel("Name").fill(policyName);
  await form.getByLabel("Page when an incident opens at").selectOption("major");
  const tier1 = form.getByRole("group", { name: "Tier 1" });
  await tier1.getByLabel(new RegExp(USERS.responder)).check();
  await tier1.getByLabel("Tier 1 timeout (minutes)").fill("1");
  const tier2 = form.getByRole("group", { name: /Tier 2/ });
  await tier2.getByLabel(new RegExp(USERS.platformAdmin)).check();
  await tier2.getByLabel("Tier 2 timeout (minutes)").fill("10");
  await form.getByRole("button", { name: "Save policy" }).click();
  await expect(
    admin.getByRole("status").filter({ hasText: "Escalation policy saved." }),
  ).toBeVisible();
  const listed = admin.getByRole("listitem", { name: policyName });
  await expect(listed).toContainText("Incidents at Major or worse");

  try {
    // A responder opens a major incident in the console.
    const responder = await (await browser.newContext()).newPage();
    await signIn(responder, USERS.responder);
    await responder.goto("/portal/incidents");
    const openForm = responder.getByRole("form", { name: "Open an incident" });
    await openForm.getByLabel("Title").fill(title);
    await openForm.getByLabel("Category").selectOption("infrastructure");
    await openForm.getByLabel("Impact").selectOption("major");
    await openForm.getByLabel("First update (markdown)").fill("Calls in Mumbai fail to connect.");
    await openForm.getByRole("button", { name: "Open incident" }).click();
    await responder.waitForURL(/\/portal\/incidents\/[0-9a-f-]{36}$/);
    const incidentUrl = new URL(responder.url()).pathname;

    // The page reaches the responder's email (the dev mailbox) with an Acknowledge link.
    const mail = await devMailText(
      responder,
      USERS.responder,
      new RegExp(`On-call page.*${title}`),
    );
    const link = /Acknowledge: (\S+)/.exec(mail)?.[1];
    expect(link, mail).toBeTruthy();
    const pagedAt = Date.now();

    // Opened without signing in: the link asks first (link scanners only GET), then acknowledges.
    const stranger = await (await browser.newContext()).newPage();
    await stranger.goto(link!);
    await expect(stranger.getByRole("heading", { name: "Acknowledge this page?" })).toBeVisible();
    await expect(stranger.getByText(title)).toBeVisible();
    await stranger.getByRole("button", { name: "Acknowledge" }).click();
    await expect(stranger.getByRole("heading", { name: "Acknowledged" })).toBeVisible();
    // The link is single-use.
    await stranger.goto(link!);
    await expect(stranger.getByRole("heading", { name: "Already used" })).toBeVisible();

    // The console's internal timeline shows the page and the acknowledgement.
    await responder.goto(incidentUrl);
    const onCall = responder
      .locator("section")
      .filter({ has: responder.getByRole("heading", { name: "On-call (internal)" }) });
    await expect(onCall.getByTestId("escalation-status")).toHaveText("Acknowledged");
    const timeline = onCall.getByRole("list", { name: "On-call timeline" });
    await expect(timeline).toContainText("Paged tier 1 (1 member)");
    await expect(timeline).toContainText("Acknowledged by the link in the tier 1 page");

    // Past tier 1's minute (and a few rounds of the job driver), tier 2 has still not been paged.
    await expect
      .poll(() => Date.now(), { timeout: 90_000, intervals: [1000] })
      .toBeGreaterThan(pagedAt + 70_000);
    await responder.reload();
    await expect(timeline).not.toContainText("tier 2");
    await admin.goto("/portal/dev/mailbox");
    await expect(
      admin
        .getByRole("list", { name: "Messages" })
        .getByRole("listitem")
        .filter({ hasText: USERS.platformAdmin })
        .filter({ hasText: title }),
    ).toHaveCount(0);

    // The public page never shows the on-call timeline.
    const publicPage = await (await browser.newContext()).newPage();
    await publicPage.goto(incidentUrl.replace("/portal", ""));
    await expect(publicPage.getByText(title).first()).toBeVisible();
    await expect(publicPage.getByText("On-call")).toHaveCount(0);
    await expect(publicPage.getByText(/Paged tier/)).toHaveCount(0);
  } finally {
    // Other specs open major incidents too: this policy should not page for them.
    await admin.goto("/portal/oncall");
    await admin
      .getByRole("listitem", { name: policyName })
      .getByRole("button", { name: `Delete ${policyName}` })
      .click();
    await admin
      .getByRole("dialog", { name: /Delete the escalation policy/ })
      .getByRole("button", { name: "Delete policy" })
      .click();
    await expect(admin.getByRole("listitem", { name: policyName })).toHaveCount(0);
  }
});
