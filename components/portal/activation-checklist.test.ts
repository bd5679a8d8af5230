import { describe, expect, it } from "vitest";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import {
  ACTIVATION_DEFINITIONS,
  type ActivationChecklist as Checklist,
} from "@/lib/activation/checklist";
import { ActivationChecklist, ActivationProgressBadge } from "./activation-checklist";

function checklist(done: string[]): Checklist {
  const items = ACTIVATION_DEFINITIONS.map((d) => ({ ...d, done: done.includes(d.key) }));
  const n = items.filter((i) => i.done).length;
  return { orgId: "o", items, done: n, total: items.length, live: n === items.length };
}

const render = (c: Checklist, canManageMembers = false) =>
  renderToStaticMarkup(createElement(ActivationChecklist, { checklist: c, canManageMembers }));

describe("the activation checklist on a tenant's home", () => {
  it("shows each item's status, where to click (a link to its screen) and success indicator", () => {
    const html = render(checklist(["email_confirmed", "signed_in"]));
    expect(html).toContain("2 of 7 done");
    for (const d of ACTIVATION_DEFINITIONS) {
      expect(html).toContain(`data-testid="activation-${d.key}"`);
      expect(html).toContain(`href="${d.where.href}"`);
    }
    expect(html).toContain('data-testid="activation-signed_in" data-done="true"');
    expect(html).toContain('data-testid="activation-team" data-done="false"');
    expect(html).toContain("✓ Done");
    expect(html).toContain("○ Not yet");
    expect(html).toContain("Success indicator: ");
    expect(html).toContain("Where to click: ");
    expect(html).not.toContain("Live");
  });

  it("puts the seed's troubleshooting beside the items: spam and resend, forgot password", () => {
    const html = render(checklist([]));
    expect(html).toContain("Didn&#x27;t get the email?");
    expect(html).toContain("spam");
    expect(html).toContain("resend the invitation");
    expect(html).toContain("Can&#x27;t sign in?");
    expect(html).toContain('href="/signin/forgot"');
    // Only admins are pointed at the members page to resend it themselves.
    expect(html).not.toContain("Members → Pending invitations</a>)");
    expect(render(checklist([]), true)).toContain("Members → Pending invitations</a>)");
  });

  it("collapses into a Live badge when every item is done", () => {
    const html = render(checklist(ACTIVATION_DEFINITIONS.map((d) => d.key)));
    expect(html).toContain("Live");
    expect(html).not.toContain("<ol");
    expect(html).not.toContain("Where to click");
  });

  it("shows a tenant's progress in the platform admins' list", () => {
    const badge = (done: number) =>
      renderToStaticMarkup(
        createElement(ActivationProgressBadge, { progress: { done, total: 7, live: done === 7 } }),
      );
    expect(badge(5)).toContain("5 of 7 activation steps");
    expect(badge(7)).toContain("Live");
    expect(badge(7)).not.toContain("of 7");
  });
});
