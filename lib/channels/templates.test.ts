import { describe, expect, it } from "vitest";
import {
  CHANNEL_LIMITS,
  checkTemplate,
  MAX_RENDERED,
  renderTemplate,
  sampleItem,
  TemplateError,
  templateVariables,
  type TemplateSource,
} from "./templates";
import { gsmLength } from "./sms-text";

const opts = { appUrl: "http://beacon.test", orgName: "Acme & Sons <Telecom>" };
const incident = templateVariables(sampleItem("incident.created"), opts);
const threshold = templateVariables(sampleItem("threshold.triggered"), opts);

async function renderError(t: TemplateSource, vars = incident, strict = false) {
  const e = await renderTemplate(t, vars, strict).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TemplateError);
  return (e as TemplateError).issue;
}

describe("checking a template", () => {
  it("a tag left open is refused with its line and reason", async () => {
    const issues = await checkTemplate(
      { channel: "sms", body: "Alert\n\n{% if threshold %}\n{{ threshold.value }}" },
      opts,
    );
    expect(issues).toEqual([
      {
        field: "body",
        line: 3,
        column: 1,
        reason: "tag {% if threshold %} not closed",
      },
    ]);
  });

  it("an unknown filter and an unknown variable are refused where they are", async () => {
    const [filter] = await checkTemplate(
      { channel: "slack", body: "one\ntwo {{ alert.title | shout }}" },
      opts,
    );
    expect(filter).toMatchObject({ field: "body", line: 2, reason: "undefined filter: shout" });
    const [variable] = await checkTemplate(
      { channel: "email", subject: "ok", body: "a\nb\n  {{ alert.titel }}" },
      opts,
    );
    expect(variable).toMatchObject({ field: "body", line: 3, column: 6 });
    expect(variable!.reason).toContain("alert.titel");
  });

  it("the email subject is checked as its own field", async () => {
    const issues = await checkTemplate(
      { channel: "email", subject: "{{ alert.title", body: "{{ alert.title }}" },
      opts,
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ field: "subject", line: 1 });
    expect(issues[0]!.reason).toMatch(/not closed/);
  });

  it("a threshold variable is fine in an incident's alert (empty there), and documented names all exist", async () => {
    expect(
      await checkTemplate(
        {
          channel: "teams",
          body: "{{ alert.headline }} {{ alert.kind_label }} {{ alert.created_at | date: '%H:%M' }} {{ alert.topic }} {{ alert.incident_id }} {% if threshold %}{{ threshold.metric }} {{ threshold.value }} {{ threshold.operator }} {{ threshold.threshold }} {{ threshold.rule_id }}{% endif %} {{ organization.name }} {{ app_url }}",
        },
        opts,
      ),
    ).toEqual([]);
  });

  it("no file system: include, render and layout do not exist", async () => {
    for (const body of ["{% include 'x' %}", "{% render '/etc/passwd' %}", "{% layout 'a' %}"]) {
      const [issue] = await checkTemplate({ channel: "sms", body }, opts);
      expect(issue!.reason).toMatch(/tag "(include|render|layout)" not found/);
    }
  });

  it("`| raw` cannot print a value unescaped", async () => {
    const [issue] = await checkTemplate(
      { channel: "slack", body: "{{ alert.title | raw }}" },
      opts,
    );
    expect(issue).toMatchObject({ line: 1, reason: "undefined filter: raw" });
  });

  it("a template that loops without bound is stopped by the memory limit, with its line", async () => {
    const issue = await renderError({
      channel: "sms",
      body: "x\n{% for i in (1..100000000) %}{{ i }}{% endfor %}",
    });
    expect(issue.line).toBe(2);
    expect(issue.reason).toMatch(/limit/);
  });

  it("an output past the hard limit fails instead of being sent", async () => {
    const issue = await renderError({
      channel: "teams",
      body: `{% for i in (1..40) %}${"x".repeat(MAX_RENDERED / 30)}{% endfor %}`,
    });
    expect(issue.reason).toMatch(/at most 100000/);
  });
});

describe("escaping for each channel", () => {
  // The incident sample's title is "Calls to India failing <Mumbai POP> & SMS delayed" and its
  // message has "*elevated*", "<Mumbai>" and "&".
  it("email: values are HTML-escaped, the template's own markup is kept but sanitized, and the text part reads plainly", async () => {
    const out = await renderTemplate(
      {
        channel: "email",
        subject: "[{{ alert.impact }}]\n{{ alert.title }}",
        body: '<p><strong>{{ alert.title }}</strong></p>\n<p>{{ alert.message }}</p><script>alert(1)</script><a href="{{ alert.url }}" onclick="x()">Open</a>',
      },
      incident,
    );
    expect(out.subject).toBe("[Major] Calls to India failing <Mumbai POP> & SMS delayed");
    expect(out.html).toContain(
      "<p><strong>Calls to India failing &lt;Mumbai POP&gt; &amp; SMS delayed</strong></p>",
    );
    expect(out.html).not.toContain("<script>");
    expect(out.html).not.toContain("onclick");
    expect(out.html).toContain('<a href="http://beacon.test/incidents/');
    expect(out.text).toContain("Calls to India failing <Mumbai POP> & SMS delayed");
    expect(out.text).toMatch(/Open \(http:\/\/beacon\.test\/incidents\/[0-9a-f-]+\)/);
  });

  it("Slack: &, < and > in values are escaped; the template's own link syntax stays", async () => {
    const out = await renderTemplate(
      {
        channel: "slack",
        body: "*{{ alert.title }}* <{{ alert.url }}|Open>\n{{ organization.name }}",
      },
      incident,
    );
    expect(out.text).toMatch(
      /^\*Calls to India failing &lt;Mumbai POP&gt; &amp; SMS delayed\* <http:\/\/beacon\.test\/incidents\/[0-9a-f-]+\|Open>\nAcme &amp; Sons &lt;Telecom&gt;$/,
    );
  });

  it("Teams: a value cannot open emphasis, links or a list", async () => {
    const out = await renderTemplate(
      { channel: "teams", body: "**{{ alert.impact }}**\n{{ alert.message }}\n{{ alert.status }}" },
      templateVariables(
        {
          ...sampleItem("incident.created"),
          payload: {
            ...sampleItem("incident.created").payload,
            message: "- see [here](http://evil.test) for *details*_now_",
          },
        },
        opts,
      ),
    );
    expect(out.text).toBe(
      "**Major**\n\\- see \\[here\\](http://evil.test) for \\*details\\*\\_now\\_\ninvestigating",
    );
  });

  it("SMS: plain text folded to GSM-7 and cut to two segments", async () => {
    const short = await renderTemplate(
      { channel: "sms", body: "{{ alert.impact }} – {{ alert.title }}" },
      incident,
    );
    expect(short.text).toBe("Major - Calls to India failing <Mumbai POP> & SMS delayed");
    expect(short.cut).toBeUndefined();
    const long = await renderTemplate(
      { channel: "sms", body: "{% for i in (1..80) %}{{ alert.impact }} {% endfor %}" },
      incident,
    );
    expect(gsmLength(long.text)).toBeLessThanOrEqual(CHANNEL_LIMITS.sms);
    expect(long.text.endsWith("...")).toBe(true);
    expect(long.cut).toMatch(/306/);
  });

  it("threshold alerts carry the rule's values", async () => {
    const out = await renderTemplate(
      {
        channel: "sms",
        body: "{{ threshold.metric }} {{ threshold.value }} < {{ threshold.threshold }} ({{ threshold.rule_id }})",
      },
      threshold,
    );
    expect(out.text).toBe("balance 450 < 500 (00000000-0000-4000-8000-000000000001)");
  });

  it("a template that renders nothing is refused rather than sending an empty message", async () => {
    const issue = await renderError({ channel: "slack", body: "{% if false %}x{% endif %}  " });
    expect(issue.reason).toBe("renders an empty message");
  });
});
