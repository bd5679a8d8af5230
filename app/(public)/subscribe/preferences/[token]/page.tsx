import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/server/database";
import { readCatalog } from "@/lib/catalog/read";
import { NotFoundError } from "@/lib/errors";
import { regionLabel } from "@/lib/labels";
import { getSubscriptionPreferences } from "@/lib/subscribers/preferences";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { KeptCheckbox } from "@/components/ui/field";
import { savePreferencesAction } from "../../actions";

export const metadata: Metadata = { title: "Your status updates", robots: { index: false } };

const CHECKBOX = "h-4 w-4 rounded border-slate-300 accent-sky-700";

/**
 * A subscriber's own page, from the link in every email: what it hears about (components,
 * regions, maintenance only), changed in place. The signed token in the path names the
 * subscription; a bad or stale one is the not-found page beside this one.
 */
export default async function SubscriptionPreferencesPage({
  params,
}: {
  params: Promise<{ token: string }>;
}) {
  const { token } = await params;
  const db = await getDb();
  const prefs = await getSubscriptionPreferences(db, token).catch((e: unknown) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  const catalog = await readCatalog(db);
  const components = catalog.groups.flatMap((g) => g.components);
  return (
    <main className="mx-auto max-w-lg space-y-4 p-6">
      <h1 className="text-2xl font-semibold">Your status updates</h1>
      <p className="text-sm">
        Updates from {catalog.page?.name ?? "the status page"} go to{" "}
        <strong>{prefs.destination}</strong>
        {prefs.confirmed ? "." : " once you confirm the subscription from the email we sent."}{" "}
        Choose what you hear about; nothing ticked in a list means all of it.
      </p>
      <ActionForm action={savePreferencesAction} label="Your status updates" className="space-y-5">
        <input type="hidden" name="token" value={token} />
        <fieldset className="space-y-1">
          <legend className="mb-1 text-sm font-medium">What to send</legend>
          <label className="flex items-center gap-2 text-sm">
            <input
              type="radio"
              name="scope"
              value="all"
              defaultChecked={!prefs.maintenanceOnly}
              className={CHECKBOX}
            />
            Incidents and maintenance
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input
              type="radio"
              name="scope"
              value="maintenance"
              defaultChecked={prefs.maintenanceOnly}
              className={CHECKBOX}
            />
            Maintenance only
          </label>
          <label className="flex items-center gap-2 pt-1 text-sm">
            <KeptCheckbox
              name="postmortemNotices"
              defaultChecked={prefs.postmortemNotices}
              className={CHECKBOX}
            />
            Postmortems of incidents, when they are published
          </label>
        </fieldset>
        <fieldset>
          <legend className="mb-1 text-sm font-medium">Components (none ticked: all)</legend>
          {components.map((c) => (
            <label key={c.id} className="flex items-center gap-2 text-sm">
              <KeptCheckbox
                name="componentIds"
                value={c.id}
                defaultChecked={prefs.componentIds.includes(c.id)}
                className={CHECKBOX}
              />
              {c.name}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend className="mb-1 text-sm font-medium">Regions (none ticked: all)</legend>
          {catalog.regions.map((r) => (
            <label key={r.id} className="flex items-center gap-2 text-sm">
              <KeptCheckbox
                name="regionIds"
                value={r.id}
                defaultChecked={prefs.regionIds.includes(r.id)}
                className={CHECKBOX}
              />
              {regionLabel(r)}
            </label>
          ))}
        </fieldset>
        <SubmitButton pendingText="Saving…">Save my choices</SubmitButton>
      </ActionForm>
      <p className="text-sm">
        Want nothing at all?{" "}
        <a
          href={`/api/subscribers/unsubscribe?token=${encodeURIComponent(token)}`}
          className="underline"
        >
          Unsubscribe
        </a>
        . ·{" "}
        <Link href="/" className="underline">
          Back to the status page
        </Link>
      </p>
    </main>
  );
}
