import { describe, expect, it } from "vitest";
import {
  claimedSummary,
  errorsFor,
  fieldErrorText,
  humanizePath,
  labelForPath,
  unclaimedErrors,
  valuesFromFormData,
} from "./form-errors";
import { toActionResult, ValidationError } from "./errors";

describe("form values", () => {
  it("keeps every text value a form sent, by name, and nothing internal", () => {
    const form = new FormData();
    form.append("title", "Voice down in Mumbai");
    form.append("category", "configurable");
    form.append("cell:c1:r1", "major_outage");
    form.append("componentIds", "a");
    form.append("componentIds", "b");
    form.append("notify", "on");
    form.append("_org", "org-id");
    form.append("$ACTION_ID_abc", "");
    form.append("logo", new Blob(["x"]), "logo.png");
    expect(valuesFromFormData(form)).toEqual({
      title: ["Voice down in Mumbai"],
      category: ["configurable"],
      "cell:c1:r1": ["major_outage"],
      componentIds: ["a", "b"],
      notify: ["on"],
    });
  });
});

describe("field errors in the words of the form", () => {
  // What a verb's ValidationError becomes in a server action (the API keeps these paths).
  const fields = toActionResult(
    new ValidationError([
      { field: "audienceOrgId", message: "a Configurable incident is tenant-only" },
      { field: "cells.2.status", message: "must be one of operational, major_outage" },
      { field: "recipients.2.address", message: "must be an email address" },
      { field: "incidentId", message: "must be the id of a incident" },
      { field: "scheduledUntil", message: "must be after the start of the window" },
    ]),
  ).fields;

  it("gives each field the reasons for itself and its parts", () => {
    expect(errorsFor(fields, "audienceOrgId")).toEqual(["a Configurable incident is tenant-only"]);
    expect(errorsFor(fields, "cells")).toEqual(["must be one of operational, major_outage"]);
    expect(errorsFor(fields, "cell")).toEqual([]);
    expect(errorsFor(fields, "recipients.2")).toEqual(["must be an email address"]);
    expect(errorsFor(undefined, "title")).toEqual([]);
  });

  it("words an error by the field's label, each reason once", () => {
    expect(fieldErrorText("Audience", ["a Configurable incident is tenant-only"])).toBe(
      "Audience: a Configurable incident is tenant-only",
    );
    expect(fieldErrorText("Title", ["is required", "is required"])).toBe("Title: is required");
  });

  it("labels a path by the longest label it belongs to, else in words, never the raw key", () => {
    const labels = { scheduledUntil: "Ends (UTC)", cells: "Affected components × regions" };
    expect(labelForPath("scheduledUntil", labels)).toBe("Ends (UTC)");
    expect(labelForPath("cells.2.status", labels)).toBe("Affected components × regions");
    expect(labelForPath("incidentId")).toBe("Incident");
    expect(labelForPath("recipients.2.address")).toBe("Recipient 3, address");
    expect(humanizePath("audienceOrgId")).toBe("Audience org");
    expect(humanizePath("quietHours.timeZone")).toBe("Quiet hours, time zone");
    for (const path of Object.keys(fields!)) expect(labelForPath(path, labels)).not.toContain(path);
  });

  it("puts in the summary only what no field shows, worded, and counts the rest", () => {
    const rest = unclaimedErrors(fields, ["audienceOrgId", "cells", "scheduledUntil"], {
      scheduledUntil: "Ends (UTC)",
    });
    expect(rest).toEqual([
      "Recipient 3, address: must be an email address",
      "Incident: must be the id of a incident",
    ]);
    expect(rest.join(" ")).not.toMatch(/incidentId|recipients\.2|audienceOrgId/);
    expect(unclaimedErrors(fields, Object.keys(fields!))).toEqual([]);
    expect(claimedSummary(1)).toBe("Please correct the field marked below.");
    expect(claimedSummary(3)).toBe("Please correct the 3 fields marked below.");
  });
});

describe("a failed form action", () => {
  it("sends back what was sent (never a password) with a key new on every failure", () => {
    const form = new FormData();
    form.append("name", "Priya");
    form.append("password", "short");
    form.append("newPassword", "also-short");
    const err = new ValidationError([
      { field: "password", message: "must be at least 10 characters" },
    ]);
    const a = toActionResult(err, form);
    const b = toActionResult(err, form);
    expect(a).toMatchObject({
      ok: false,
      fields: { password: "must be at least 10 characters" },
      values: { name: ["Priya"] },
    });
    expect(a.values).not.toHaveProperty("password");
    expect(a.values).not.toHaveProperty("newPassword");
    expect(a.formKey).toBeTruthy();
    expect(a.formKey).not.toBe(b.formKey);
    // Without the form (an API caller, a verb called directly) there is nothing to send back.
    expect(toActionResult(err)).not.toHaveProperty("values");
  });
});
