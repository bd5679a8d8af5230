import type { Metadata } from "next";
import { requirePageCtx } from "@/app/_server/ctx";
import { Card, PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Support" };

const TIERS = [
  {
    tier: "Tier 1",
    who: "Customer Support",
    when: "Your first point of contact for all standard queries, requests and issues.",
  },
  {
    tier: "Tier 2",
    who: "Level 1 Escalation",
    when: "When a Tier 1 response is delayed or its resolution is unsatisfactory.",
  },
  {
    tier: "Tier 3",
    who: "Level 2 Escalation",
    when: "High-impact or unresolved issues needing senior attention. Needs the Tier 2 ticket ID.",
  },
];

export default async function SupportPage() {
  const ctx = await requirePageCtx("support:read", "/portal/support");
  return (
    <div className="space-y-6">
      <PageHeader
        title="Support"
        description="How to reach us, and what to include so we can help quickly."
      />
      <Card title="When you contact support, include">
        <ul className="list-disc space-y-1 pl-5 text-sm">
          <li>
            Your tenant ID:{" "}
            <code className="rounded bg-slate-100 px-1 dark:bg-slate-800">{ctx.org.id}</code> (
            {ctx.org.slug})
          </li>
          <li>An example incident ID, if an incident is involved</li>
          <li>The channels affected (email, SMS, Slack, Teams, webhook)</li>
          <li>Timestamps of what you saw, with time zone</li>
        </ul>
      </Card>
      <Card title="Escalation matrix">
        <ol className="space-y-3 text-sm">
          {TIERS.map((t) => (
            <li key={t.tier}>
              <p className="font-medium">
                {t.tier}: {t.who}
              </p>
              <p className="text-slate-600 dark:text-slate-400">{t.when}</p>
            </li>
          ))}
        </ol>
      </Card>
    </div>
  );
}
