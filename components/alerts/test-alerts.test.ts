import { describe, expect, it } from "vitest";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { deliveryStatusText } from "@/lib/labels";
import { OutcomeBadge } from "./forms";
import { TestAlertsCard } from "./test-alerts-card";

const send = async () => ({ ok: true as const, data: { status: "delivered" } });

describe("the test alert buttons", () => {
  it("each says its channel, and what it says is its accessible name (no aria-label)", () => {
    const html = renderToStaticMarkup(
      createElement(TestAlertsCard, { emailPlaceholder: "you@example.com", send }),
    );
    const buttons = [...html.matchAll(/<button([^>]*)>([^<]*)<\/button>/g)];
    expect(buttons.map((b) => b[2])).toEqual([
      "Send test email",
      "Send test SMS",
      "Send test in-app alert",
    ]);
    for (const b of buttons) expect(b[1]).not.toContain("aria-label");
  });
});

describe("a message that only reached the development mailbox", () => {
  it("is answered “In dev mailbox (not sent)”, never “Delivered”", () => {
    const badge = (outcome: { status: string; providerId?: string | null }) =>
      renderToStaticMarkup(createElement(OutcomeBadge, { outcome }));
    const dev = badge({ status: "delivered", providerId: "devmail:123" });
    expect(dev).toContain("In dev mailbox (not sent)");
    expect(dev).not.toContain("Delivered");
    expect(badge({ status: "delivered", providerId: "email_123" })).toContain("Delivered");
    expect(badge({ status: "delivered", providerId: null })).toContain("Delivered");
  });

  it("reads the same in the delivery log; other states keep their names", () => {
    expect(deliveryStatusText({ status: "delivered", attempts: 1, providerId: "devmail:1" })).toBe(
      "In dev mailbox (not sent)",
    );
    expect(deliveryStatusText({ status: "delivered", attempts: 1, providerId: "re_1" })).toBe(
      "delivered",
    );
    expect(deliveryStatusText({ status: "pending", attempts: 1, providerId: null })).toBe(
      "retrying",
    );
  });
});
