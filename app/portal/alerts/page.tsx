import type { Metadata } from "next";
import { requirePageCtx } from "@/app/_server/ctx";
import { Card, PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Alerts & Notifications" };

export default async function Page() {
  await requirePageCtx("alerts:read", "/portal/alerts");
  return (
    <>
      <PageHeader
        title="Alerts & Notifications"
        description="Choose which incident categories reach which role groups on which channels."
      />
      <Card>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Not available in this version of Beacon yet.
        </p>
      </Card>
    </>
  );
}
