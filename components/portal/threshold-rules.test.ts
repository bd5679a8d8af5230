import { describe, expect, it } from "vitest";
import { createElement, Fragment } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { RuleForm } from "./threshold-rules";
import { ThresholdChart } from "./threshold-chart";

const action = async () => ({ ok: true as const, data: null });
const preview = async () => null;

describe("the threshold rule editor", () => {
  it("has the script condition, the tenant's escalation policies and a Preview button", () => {
    const html = renderToStaticMarkup(
      createElement(RuleForm, {
        action,
        preview,
        policies: [{ id: "p1", name: "Acme NOC" }],
      }),
    );
    expect(html).toMatch(/<label[^>]*>Script condition \(CEL\)<\/label>/);
    expect(html).toMatch(/<textarea[^>]*name="condition"/);
    expect(html).toMatch(/<label[^>]*>Escalation policy<\/label>/);
    expect(html).toMatch(
      /<select[^>]*name="escalationPolicyId"><option value=""[^>]*>None<\/option><option value="p1">Acme NOC<\/option><\/select>/,
    );
    expect(html).toMatch(/<button type="button"[^>]*>Preview<\/button>/);
    // The operator select keeps its own label, exactly "Condition".
    expect(html).toMatch(/<label[^>]*>Condition<\/label>/);
  });

  it("draws a preview beside the rule's chart with its own ids and a text alternative", () => {
    const data = {
      from: new Date("2026-03-01T00:00:00Z"),
      to: new Date("2026-03-02T00:00:00Z"),
      points: [
        { at: new Date("2026-03-01T06:00:00Z"), value: 100 },
        { at: new Date("2026-03-01T12:00:00Z"), value: 10 },
      ],
      firing: [{ from: new Date("2026-03-01T12:00:00Z"), to: new Date("2026-03-02T00:00:00Z") }],
    };
    const chart = { data, metric: "balance", threshold: 50, resetThreshold: null };
    const html = renderToStaticMarkup(
      createElement(
        Fragment,
        null,
        createElement(ThresholdChart, chart),
        createElement(ThresholdChart, { ...chart, id: "threshold-preview", what: "Preview: " }),
      ),
    );
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(["threshold-chart-summary", "threshold-preview-summary"]);
    expect(html).toContain('data-testid="threshold-preview"');
    expect(html).toContain(
      "Preview: balance over the last 24 hours: 2 values from 10 to 100, latest 10. Threshold 50. Firing from 12:00 UTC to 00:00 UTC.",
    );
  });
});
