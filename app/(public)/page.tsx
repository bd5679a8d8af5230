import { connection } from "next/server";
import { pageViewer, statusViewFor } from "@/app/_server/viewer";
import { PageTimeZone } from "@/components/status/local-time";
import { StatusHeader, StatusPageBody } from "@/components/status/status-page";
import { SubscribeForm } from "@/components/status/subscribe-form";
import { subscribeAction, verifyOwnWebhookAction } from "./subscribe/actions";

export default async function StatusPage() {
  await connection();
  const { viewer, tenantName, signedIn } = await pageViewer();
  const view = await statusViewFor(viewer);
  return (
    <PageTimeZone zone={view.page.timeZone}>
      <main className="mx-auto max-w-4xl space-y-8 p-4 sm:p-6">
        <StatusHeader page={view.page} signedIn={signedIn} />
        <StatusPageBody view={view} tenantName={tenantName} />
        <section
          aria-labelledby="subscribe"
          className="space-y-3 rounded-lg border border-slate-200 p-4 dark:border-slate-800"
        >
          <h2 id="subscribe" className="text-xl font-semibold">
            Subscribe to updates
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Get public incidents and maintenance by email or webhook. Every email has a one-click
            unsubscribe link.
          </p>
          <SubscribeForm
            action={subscribeAction}
            verifyAction={verifyOwnWebhookAction}
            components={view.components.map((c) => ({ id: c.id, name: c.name }))}
            regions={view.regions.map((r) => ({ id: r.id, name: r.name }))}
          />
        </section>
      </main>
    </PageTimeZone>
  );
}
