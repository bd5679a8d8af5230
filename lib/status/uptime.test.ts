import { describe, expect, it } from "vitest";
import { cellDailyUptime, combineRegions, formatUptime, totalUptime } from "./uptime";

const at = (s: string) => new Date(s);

describe("cellDailyUptime", () => {
  const now = at("2026-03-10T12:00:00Z");
  const since = at("2026-01-01T00:00:00Z");

  it("observes a cell taken away only up to then, its outages kept", () => {
    const days = cellDailyUptime(
      [{ status: "major_outage", startedAt: at("2026-03-08T00:00:00Z"), endedAt: null }],
      { now, since, until: at("2026-03-08T12:00:00Z"), days: 4 },
    );
    expect(days.map((d) => d.uptime)).toEqual([1, 0, null, null]);
    expect(days[1]).toMatchObject({ observedSeconds: 12 * 3600, downSeconds: 12 * 3600 });
    expect(days[1]!.worst).toBe("major_outage");
  });

  it("counts major outage fully, partial at 30%, degraded and maintenance not at all", () => {
    const days = cellDailyUptime(
      [
        {
          status: "major_outage",
          startedAt: at("2026-03-09T00:00:00Z"),
          endedAt: at("2026-03-09T02:24:00Z"),
        }, // 0.1 day
        {
          status: "partial_outage",
          startedAt: at("2026-03-08T00:00:00Z"),
          endedAt: at("2026-03-08T12:00:00Z"),
        }, // 0.5 day × 0.3
        {
          status: "degraded_performance",
          startedAt: at("2026-03-07T00:00:00Z"),
          endedAt: at("2026-03-07T23:00:00Z"),
        },
        {
          status: "under_maintenance",
          startedAt: at("2026-03-06T00:00:00Z"),
          endedAt: at("2026-03-06T05:00:00Z"),
        },
      ],
      { now, since, days: 5 },
    );
    expect(days.map((d) => d.date)).toEqual([
      "2026-03-06",
      "2026-03-07",
      "2026-03-08",
      "2026-03-09",
      "2026-03-10",
    ]);
    expect(days[0]).toMatchObject({ uptime: 1, worst: "under_maintenance" });
    expect(days[1]).toMatchObject({ uptime: 1, worst: "degraded_performance" });
    expect(days[2]!.uptime).toBeCloseTo(1 - 0.15, 10);
    expect(days[2]!.worst).toBe("partial_outage");
    expect(days[3]!.uptime).toBeCloseTo(0.9, 10);
    expect(days[4]).toMatchObject({ uptime: 1, worst: "operational", observedSeconds: 12 * 3600 });
  });

  it("splits a span across midnight and counts an open span up to now (today is partial)", () => {
    const days = cellDailyUptime(
      [{ status: "major_outage", startedAt: at("2026-03-09T18:00:00Z"), endedAt: null }],
      { now, since, days: 2 },
    );
    expect(days[0]!.uptime).toBeCloseTo(0.75, 10);
    // 12 observed hours today, all down.
    expect(days[1]!.uptime).toBe(0);
  });

  it("has no value for days before the component existed", () => {
    const days = cellDailyUptime([], { now, since: at("2026-03-10T06:00:00Z"), days: 2 });
    expect(days[0]!.uptime).toBeNull();
    expect(days[1]).toMatchObject({ uptime: 1, observedSeconds: 6 * 3600 });
  });
});

describe("combining regions", () => {
  it("averages region uptimes and takes the worst status", () => {
    const now = at("2026-03-10T00:00:00Z");
    const since = at("2026-01-01T00:00:00Z");
    const down = cellDailyUptime(
      [
        {
          status: "major_outage",
          startedAt: at("2026-03-09T00:00:00Z"),
          endedAt: at("2026-03-10T00:00:00Z"),
        },
      ],
      { now, since, days: 2 },
    );
    const up = cellDailyUptime([], { now, since, days: 2 });
    const combined = combineRegions([down, up, up, up, up]);
    expect(combined[0]).toMatchObject({ date: "2026-03-09", uptime: 0.8, worst: "major_outage" });
    // Today has no observed time yet at exactly midnight.
    expect(combined[1]!.uptime).toBeNull();
    expect(totalUptime(combined)).toBeCloseTo(0.8, 10);
  });

  it("formats rounding down so a short outage is visible", () => {
    expect(formatUptime(1)).toBe("100.000%");
    expect(formatUptime(1 - 2 / 86400)).toBe("99.997%");
    expect(formatUptime(null)).toBe("No data");
  });
});
