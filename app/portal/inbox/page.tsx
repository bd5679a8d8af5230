import type { Metadata } from "next";
import { requirePageCtx } from "@/app/_server/ctx";
import { inboxView } from "@/lib/alerts/inbox";
import { PageHeader } from "@/components/ui/card";
import { InboxList } from "@/components/alerts/inbox-list";
import { markReadAction } from "./actions";

export const metadata: Metadata = { title: "Inbox" };
export const dynamic = "force-dynamic";

export default async function InboxPage() {
  const ctx = await requirePageCtx(undefined, "/portal/inbox");
  return (
    <div className="space-y-6">
      <PageHeader title="Inbox" description="In-app alerts for you in this organization." />
      <InboxList initial={await inboxView({ ctx })} markRead={markReadAction} />
    </div>
  );
}
