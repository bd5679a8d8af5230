import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { signIn, USERS } from "./helpers";

// axe on the public pages and on the console's alerts, incidents and deliveries pages, in light
// and dark mode, with everything operational. (The incident state of the public page and the
// console is scanned by e2e/incidents.spec.ts.)

const SCHEMES = ["light", "dark"] as const;
const PORTAL = ["/portal/alerts", "/portal/incidents", "/portal/deliveries"];

/** The serious and critical violations on `path` in both colour schemes, one line each. */
async function scan(page: Page, path: string): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    await page.goto(path);
    await expect(page.locator("h1").first()).toBeVisible({ timeout: 60_000 });
    const { violations } = await new AxeBuilder({ page }).analyze();
    for (const v of violations.filter((x) => x.impact === "serious" || x.impact === "critical"))
      found.push(
        `${path} (${colorScheme}) ${v.id}: ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => `${n.target.join(" ")} ${n.failureSummary?.split("\n").at(-1)?.trim() ?? ""}`)
          .join(" | ")}`,
      );
  }
  return found;
}

// With everything operational: the anonymous page as the demo data leaves it (other specs may
// open public incidents meanwhile; the banner is scanned whatever it says) and Acme's console.
for (const path of ["/", "/history", "/subscribe"])
  test(`operational: ${path} has no serious violation`, async ({ page }) => {
    test.setTimeout(300_000);
    expect(await scan(page, path)).toEqual([]);
  });
for (const path of PORTAL)
  test(`operational: ${path} has no serious violation`, async ({ page }) => {
    test.setTimeout(300_000);
    await signIn(page, USERS.orgAdmin);
    expect(await scan(page, path)).toEqual([]);
  });
