"use client";

import Link from "next/link";
import { liveKeys } from "@/components/live";
import { Card } from "@/components/ui/card";
import { SettingsForm, type FormAction } from "./forms";
import { useInbox, type InboxState } from "./inbox-indicator";

/** The inbox page's list: live like the indicator (one query), refetched after marking read. */
export function InboxList({
  initial,
  markRead,
}: {
  initial: InboxState;
  markRead: FormAction<unknown>;
}) {
  const { data } = useInbox(10_000, initial);
  const { unread, items } = data ?? initial;
  return (
    <Card
      title={`${unread} unread`}
      actions={
        unread > 0 ? (
          <SettingsForm
            action={markRead}
            label="Mark all read"
            submit="Mark all read"
            className="flex"
            invalidates={[liveKeys.inbox]}
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
                <p className="text-xs text-slate-500">
                  {i.createdAt.slice(0, 16).replace("T", " ")} UTC
                </p>
              </div>
              {!i.readAt && (
                <SettingsForm
                  action={markRead}
                  label={`Mark ${i.title} read`}
                  submit="Mark read"
                  className="flex"
                  invalidates={[liveKeys.inbox]}
                >
                  <input type="hidden" name="id" value={i.id} />
                </SettingsForm>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
