import type { Metadata } from "next";
import { requirePageCtx } from "@/app/_server/ctx";
import { Card, PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Delivery log" };

export default async function Page() {
  await requirePageCtx("deliveries:read", "/portal/deliveries");
  return (
    <>
      <PageHeader
        title="Delivery log"
        description="Every alert sent to your organization: who, on which channel, when, and with what result."
      />
      <Card>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Not available in this version of Beacon yet.
        </p>
      </Card>
    </>
  );
}
