import { describe, expect, it } from "vitest";
import type { BusinessCalendar } from "@/db/schema";
import { addBusinessHours, businessMsBetween, parseTimeOfDay } from "./business-hours";

const H = 60 * 60 * 1000;
// Mon–Fri 09:00–18:00 in India (no daylight saving), Republic Day off.
const india: BusinessCalendar = {
  timeZone: "Asia/Kolkata",
  days: [1, 2, 3, 4, 5],
  startMinute: 9 * 60,
  endMinute: 18 * 60,
  holidays: ["2027-01-26"],
};
// The same hours in London, which moves its clocks on the last Sunday of March.
const london: BusinessCalendar = { ...india, timeZone: "Europe/London", holidays: [] };

const at = (iso: string) => new Date(iso);

describe("addBusinessHours", () => {
  it("counts within one working day", () => {
    // Wednesday 2026-12-02 10:00 IST = 04:30 UTC; 2 hours later is 12:00 IST.
    expect(addBusinessHours(at("2026-12-02T04:30:00Z"), 2, india)).toEqual(
      at("2026-12-02T06:30:00Z"),
    );
  });

  it("carries the rest over the night to the next opening", () => {
    // Wednesday 17:00 IST + 4 h = 1 h on Wednesday, 3 h on Thursday from 09:00 → 12:00 IST.
    expect(addBusinessHours(at("2026-12-02T11:30:00Z"), 4, india)).toEqual(
      at("2026-12-03T06:30:00Z"),
    );
  });

  it("starts at the next opening when raised outside hours", () => {
    // Wednesday 22:00 IST + 2 h → Thursday 11:00 IST.
    expect(addBusinessHours(at("2026-12-02T16:30:00Z"), 2, india)).toEqual(
      at("2026-12-03T05:30:00Z"),
    );
  });

  it("skips the weekend", () => {
    // Friday 2026-12-04 17:00 IST + 2 h: 1 h Friday, 1 h Monday → Monday 10:00 IST.
    expect(addBusinessHours(at("2026-12-04T11:30:00Z"), 2, india)).toEqual(
      at("2026-12-07T04:30:00Z"),
    );
  });

  it("skips holidays", () => {
    // Monday 2027-01-25 17:00 IST + 2 h: 1 h Monday, Tuesday is Republic Day → Wednesday 10:00.
    expect(addBusinessHours(at("2027-01-25T11:30:00Z"), 2, india)).toEqual(
      at("2027-01-27T04:30:00Z"),
    );
  });

  it("spans several days for long targets", () => {
    // 24 business hours from Monday 09:00 IST = Mon 9 + Tue 9 + 6 h Wednesday → Wednesday 15:00.
    expect(addBusinessHours(at("2026-12-07T03:30:00Z"), 24, india)).toEqual(
      at("2026-12-09T09:30:00Z"),
    );
  });

  it("follows daylight saving in the calendar's time zone", () => {
    // Friday 2027-03-26 17:00 GMT + 2 h → Monday 2027-03-29 10:00 BST, which is 09:00 UTC.
    expect(addBusinessHours(at("2027-03-26T17:00:00Z"), 2, london)).toEqual(
      at("2027-03-29T09:00:00Z"),
    );
  });

  it("refuses a calendar without working hours", () => {
    expect(() => addBusinessHours(new Date(), 1, { ...india, days: [] })).toThrow(/no working/);
  });
});

describe("businessMsBetween", () => {
  it("counts only open hours across a night and a weekend", () => {
    // Friday 16:00 IST → Monday 11:00 IST: 2 h + 2 h.
    expect(businessMsBetween(at("2026-12-04T10:30:00Z"), at("2026-12-07T05:30:00Z"), india)).toBe(
      4 * H,
    );
  });

  it("is the inverse of addBusinessHours", () => {
    const from = at("2027-01-22T12:00:00Z");
    const due = addBusinessHours(from, 13, india);
    expect(businessMsBetween(from, due, india)).toBe(13 * H);
  });

  it("is zero backwards and outside hours", () => {
    expect(businessMsBetween(at("2026-12-07T05:30:00Z"), at("2026-12-04T10:30:00Z"), india)).toBe(
      0,
    );
    // Saturday all day.
    expect(businessMsBetween(at("2026-12-05T00:00:00Z"), at("2026-12-05T23:00:00Z"), india)).toBe(
      0,
    );
  });
});

describe("parseTimeOfDay", () => {
  it("reads HH:MM and refuses anything else", () => {
    expect(parseTimeOfDay("09:30")).toBe(570);
    expect(parseTimeOfDay("24:00")).toBe(1440);
    expect(parseTimeOfDay("9:30")).toBeNull();
    expect(parseTimeOfDay("25:00")).toBeNull();
  });
});
