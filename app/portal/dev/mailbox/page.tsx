import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { requirePageCtx } from "@/app/_server/ctx";
import { env } from "@/lib/env";
import { devMailboxPermission, listDevMailbox } from "@/lib/alerts/inbox";
import { can } from "@/lib/context";
import { Card, PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Dev mailbox" };
export const dynamic = "force-dynamic";

export default async function DevMailboxPage() {
  if (!env.devMailbox) notFound();
  const ctx = await requirePageCtx(undefined, "/portal/dev/mailbox");
  if (!can(ctx, devMailboxPermission(ctx))) forbidden();
  const mail = await listDevMailbox({ ctx });
  return (
    <div className="space-y-6">
      <PageHeader
        title="Dev mailbox"
        description="Development only: email and SMS that would have been sent, because no email or SMS provider is configured. Nothing here left this machine."
      />
      <p
        role="note"
        className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200"
      >
        NOT SENT — set RESEND_API_KEY (email) and TWILIO_* or SMS_GATEWAY_URL (SMS) to deliver for
        real.
      </p>
      <Card title={`${mail.length} message${mail.length === 1 ? "" : "s"}`}>
        {mail.length === 0 ? (
          <p className="text-sm text-slate-600">Empty.</p>
        ) : (
          <ul className="divide-y divide-slate-200 dark:divide-slate-800" aria-label="Messages">
            {mail.map((m) => (
              <li key={m.id} className="py-3">
                <details>
                  <summary className="cursor-pointer text-sm">
                    <span className="mr-2 rounded bg-slate-100 px-1 text-xs uppercase dark:bg-slate-800">
                      {m.channel}
                    </span>
                    <strong>{m.to}</strong> — {m.subject}{" "}
                    <span className="text-xs text-slate-500 dark:text-slate-400">
                      {m.createdAt.toISOString().slice(0, 19).replace("T", " ")}
                    </span>
                  </summary>
                  <pre className="mt-2 text-xs whitespace-pre-wrap">{m.text}</pre>
                  {Object.keys(m.headers).length > 0 && (
                    <pre className="mt-2 text-xs text-slate-500 dark:text-slate-400">
                      {Object.entries(m.headers)
                        .map(([k, v]) => `${k}: ${v}`)
                        .join("\n")}
                    </pre>
                  )}
                </details>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
