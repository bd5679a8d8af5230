import type { Metadata } from "next";
import Link from "next/link";
import { requirePageCtx } from "@/app/_server/ctx";
import { getDb } from "@/server/database";
import { can } from "@/lib/context";
import { getAlertSettings } from "@/lib/alerts/settings";
import { readCatalog } from "@/lib/catalog/read";
import { Card, PageHeader } from "@/components/ui/card";
import { CategoriesCard } from "@/components/alerts/categories-card";
import { ChannelMatrixCard } from "@/components/alerts/channel-matrix-card";
import { EndpointsCard } from "@/components/alerts/endpoints-card";
import { NoiseControlCard } from "@/components/alerts/noise-control-card";
import { RecipientsCard } from "@/components/alerts/recipients-card";
import { TestAlertsCard } from "@/components/alerts/test-alerts-card";
import {
  addRecipientAction,
  clearRecipientMarkAction,
  createEndpointAction,
  deleteEndpointAction,
  enableEndpointAction,
  removeRecipientAction,
  rotateSecretAction,
  saveCategoriesAction,
  saveMatrixAction,
  saveNoiseAction,
  sendTestAlertAction,
  updateEndpointAction,
} from "./actions";

export const metadata: Metadata = { title: "Alerts & Notifications" };

export default async function AlertsPage() {
  const ctx = await requirePageCtx("alerts:read", "/portal/alerts");
  if (ctx.org.kind !== "tenant") {
    return (
      <>
        <PageHeader title="Alerts & Notifications" />
        <Card>
          <p className="text-sm">
            Alert settings belong to customer organizations. Switch to a tenant to manage them.
          </p>
        </Card>
      </>
    );
  }
  const manage = can(ctx, "alerts:manage");
  const s = await getAlertSettings({ ctx });
  const catalog = await readCatalog(await getDb());

  return (
    <div className="space-y-6">
      <PageHeader
        title="Alerts & Notifications"
        description="Choose which incident categories reach which role groups on which channels, who else receives them, and when."
      />
      {!manage && (
        <p className="rounded-md bg-slate-100 px-3 py-2 text-sm dark:bg-slate-800">
          You can view these settings. Changing them needs the “Manage Alerts &amp; Notifications”
          permission.
        </p>
      )}
      <CategoriesCard categories={s.categories} manage={manage} save={saveCategoriesAction} />
      <ChannelMatrixCard
        categories={s.categories}
        matrix={s.matrix}
        manage={manage}
        save={saveMatrixAction}
      />
      <RecipientsCard
        recipients={s.recipients}
        manage={manage}
        add={addRecipientAction}
        remove={removeRecipientAction}
        clearMark={clearRecipientMarkAction}
      />
      <EndpointsCard
        endpoints={s.endpoints}
        components={catalog.groups.flatMap((g) => g.components)}
        regions={catalog.regions.map((r) => ({ id: r.id, name: `${r.name} (${r.code})` }))}
        manage={manage}
        create={createEndpointAction}
        update={updateEndpointAction}
        remove={deleteEndpointAction}
        enable={enableEndpointAction}
        rotateSecret={rotateSecretAction}
        sendTest={sendTestAlertAction}
      />
      <NoiseControlCard
        filters={s.filters}
        digestMode={s.digestMode}
        quietHours={s.quietHours}
        components={catalog.groups.flatMap((g) => g.components)}
        regions={catalog.regions}
        manage={manage}
        save={saveNoiseAction}
      />
      {manage && (
        <Card title="Alert templates" id="templates">
          <p className="text-sm">
            Word your email, SMS, Slack and Teams alerts yourself, for all alerts or per threshold
            rule, with a live preview:{" "}
            <Link
              href="/portal/templates"
              className="font-medium text-sky-700 underline dark:text-sky-400"
            >
              Edit alert templates
            </Link>
            .
          </p>
        </Card>
      )}
      {manage && (
        <TestAlertsCard
          emailPlaceholder={ctx.actor.type === "user" ? ctx.actor.email : "email"}
          send={sendTestAlertAction}
        />
      )}
    </div>
  );
}
