import type { Metadata } from "next";
import { requirePageCtx } from "@/app/_server/ctx";
import { Card, PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Threshold rules" };

export default async function Page() {
  await requirePageCtx("thresholds:manage", "/portal/thresholds");
  return (
    <>
      <PageHeader
        title="Threshold rules"
        description="Alerts on your own metrics crossing a threshold (for example balance below a value, CPS or channels above one)."
      />
      <Card>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Not available in this version of Beacon yet.
        </p>
      </Card>
    </>
  );
}
