import { describe, expect, it } from "vitest";
import { nextDigestAt, quietUntil } from "./schedule";

const night = { enabled: true, start: 22 * 60, end: 7 * 60 };

describe("quiet hours", () => {
  it("holds until 07:00 local in Kolkata (UTC+5:30) when it is 23:00 there", () => {
    // 23:00 IST = 17:30 UTC
    const until = quietUntil(
      { ...night, timeZone: "Asia/Kolkata" },
      new Date("2026-03-10T17:30:00Z"),
    );
    expect(until?.toISOString()).toBe("2026-03-11T01:30:00.000Z");
  });

  it("is not quiet at 12:00 local, and the same instant is quiet in another zone", () => {
    const instant = new Date("2026-03-10T06:30:00Z"); // 12:00 IST, 02:30 New York (EDT starts 8 March)
    expect(quietUntil({ ...night, timeZone: "Asia/Kolkata" }, instant)).toBeNull();
    expect(quietUntil({ ...night, timeZone: "America/New_York" }, instant)?.toISOString()).toBe(
      "2026-03-10T11:00:00.000Z",
    );
  });

  it("ends at 07:00 local wall time across the spring-forward night (New York, 8 March 2026)", () => {
    // 23:00 EST on 7 March = 04:00 UTC on 8 March; clocks jump 02:00→03:00; 07:00 EDT = 11:00 UTC.
    const until = quietUntil(
      { ...night, timeZone: "America/New_York" },
      new Date("2026-03-08T04:00:00Z"),
    );
    expect(until?.toISOString()).toBe("2026-03-08T11:00:00.000Z");
    // The night was 8 hours long, not 9.
    expect((until!.getTime() - Date.parse("2026-03-08T04:00:00Z")) / 3_600_000).toBe(7);
  });

  it("ends at 07:00 local wall time across the fall-back night (London, 25 October 2026)", () => {
    // 23:00 BST on 24 Oct = 22:00 UTC; clocks go back at 02:00 BST; 07:00 GMT = 07:00 UTC.
    const until = quietUntil(
      { ...night, timeZone: "Europe/London" },
      new Date("2026-10-24T22:00:00Z"),
    );
    expect(until?.toISOString()).toBe("2026-10-25T07:00:00.000Z");
  });

  it("handles a daytime window and the early-morning side of a midnight window", () => {
    expect(
      quietUntil(
        { enabled: true, start: 9 * 60, end: 17 * 60, timeZone: "UTC" },
        new Date("2026-01-01T10:00:00Z"),
      )?.toISOString(),
    ).toBe("2026-01-01T17:00:00.000Z");
    expect(
      quietUntil({ ...night, timeZone: "UTC" }, new Date("2026-01-01T03:00:00Z"))?.toISOString(),
    ).toBe("2026-01-01T07:00:00.000Z");
    expect(quietUntil({ ...night, timeZone: "UTC" }, new Date("2026-01-01T07:00:00Z"))).toBeNull();
    expect(
      quietUntil({ ...night, enabled: false, timeZone: "UTC" }, new Date("2026-01-01T03:00:00Z")),
    ).toBeNull();
  });
});

describe("digest times", () => {
  it("hourly: top of the next local hour, honouring half-hour offsets", () => {
    expect(nextDigestAt("hourly", "UTC", new Date("2026-01-01T10:15:00Z"))?.toISOString()).toBe(
      "2026-01-01T11:00:00.000Z",
    );
    expect(
      nextDigestAt("hourly", "Asia/Kolkata", new Date("2026-01-01T10:15:00Z"))?.toISOString(),
    ).toBe("2026-01-01T10:30:00.000Z");
  });
  it("daily: next 09:00 local", () => {
    expect(
      nextDigestAt("daily", "Asia/Kolkata", new Date("2026-01-01T02:00:00Z"))?.toISOString(),
    ).toBe("2026-01-01T03:30:00.000Z");
    expect(
      nextDigestAt("daily", "Asia/Kolkata", new Date("2026-01-01T04:00:00Z"))?.toISOString(),
    ).toBe("2026-01-02T03:30:00.000Z");
    expect(nextDigestAt("immediate", "UTC", new Date())).toBeNull();
  });
});
