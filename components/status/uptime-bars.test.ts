import { describe, expect, it } from "vitest";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { cellDailyUptime, compactDays, totalUptime } from "@/lib/status/uptime";
import { dayText, measuredDays, uptimeFigure } from "@/lib/status/uptime-text";
import { UptimeBars } from "./uptime-bars";

// A component created 11½ days before now: 12 measured days (today's half included), 78 before it.
const now = new Date("2026-03-20T12:00:00Z");
const since = new Date("2026-03-09T00:00:00Z");
const days = cellDailyUptime(
  [
    {
      status: "major_outage",
      startedAt: new Date("2026-03-15T00:00:00Z"),
      endedAt: new Date("2026-03-15T00:14:24Z"), // 1% of that day
    },
  ],
  { now, since },
);
const total = totalUptime(days);

describe("uptime on a young page", () => {
  it("has no value for the days before the component existed and counts the rest", () => {
    expect(days).toHaveLength(90);
    expect(days.slice(0, 78).every((d) => d.uptime === null)).toBe(true);
    expect(days[78]).toMatchObject({ date: "2026-03-09", uptime: 1 });
    expect(measuredDays(days.map((d) => d.uptime))).toBe(12);
    expect(measuredDays(compactDays(days).uptime)).toBe(12);
  });

  it("says over how many days the figure was measured", () => {
    // 864 s down over 11.5 days observed.
    expect(total).toBeCloseTo(1 - 864 / (11.5 * 86400), 10);
    expect(uptimeFigure(total, 12)).toBe("99.913% uptime over 12 days");
    expect(uptimeFigure(1, 1)).toBe("100.000% uptime over 1 day");
    expect(uptimeFigure(1, 90)).toBe("100.000% uptime over 90 days");
    expect(uptimeFigure(null, 0)).toBe("No data yet");
  });

  it("words each day, a day before the component as no data", () => {
    expect(dayText("2026-01-01", null, "")).toBe("2026-01-01: no data");
    expect(dayText("2026-01-01", -1, "")).toBe("2026-01-01: no data");
    expect(dayText("2026-03-15", 0.99, "major outage")).toBe(
      "2026-03-15: 99.000% uptime, major outage",
    );
  });

  it("renders the days before as grey no-data bars and the figure with its days", () => {
    const html = renderToStaticMarkup(
      createElement(UptimeBars, { days: compactDays(days), total, label: "Voice uptime" }),
    );
    const bars = [...html.matchAll(/<i title="([^"]*)"[^>]*class="([^"]*)"/g)];
    expect(bars).toHaveLength(90);
    const noData = bars.filter(([, title]) => title!.endsWith(": no data"));
    expect(noData).toHaveLength(78);
    expect(noData.every(([, , cls]) => cls!.includes("bg-slate-200"))).toBe(true);
    expect(bars[78]![1]).toBe("2026-03-09: 100.000% uptime");
    expect(bars[84]![1]).toBe("2026-03-15: 99.000% uptime, major outage");
    expect(bars[84]![2]).toBe("bg-major");
    expect(html).toContain(">99.913% uptime over 12 days</span>");
    expect(html).toContain(
      'aria-label="Voice uptime: 99.913% uptime over 12 days; today 100.000%"',
    );
  });
});
