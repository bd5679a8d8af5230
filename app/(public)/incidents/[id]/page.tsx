import { orNotFound } from "@/app/_server/not-found";
import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/server/database";
import { pageViewer, statusViewFor } from "@/app/_server/viewer";
import { getIncident } from "@/lib/status/read";
import { IncidentCard } from "@/components/status/incident-timeline";
import { LocalTime } from "@/components/status/local-time";
import { PageTimeZone } from "@/components/status/local-time";
import { StatusHeader } from "@/components/status/status-page";

async function load(id: string) {
  const { viewer, tenantName, signedIn } = await pageViewer();
  const incident = await orNotFound(getIncident(await getDb(), viewer, id));
  return { incident, viewer, tenantName, signedIn };
}

export async function generateMetadata({
  params,
}: {
  params: Promise<{ id: string }>;
}): Promise<Metadata> {
  const { incident } = await load((await params).id);
  return { title: incident.title };
}

export default async function IncidentPage({ params }: { params: Promise<{ id: string }> }) {
  const { incident, viewer, tenantName, signedIn } = await load((await params).id);
  const view = await statusViewFor(viewer);
  return (
    <PageTimeZone zone={view.page.timeZone}>
      <main className="mx-auto max-w-4xl space-y-6 p-4 sm:p-6">
        <StatusHeader page={view.page} signedIn={signedIn} />
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Incident started <LocalTime iso={incident.startedAt} />
          {incident.resolvedAt && (
            <>
              , resolved <LocalTime iso={incident.resolvedAt} />
            </>
          )}
          .
        </p>
        <IncidentCard
          incident={incident}
          names={{ ...view.names, tenantName }}
          headingLevel={2}
          link={false}
        />
        <Link href="/" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
          ← Current status
        </Link>
      </main>
    </PageTimeZone>
  );
}
