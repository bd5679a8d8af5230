import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { getDb } from "@/server/database";
import { getSupportMatrix } from "@/lib/support/desk";
import { EscalationMatrix } from "@/components/support/matrix";

export const metadata: Metadata = { title: "Support and escalation" };

/** The escalation matrix for everyone: who to contact, and when to escalate. */
export default async function PublicSupportPage() {
  await connection();
  const tiers = await getSupportMatrix(await getDb());
  return (
    <main className="mx-auto max-w-3xl space-y-6 px-4 py-10">
      <h1 className="text-2xl font-semibold tracking-tight">Support and escalation</h1>
      <p className="text-sm text-slate-700 dark:text-slate-300">
        Start with Tier 1. If its answer is late or did not solve the problem, escalate to Tier 2;
        Tier 3 is for high-impact or unresolved issues and needs your Tier 2 ticket ID. Customers
        raise and escalate tickets from the{" "}
        <Link className="underline" href="/portal/support">
          portal&apos;s Support page
        </Link>
        .
      </p>
      <EscalationMatrix tiers={tiers} />
      <p className="text-sm">
        <Link className="underline" href="/">
          Back to the status page
        </Link>
      </p>
    </main>
  );
}
