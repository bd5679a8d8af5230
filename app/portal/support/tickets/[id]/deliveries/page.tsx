import type { Metadata } from "next";
import Link from "next/link";
import { requirePageCtx } from "@/app/_server/ctx";
import { orNotFound } from "@/app/_server/not-found";
import { ValidationError } from "@/lib/errors";
import { deliveryStatusText } from "@/lib/labels";
import { viewTenantDeliveriesForTicket } from "@/lib/support/support-view";
import { Card, PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Tenant delivery log (support)" };

type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

/**
 * Platform support's read-only look at a tenant's delivery log for the ticket's incident, and the
 * routing explanation for one address. Every visit is a row in the tenant's audit log.
 */
export default async function SupportDeliveriesPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Search>;
}) {
  const { id } = await params;
  const ctx = await requirePageCtx("tickets:work", `/portal/support/tickets/${id}/deliveries`);
  const address = one((await searchParams).address);
  let error: string | null = null;
  const view = await orNotFound(
    viewTenantDeliveriesForTicket({ ctx, input: { id, address } }).catch((e: unknown) => {
      if (!(e instanceof ValidationError)) throw e;
      error = e.issues.map((i) => i.message).join("; ");
      return viewTenantDeliveriesForTicket({ ctx, input: { id } });
    }),
  );
  return (
    <div className="space-y-6">
      <PageHeader
        title={`${view.ticket.orgName}: delivery log for ${view.ticket.ref}`}
        description="Read-only. This visit is recorded in the tenant's audit log."
      />
      <p className="text-sm">
        <Link className="underline" href={`/portal/support/tickets/${id}`}>
          Back to {view.ticket.ref}
        </Link>
      </p>
      <Card
        title={
          view.ticket.incidentId ? "Deliveries for the ticket's incident" : "Recent deliveries"
        }
      >
        {view.deliveries.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">No deliveries.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead>
                <tr className="border-b border-slate-200 dark:border-slate-800">
                  <th scope="col" className="py-2 pr-3">
                    When (UTC)
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Alert
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Channel
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    To
                  </th>
                  <th scope="col" className="py-2">
                    Outcome
                  </th>
                </tr>
              </thead>
              <tbody>
                {view.deliveries.map((d) => (
                  <tr
                    key={d.id}
                    className="border-b border-slate-100 align-top dark:border-slate-800"
                  >
                    <td className="py-2 pr-3 whitespace-nowrap">
                      {d.createdAt.toISOString().replace("T", " ").slice(0, 16)}
                    </td>
                    <td className="py-2 pr-3">{d.title}</td>
                    <td className="py-2 pr-3">{d.channel}</td>
                    <td className="py-2 pr-3">{d.destination}</td>
                    <td className="py-2">
                      {deliveryStatusText(d)}
                      {d.error && (
                        <p className="text-xs text-red-700 dark:text-red-400">{d.error}</p>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {view.ticket.incidentId && (
        <Card title="Why did (or didn't) an address get it?">
          <form className="flex flex-wrap items-end gap-2" method="get">
            <label className="text-sm">
              <span className="block font-medium">Address or phone number</span>
              <input
                name="address"
                defaultValue={address}
                className="rounded-md border border-slate-300 px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
              />
            </label>
            <button
              type="submit"
              className="rounded-md border border-slate-300 px-3 py-1.5 text-sm dark:border-slate-700"
            >
              Explain
            </button>
          </form>
          {error && (
            <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-400">
              Address: {error}
            </p>
          )}
          {view.explanation && (
            <div className="mt-4 space-y-3 text-sm">
              <p className="font-medium">{view.explanation.subject}</p>
              {view.explanation.notifications.map((n) => (
                <div key={n.jobId}>
                  <p className="font-medium">{n.title}</p>
                  <ul className="list-disc pl-5">
                    {n.decisions.map((d, i) => (
                      <li key={i}>
                        {d.channel}: {d.status}
                        {d.steps.length > 0 && ` — ${d.steps[d.steps.length - 1]!.detail}`}
                      </li>
                    ))}
                  </ul>
                </div>
              ))}
            </div>
          )}
        </Card>
      )}
    </div>
  );
}
