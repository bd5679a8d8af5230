/**
 * A tenant's own wording of an alert on one channel, in Liquid (liquidjs). Templates never touch
 * the file system (no include, render or layout), every value a template prints is escaped for
 * its channel, and rendering is bounded in time, memory and output size. Checking a template
 * (at save and in the preview) parses it and renders it against sample alerts of every kind, so
 * an unknown variable or filter is refused with its line; sending renders it leniently and, if
 * that fails anyway, the caller falls back to the default wording (lib/alerts/send.ts).
 */
import { Liquid, LiquidError } from "liquidjs";
import sanitizeHtml from "sanitize-html";
import type { NotificationKind, TemplateChannel } from "@/db/schema";
import { CATEGORY_LABELS, IMPACT_LABELS } from "@/lib/labels";
import { itemHeadline, itemUrl, type AlertItem } from "./message";
import { gsmLength, toGsm } from "./sms-text";

/** What a template may be, at most. */
export const MAX_TEMPLATE_BODY = 10_000;
export const MAX_TEMPLATE_SUBJECT = 300;
/** Longest rendering of any template, before the channel's own cut; beyond it the render fails. */
export const MAX_RENDERED = 100_000;
/** Longest time one render may take (liquidjs renderLimit). */
export const RENDER_LIMIT_MS = 250;
/** Memory one render may allocate (liquidjs memoryLimit: characters of strings and arrays built). */
export const MEMORY_LIMIT = 1_000_000;

/** What each channel carries of a rendered template, at most. */
export const CHANNEL_LIMITS = {
  /** Email subject line. */
  subject: 200,
  /** Slack: a section block's text. */
  slack: 3000,
  /** Teams: one Adaptive Card TextBlock (Teams refuses cards much over 28 KB). */
  teams: 20_000,
  /** SMS: two concatenated GSM-7 segments. */
  sms: 306,
} as const;

/** The text a custom template produced for one delivery; the adapters send it instead of theirs. */
export interface CustomText {
  channel: TemplateChannel;
  /** Email: the subject line. */
  subject?: string;
  /** Plain text (email's text part, SMS) or the channel's markup (Slack mrkdwn, Teams markdown). */
  text: string;
  /** Email: the body's HTML, sanitized. */
  html?: string;
  /** Set when the output was cut to the channel's limit. */
  cut?: string;
}

/** One variable a template can use, as the templates page documents it. */
export interface TemplateVariable {
  name: string;
  description: string;
  example: string;
}

export const TEMPLATE_VARIABLES: readonly TemplateVariable[] = [
  { name: "alert.title", description: "What happened, in one line", example: "Balance below 500" },
  {
    name: "alert.headline",
    description: "Beacon's own headline: kind, impact, category and title",
    example: "Threshold crossed · Minor Billing: Balance below 500",
  },
  {
    name: "alert.kind",
    description:
      "incident.created, incident.updated, incident.resolved, maintenance.scheduled, maintenance.started, maintenance.completed, threshold.triggered, threshold.recovered, alert.test",
    example: "threshold.triggered",
  },
  { name: "alert.kind_label", description: "The kind in words", example: "Threshold crossed" },
  {
    name: "alert.category",
    description: "Infrastructure, Billing or Configurable",
    example: "Billing",
  },
  { name: "alert.impact", description: "Notice, Minor, Major or Critical", example: "Minor" },
  {
    name: "alert.status",
    description: "The incident's status or the rule's state (may be empty)",
    example: "triggered",
  },
  {
    name: "alert.message",
    description: "The update's text (may be empty)",
    example: "balance is 450, below the threshold 500",
  },
  {
    name: "alert.url",
    description: "Link to the incident or the page the alert is about",
    example: "https://status.example.com/portal/thresholds",
  },
  {
    name: "alert.created_at",
    description: 'When the alert was raised (ISO 8601, UTC); try | date: "%d %b %H:%M"',
    example: "2026-03-02T10:15:00.000Z",
  },
  {
    name: "alert.topic",
    description: "A narrower subject, e.g. low_balance (may be empty)",
    example: "low_balance",
  },
  { name: "alert.incident_id", description: "The incident's id (incidents only)", example: "" },
  {
    name: "threshold",
    description: "Threshold alerts only (empty otherwise): test with {% if threshold %}",
    example: "",
  },
  { name: "threshold.rule_id", description: "The rule's id", example: "" },
  { name: "threshold.metric", description: "The metric the rule watches", example: "balance" },
  {
    name: "threshold.value",
    description: "The value that fired or recovered the rule",
    example: "450",
  },
  { name: "threshold.operator", description: "How the rule compares", example: "lt" },
  { name: "threshold.threshold", description: "The rule's threshold", example: "500" },
  { name: "organization.name", description: "Your organization's name", example: "Acme Telecom" },
  { name: "app_url", description: "Beacon's address", example: "https://status.example.com" },
];

const KIND_LABEL_RE = /^(.*?)(?: · |: )/;

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The values a template sees for one alert (every documented name is present, null when absent). */
export function templateVariables(
  item: AlertItem,
  opts: { appUrl: string; orgName: string },
): Record<string, unknown> {
  const p = item.payload;
  const headline = itemHeadline(item);
  let threshold: Record<string, unknown> | null = null;
  if (item.kind.startsWith("threshold.")) {
    threshold = { rule_id: null, metric: null, value: null, operator: null, threshold: null };
    for (const [k, v] of Object.entries(p.data ?? {})) {
      if (v === null || ["string", "number", "boolean"].includes(typeof v)) threshold[snake(k)] = v;
    }
  }
  return {
    alert: {
      kind: item.kind,
      kind_label: KIND_LABEL_RE.exec(headline)?.[1] ?? item.kind,
      title: p.title,
      headline,
      category: CATEGORY_LABELS[p.category],
      impact: IMPACT_LABELS[p.impact],
      status: p.status ?? null,
      message: p.message ?? null,
      url: itemUrl(item, opts.appUrl),
      created_at: item.createdAt.toISOString(),
      topic: p.topic ?? null,
      incident_id: p.incidentId ?? null,
    },
    threshold,
    organization: { name: opts.orgName },
    app_url: opts.appUrl,
  };
}

/** Sample alerts for the preview and for checking a template at save. */
export const SAMPLE_KINDS = ["threshold.triggered", "incident.created"] as const;
export type SampleKind = (typeof SAMPLE_KINDS)[number];

export function sampleItem(kind: SampleKind, now = new Date()): AlertItem {
  if (kind === "threshold.triggered") {
    return {
      kind,
      createdAt: now,
      payload: {
        title: "Balance below 500: balance is 450",
        category: "billing",
        impact: "minor",
        audience: { type: "tenant", orgId: "00000000-0000-4000-8000-000000000000" },
        componentIds: [],
        regionIds: [],
        status: "triggered",
        topic: "low_balance",
        message: "balance is 450, below the threshold 500 (balance < 500).",
        url: "/portal/thresholds",
        data: {
          ruleId: "00000000-0000-4000-8000-000000000001",
          metric: "balance",
          value: 450,
          operator: "lt",
          threshold: 500,
        },
      },
    };
  }
  return {
    kind,
    createdAt: now,
    payload: {
      title: "Calls to India failing <Mumbai POP> & SMS delayed",
      category: "infrastructure",
      impact: "major",
      audience: { type: "public" },
      componentIds: [],
      regionIds: [],
      status: "investigating",
      message: "We are seeing *elevated* call failures on routes via <Mumbai> & are investigating.",
      incidentId: "00000000-0000-4000-8000-000000000002",
    },
  };
}

// ---- escaping per channel ----

export function escapeHtmlText(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

/** Slack mrkdwn: &, < and > are its control characters (links, mentions); nothing else is. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Teams TextBlock markdown: a value cannot open emphasis, a link or code anywhere, nor a heading,
 * quote or list at the start of a line (CommonMark backslash escapes).
 */
export function escapeTeamsMarkdown(s: string): string {
  return s
    .replace(/[\\`*_[\]~]/g, (c) => `\\${c}`)
    .replace(
      /(^|\n)([ \t]*)([#>+-]|\d+[.)])/g,
      (_, nl: string, sp: string, m: string) => `${nl}${sp}${m.replace(/([#>+.)-])/, "\\$1")}`,
    );
}

function str(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) return v.map(str).join("");
  return String(v);
}

type Escape = "html" | "mrkdwn" | "teams" | "none";

const ESCAPES: Record<Escape, ((v: unknown) => string) | undefined> = {
  html: (v) => escapeHtmlText(str(v)),
  mrkdwn: (v) => escapeMrkdwn(str(v)),
  teams: (v) => escapeTeamsMarkdown(str(v)),
  none: undefined,
};

function engine(escape: Escape, strict: boolean): Liquid {
  const liquid = new Liquid({
    // An in-memory (empty) set of templates instead of the file system, and no tags that load one.
    templates: {},
    outputEscape: ESCAPES[escape],
    strictFilters: true,
    strictVariables: strict,
    lenientIf: true,
    ownPropertyOnly: true,
    parseLimit: MAX_TEMPLATE_BODY * 2,
    renderLimit: RENDER_LIMIT_MS,
    memoryLimit: MEMORY_LIMIT,
  });
  for (const tag of ["include", "render", "layout", "block"]) delete liquid.tags[tag];
  // `| raw` would print a value unescaped: alert text must never become channel markup.
  delete liquid.filters.raw;
  return liquid;
}

const ENGINES = new Map<string, Liquid>();
function engineFor(escape: Escape, strict: boolean): Liquid {
  const key = `${escape}:${strict}`;
  let e = ENGINES.get(key);
  if (!e) ENGINES.set(key, (e = engine(escape, strict)));
  return e;
}

/** Why a template cannot be used, where in it. */
export interface TemplateIssue {
  field: "subject" | "body";
  line: number;
  column: number;
  reason: string;
}

export class TemplateError extends Error {
  constructor(readonly issue: TemplateIssue) {
    super(`${issue.field}: line ${issue.line}, column ${issue.column}: ${issue.reason}`);
  }
}

function issueOf(field: TemplateIssue["field"], e: unknown): TemplateIssue {
  if (e instanceof LiquidError) {
    const [line = 1, column = 1] = e.token?.getPosition?.() ?? [];
    const reason = (e.originalError?.message ?? e.message).replace(/, line:\d+, col:\d+$/, "");
    return { field, line, column, reason };
  }
  return { field, line: 1, column: 1, reason: e instanceof Error ? e.message : String(e) };
}

/** Parsed templates, most recently used last: a fan-out renders the same few sources many times. */
const PARSED = new Map<string, ReturnType<Liquid["parse"]>>();
const PARSED_MAX = 500;

function parsed(liquid: Liquid, engineKey: string, source: string) {
  const key = `${engineKey}\u0000${source}`;
  let t = PARSED.get(key);
  if (t) {
    PARSED.delete(key);
  } else {
    t = liquid.parse(source);
    if (PARSED.size >= PARSED_MAX) PARSED.delete(PARSED.keys().next().value!);
  }
  PARSED.set(key, t);
  return t;
}

async function renderOne(
  field: TemplateIssue["field"],
  source: string,
  escape: Escape,
  strict: boolean,
  vars: Record<string, unknown>,
): Promise<string> {
  const liquid = engineFor(escape, strict);
  let out: string;
  try {
    out = str(await liquid.render(parsed(liquid, `${escape}:${strict}`, source), vars));
  } catch (e) {
    throw new TemplateError(issueOf(field, e));
  }
  if (out.length > MAX_RENDERED) {
    throw new TemplateError({
      field,
      line: 1,
      column: 1,
      reason: `renders ${out.length} characters; at most ${MAX_RENDERED}`,
    });
  }
  return out;
}

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

const EMAIL_TAGS = [
  "p",
  "br",
  "div",
  "span",
  "strong",
  "b",
  "em",
  "i",
  "u",
  "a",
  "ul",
  "ol",
  "li",
  "h1",
  "h2",
  "h3",
  "h4",
  "hr",
  "blockquote",
  "code",
  "pre",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
];

function sanitizeEmail(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: EMAIL_TAGS,
    allowedAttributes: { a: ["href"] },
    allowedSchemes: ["http", "https", "mailto"],
    disallowedTagsMode: "escape",
  });
}

/** The text/plain part of a custom email: the HTML's text, with links written out. */
export function htmlToText(html: string): string {
  return html
    .replace(/<a\s+href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, (_, href: string, label: string) =>
      label.trim() && label !== href ? `${label} (${href})` : href,
    )
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|div|li|tr|h[1-6]|blockquote|pre)>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, e: string) =>
      e === "amp"
        ? "&"
        : e === "lt"
          ? "<"
          : e === "gt"
            ? ">"
            : e === "quot"
              ? '"'
              : e === "#39"
                ? "'"
                : " ",
    )
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

export interface TemplateSource {
  channel: TemplateChannel;
  subject?: string | null;
  body: string;
}

/**
 * Renders a template for one alert, escaped and cut for its channel. Throws TemplateError (with
 * the line and reason) when it cannot: `strict` also refuses unknown variables.
 */
export async function renderTemplate(
  t: TemplateSource,
  vars: Record<string, unknown>,
  strict = false,
): Promise<CustomText> {
  if (t.channel === "email") {
    const subjectSource = t.subject ?? "";
    const subject = (await renderOne("subject", subjectSource, "none", strict, vars))
      .replace(/\s+/g, " ")
      .trim();
    if (subjectSource.trim() && !subject) {
      throw new TemplateError({
        field: "subject",
        line: 1,
        column: 1,
        reason: "renders an empty subject",
      });
    }
    const html = sanitizeEmail(await renderOne("body", t.body, "html", strict, vars));
    const text = htmlToText(html);
    const out: CustomText = { channel: "email", text, html };
    if (subject) out.subject = cut(subject, CHANNEL_LIMITS.subject);
    if (subject.length > CHANNEL_LIMITS.subject)
      out.cut = `The subject was cut to ${CHANNEL_LIMITS.subject} characters`;
    return out;
  }
  const escape: Escape =
    t.channel === "slack" ? "mrkdwn" : t.channel === "teams" ? "teams" : "none";
  const raw = (await renderOne("body", t.body, escape, strict, vars)).trim();
  if (!raw) {
    throw new TemplateError({
      field: "body",
      line: 1,
      column: 1,
      reason: "renders an empty message",
    });
  }
  if (t.channel === "sms") {
    const gsm = toGsm(raw);
    if (gsmLength(gsm) <= CHANNEL_LIMITS.sms) return { channel: "sms", text: gsm };
    let v = gsm;
    while (v.length > 0 && gsmLength(v) + 3 > CHANNEL_LIMITS.sms) v = v.slice(0, -1);
    return {
      channel: "sms",
      text: `${v.trimEnd()}...`,
      cut: `The SMS was cut to ${CHANNEL_LIMITS.sms} characters (two segments)`,
    };
  }
  const max = CHANNEL_LIMITS[t.channel];
  return raw.length <= max
    ? { channel: t.channel, text: raw }
    : {
        channel: t.channel,
        text: cut(raw, max),
        cut: `The message was cut to ${max} characters`,
      };
}

/**
 * Checks a template as saving does: it must parse and render, with no unknown variable or filter,
 * for a sample alert of every kind. Returns every field's first problem (empty when it is fine).
 */
export async function checkTemplate(
  t: TemplateSource,
  opts: { appUrl: string; orgName: string },
): Promise<TemplateIssue[]> {
  const issues = new Map<TemplateIssue["field"], TemplateIssue>();
  for (const kind of SAMPLE_KINDS) {
    try {
      await renderTemplate(t, templateVariables(sampleItem(kind), opts), true);
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      if (!issues.has(e.issue.field)) issues.set(e.issue.field, e.issue);
    }
  }
  return [...issues.values()];
}

/** Which alerts a tenant template rewords: single alerts of the tenant's own (not digests). */
export function templatableKind(kind: NotificationKind): boolean {
  return kind !== "user.warning";
}
