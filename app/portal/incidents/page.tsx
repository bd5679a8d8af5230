import type { Metadata } from "next";
import { requirePageCtx } from "@/app/_server/ctx";
import { Card, PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Incidents" };

export default async function Page() {
  await requirePageCtx("incidents:read", "/portal/incidents");
  return (
    <>
      <PageHeader
        title="Incidents"
        description="Open incidents, post updates and schedule maintenance. The on-call console arrives with the incident lifecycle."
      />
      <Card>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Not available in this version of Beacon yet.
        </p>
      </Card>
    </>
  );
}
