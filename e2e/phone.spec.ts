import { expect, test, type Page } from "@playwright/test";
import { signIn, USERS } from "./helpers";

// The console on a phone (the on-call person is often on one): no page scrolls sideways at
// 390 px; wide tables scroll inside their own box, and the navigation folds behind a button.
test.use({ viewport: { width: 390, height: 844 } });

/** The elements that stick out past the right edge of the page, for a failure message. */
async function overflow(page: Page) {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const wide: string[] = [];
    if (doc.scrollWidth > doc.clientWidth) {
      for (const el of document.querySelectorAll<HTMLElement>("main *, aside *")) {
        const r = el.getBoundingClientRect();
        if (r.right > doc.clientWidth + 1 && el.offsetParent !== null) {
          // Only the outermost offenders: skip those inside another one already listed.
          const tag =
            `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}.${el.className}`.slice(0, 90);
          if (!wide.some((w) => w === tag)) wide.push(`${tag} (${Math.round(r.right)} px)`);
        }
        if (wide.length > 6) break;
      }
    }
    return { scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, wide };
  });
}

async function expectNoSideScroll(page: Page, path: string) {
  await page.goto(path);
  await expect(page.getByRole("main")).toBeVisible();
  await page.waitForLoadState("load");
  const o = await overflow(page);
  expect
    .soft(o.scrollWidth, `${path} is ${o.scrollWidth} px wide: ${o.wide.join(", ")}`)
    .toBeLessThanOrEqual(o.clientWidth);
}

/** Every page the signed-in user can reach: the nav's sections, their own profile, one incident, one member. */
async function portalPages(page: Page): Promise<string[]> {
  await page.goto("/portal");
  const menu = page.getByRole("button", { name: "Menu" });
  await menu.click();
  const nav = page.getByRole("navigation", { name: "Portal" });
  await expect(nav).toBeVisible();
  const hrefs = await nav
    .getByRole("link")
    .evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
  const paths = ["/portal", "/portal/profile", ...hrefs];
  if (hrefs.includes("/portal/incidents")) {
    await page.goto("/portal/incidents");
    const first = page.locator('a[href^="/portal/incidents/"]').first();
    if (await first.count()) paths.push((await first.getAttribute("href"))!);
  }
  await page.goto("/portal/members");
  const member = page.locator('a[href^="/portal/members/"]').first();
  if (await member.count()) paths.push((await member.getAttribute("href"))!);
  return paths;
}

for (const [who, email] of [
  ["the platform admin", USERS.platformAdmin],
  ["a tenant admin", USERS.orgAdmin],
] as const) {
  test(`${who}'s console fits a 390 px phone`, async ({ page }) => {
    // Some fifteen full pages, each compiled on first visit under `next dev`.
    test.setTimeout(600_000);
    await signIn(page, email);
    const paths = await portalPages(page);
    expect(paths.length).toBeGreaterThan(6);
    for (const path of paths) await expectNoSideScroll(page, path);
  });
}

test("the phone's menu folds the navigation, and the cells grid scrolls in its own box with a cue", async ({
  page,
}) => {
  await signIn(page, USERS.responder);
  await page.goto("/portal/incidents");
  const nav = page.getByRole("navigation", { name: "Portal" });
  const menu = page.getByRole("button", { name: "Menu" });
  await expect(nav).toBeHidden();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await menu.click();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await nav.getByRole("link", { name: "Delivery log" }).click();
  await expect(page).toHaveURL(/\/portal\/deliveries$/, { timeout: 60_000 });
  // Following a link folds it again.
  await expect(nav).toBeHidden();

  await page.goto("/portal/incidents");
  const form = page.getByRole("form", { name: "Open an incident" });
  const grid = form.locator(".scroll-x").filter({ has: page.getByRole("table") });
  await expect(grid).toHaveCount(1);
  const box = await grid.evaluate((el) => ({
    scrolls: el.scrollWidth > el.clientWidth,
    overflow: getComputedStyle(el).overflowX,
    cue: getComputedStyle(el).backgroundImage,
  }));
  expect(box.scrolls, "the grid is wider than the phone and scrolls inside its box").toBe(true);
  expect(box.overflow).toBe("auto");
  expect(box.cue).toContain("radial-gradient");
  // Every cell can still be set: the last region's select scrolls into view and takes a value.
  const selects = grid.getByRole("combobox");
  await selects.last().selectOption("major_outage");
  await expect(selects.last()).toHaveValue("major_outage");
  expect(
    await page.evaluate(
      () => document.documentElement.scrollWidth <= document.documentElement.clientWidth,
    ),
  ).toBe(true);
});

test("filter lists with long names (actors, actions) stay inside the page", async ({ page }) => {
  await signIn(page, USERS.orgAdmin);
  await page.goto("/portal/audit");
  // Names come from the tenant's own data (an API key can be called anything): make some long.
  const lengthened = await page.evaluate(() => {
    const selects = document.querySelectorAll<HTMLSelectElement>("form select");
    for (const select of selects) {
      select.add(new Option(`${"A key someone named at great length ".repeat(3)}(Tech/DevOps)`));
    }
    return selects.length;
  });
  expect(lengthened).toBe(2);
  const o = await overflow(page);
  expect(o.scrollWidth, o.wide.join(", ")).toBeLessThanOrEqual(o.clientWidth);
});
