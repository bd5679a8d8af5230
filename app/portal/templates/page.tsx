import type { Metadata } from "next";
import Link from "next/link";
import { requirePageCtx } from "@/app/_server/ctx";
import { Card, PageHeader } from "@/components/ui/card";
import { RowActionForm } from "@/components/alerts/forms";
import { TemplateEditor } from "@/components/alerts/template-editor";
import { TEMPLATE_CHANNELS } from "@/db/schema";
import { listTemplates, templateRuleChoices } from "@/lib/alerts/templates";
import {
  CHANNEL_LIMITS,
  MAX_RENDERED,
  RENDER_LIMIT_MS,
  TEMPLATE_VARIABLES,
} from "@/lib/channels/templates";
import { CHANNEL_LABELS } from "@/lib/labels";
import { createTemplateAction, deleteTemplateAction, updateTemplateAction } from "./actions";

export const metadata: Metadata = { title: "Alert templates" };

const CHANNEL_CHOICES = TEMPLATE_CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }));
const SAMPLES = [
  { value: "threshold.triggered", label: "Threshold alert (balance below 500)" },
  { value: "incident.created", label: "New incident (with <, > and & in it)" },
];

export default async function TemplatesPage() {
  const ctx = await requirePageCtx("alerts:manage", "/portal/templates");
  if (ctx.org.kind !== "tenant") {
    return (
      <>
        <PageHeader title="Alert templates" />
        <Card>
          <p className="text-sm">
            Alert templates belong to customer organizations. Switch to a tenant to manage them.
          </p>
        </Card>
      </>
    );
  }
  const [templates, rules] = await Promise.all([
    listTemplates({ ctx }),
    templateRuleChoices({ ctx }),
  ]);

  return (
    <div className="space-y-6">
      <PageHeader
        title="Alert templates"
        description={
          <>
            Word your alerts yourself, per channel, in Liquid: for all alerts, or for one threshold
            rule (which wins for that rule&apos;s alerts). Without a template Beacon&apos;s own
            wording is used; a webhook&apos;s JSON body never changes. Routing stays in{" "}
            <Link href="/portal/alerts" className="underline">
              Alerts &amp; Notifications
            </Link>
            .
          </>
        }
      />

      <Card title="Your templates">
        {templates.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">
            No templates yet: every alert uses Beacon&apos;s default wording.
          </p>
        ) : (
          <ul className="divide-y divide-slate-200 dark:divide-slate-800">
            {templates.map((t) => (
              <li key={t.id} className="py-3">
                <details>
                  <summary className="cursor-pointer text-sm">
                    <span className="font-medium">{CHANNEL_LABELS[t.channel]}</span>
                    {" · "}
                    {t.thresholdRuleId ? `Threshold rule: ${t.ruleName}` : "All alerts"}
                    <span className="ml-2 text-xs text-slate-500">
                      updated {t.updatedAt.toISOString().slice(0, 16).replace("T", " ")} UTC
                    </span>
                  </summary>
                  <div className="mt-4 space-y-4">
                    <TemplateEditor
                      channels={CHANNEL_CHOICES}
                      rules={rules}
                      template={{
                        id: t.id,
                        channel: t.channel,
                        subject: t.subject,
                        body: t.body,
                      }}
                      save={updateTemplateAction}
                      samples={SAMPLES}
                    />
                    <RowActionForm
                      action={deleteTemplateAction}
                      id={t.id}
                      label={`Delete ${CHANNEL_LABELS[t.channel]} template`}
                      submit="Delete template"
                    />
                  </div>
                </details>
              </li>
            ))}
          </ul>
        )}
      </Card>

      <Card title="New template">
        <TemplateEditor
          channels={CHANNEL_CHOICES}
          rules={rules}
          save={createTemplateAction}
          samples={SAMPLES}
        />
      </Card>

      <Card title="Variables" id="variables">
        <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">
          Print a value with <code>{"{{ alert.title }}"}</code>; Liquid&apos;s tags (<code>if</code>
          , <code>unless</code>, <code>case</code>, <code>for</code>, <code>assign</code>,{" "}
          <code>capture</code>) and filters (<code>upcase</code>, <code>truncate</code>,{" "}
          <code>default</code>, <code>date</code>, …) work. Templates cannot read files (
          <code>include</code>, <code>render</code> and <code>layout</code> do not exist), and every
          value is escaped for its channel (<code>| raw</code> does not exist). Saving renders the
          template on sample alerts: an unknown variable or filter, or a tag left open, is refused
          with its line.
        </p>
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="text-slate-500">
              <tr>
                <th className="py-2 font-medium">Variable</th>
                <th className="font-medium">What it holds</th>
                <th className="font-medium">Example</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
              {TEMPLATE_VARIABLES.map((v) => (
                <tr key={v.name}>
                  <td className="py-2 pr-4 font-mono text-xs whitespace-nowrap">{v.name}</td>
                  <td className="pr-4">{v.description}</td>
                  <td className="font-mono text-xs">{v.example}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <ul className="mt-4 list-disc space-y-1 pl-5 text-sm text-slate-600 dark:text-slate-400">
          <li>
            Email: the subject is plain text (at most {CHANNEL_LIMITS.subject} characters); the body
            may be HTML (links, lists, tables, emphasis; scripts and styles are removed) or plain
            text, and its values are HTML-escaped. Beacon&apos;s footer is added below it.
          </li>
          <li>
            Slack: mrkdwn, at most {CHANNEL_LIMITS.slack} characters; values have &amp;, &lt; and
            &gt; escaped. Teams: markdown, at most {CHANNEL_LIMITS.teams.toLocaleString("en")}{" "}
            characters. SMS: plain text, cut to {CHANNEL_LIMITS.sms} characters.
          </li>
          <li>
            A render may take {RENDER_LIMIT_MS} ms and produce {MAX_RENDERED.toLocaleString("en")}{" "}
            characters. If a template ever fails when an alert is sent, the alert goes out in
            Beacon&apos;s default wording and its delivery&apos;s trace says why. Digests keep
            Beacon&apos;s layout.
          </li>
        </ul>
      </Card>
    </div>
  );
}
