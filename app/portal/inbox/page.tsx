import type { Metadata } from "next";
import Link from "next/link";
import { requirePageCtx } from "@/app/_server/ctx";
import { listInbox, unreadCount } from "@/lib/alerts/inbox";
import { Card, PageHeader } from "@/components/ui/card";
import { SettingsForm } from "@/components/alerts/forms";
import { markReadAction } from "./actions";

export const metadata: Metadata = { title: "Inbox" };
export const dynamic = "force-dynamic";

export default async function InboxPage() {
  const ctx = await requirePageCtx(undefined, "/portal/inbox");
  const [items, unread] = await Promise.all([listInbox({ ctx }), unreadCount({ ctx })]);
  return (
    <div className="space-y-6">
      <PageHeader title="Inbox" description="In-app alerts for you in this organization." />
      <Card
        title={`${unread} unread`}
        actions={
          unread > 0 ? (
            <SettingsForm
              action={markReadAction}
              label="Mark all read"
              submit="Mark all read"
              className="flex"
            />
          ) : null
        }
      >
        {items.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">Nothing here yet.</p>
        ) : (
          <ul className="divide-y divide-slate-200 dark:divide-slate-800" aria-label="Inbox items">
            {items.map((i) => (
              <li key={i.id} className="flex items-start justify-between gap-4 py-3">
                <div>
                  <p className={i.readAt ? "text-sm" : "text-sm font-semibold"}>
                    {i.url ? (
                      <Link href={i.url} className="hover:underline">
                        {i.title}
                      </Link>
                    ) : (
                      i.title
                    )}
                  </p>
                  {i.body && (
                    <p className="text-sm whitespace-pre-wrap text-slate-600 dark:text-slate-400">
                      {i.body}
                    </p>
                  )}
                  <p className="text-xs text-slate-500 dark:text-slate-400">
                    {i.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC
                  </p>
                </div>
                {!i.readAt && (
                  <SettingsForm
                    action={markReadAction}
                    label={`Mark ${i.title} read`}
                    submit="Mark read"
                    className="flex"
                  >
                    <input type="hidden" name="id" value={i.id} />
                  </SettingsForm>
                )}
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
