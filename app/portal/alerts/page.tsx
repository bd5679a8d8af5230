import type { Metadata } from "next";
import Link from "next/link";
import { requirePageCtx } from "@/app/_server/ctx";
import { getDb } from "@/server/database";
import { CHANNELS, DIGEST_MODES, IMPACTS, INCIDENT_CATEGORIES, type Channel } from "@/db/schema";
import { can } from "@/lib/context";
import { ROLE_GROUP_LABELS, TENANT_ROLES } from "@/lib/auth/roles";
import { getAlertSettings } from "@/lib/alerts/settings";
import { CATEGORY_LABELS, IMPACT_LABELS } from "@/lib/channels/message";
import { Card, PageHeader } from "@/components/ui/card";
import { readCatalog } from "@/lib/catalog/read";
import { Field, SelectField } from "@/components/ui/field";
import {
  RowActionForm,
  SecretOnceForm,
  SettingsForm,
  TestAlertButton,
} from "@/components/alerts/forms";
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
} from "./actions";

export const metadata: Metadata = { title: "Alerts & Notifications" };

const CHANNEL_LABELS: Record<Channel, string> = {
  email: "Email",
  sms: "SMS",
  slack: "Slack",
  teams: "Teams",
  webhook: "Webhook",
  in_app: "In-app",
};
const DIGEST_LABELS = {
  immediate: "Immediately",
  hourly: "Hourly digest",
  daily: "Daily digest (09:00)",
} as const;
const TOPIC_LABELS: Record<string, string> = { low_balance: "low-balance alerts only" };

const check = "h-4 w-4 rounded border-slate-300 accent-sky-700";

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
  const comps = catalog.groups.flatMap((g) => g.components);
  const regs = catalog.regions;
  const cell = (category: string, roleGroup: string, channel: string) =>
    s.matrix.find(
      (m) => m.category === category && m.roleGroup === roleGroup && m.channel === channel,
    );
  const fieldset = manage ? undefined : true;

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

      <Card title="Incident Categories">
        <SettingsForm
          action={saveCategoriesAction}
          label="Incident categories"
          submit="Save"
          disabled={!manage}
        >
          <fieldset disabled={fieldset} className="flex flex-wrap gap-6">
            {INCIDENT_CATEGORIES.map((c) => (
              <label key={c} className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  role="switch"
                  name={`category.${c}`}
                  defaultChecked={s.categories[c]}
                  className={check}
                />
                {CATEGORY_LABELS[c]}
              </label>
            ))}
          </fieldset>
        </SettingsForm>
      </Card>

      <Card title="Channels">
        <SettingsForm
          action={saveMatrixAction}
          label="Channels"
          submit="Save channels"
          disabled={!manage}
        >
          <fieldset disabled={fieldset} className="space-y-6">
            {INCIDENT_CATEGORIES.map((category) => (
              <div key={category} className="overflow-x-auto">
                <table className="w-full min-w-xl table-fixed text-left text-sm">
                  <caption className="mb-2 text-left font-medium">
                    {CATEGORY_LABELS[category]}
                    {!s.categories[category] && (
                      <span className="ml-2 text-xs text-amber-700">(category off)</span>
                    )}
                  </caption>
                  <thead className="text-slate-500">
                    <tr>
                      <th className="w-40 py-1 font-medium">Role group</th>
                      {CHANNELS.map((ch) => (
                        <th key={ch} className="px-2 font-medium">
                          {CHANNEL_LABELS[ch]}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                    {TENANT_ROLES.map((rg) => (
                      <tr key={rg}>
                        <th scope="row" className="py-1 font-normal">
                          {ROLE_GROUP_LABELS[rg]}
                        </th>
                        {CHANNELS.map((ch) => {
                          const c = cell(category, rg, ch);
                          return (
                            <td key={ch} className="px-2">
                              <input
                                type="checkbox"
                                name={`cell.${category}.${rg}.${ch}`}
                                defaultChecked={c?.enabled ?? false}
                                aria-label={`${CATEGORY_LABELS[category]} · ${ROLE_GROUP_LABELS[rg]} · ${CHANNEL_LABELS[ch]}`}
                                className={check}
                              />
                              {c?.topic && (
                                <span className="block text-xs text-slate-500">
                                  ({TOPIC_LABELS[c.topic] ?? c.topic})
                                </span>
                              )}
                            </td>
                          );
                        })}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
            <p className="text-xs text-slate-500">
              Members receive email and SMS at the address and phone number on their profile; Slack,
              Teams and webhook go to the endpoints below. User-level warnings stay in-app unless a
              member opts in to email or SMS on their own{" "}
              <Link href="/portal/profile" className="text-sky-700 underline dark:text-sky-400">
                My notifications
              </Link>{" "}
              page.
            </p>
          </fieldset>
        </SettingsForm>
      </Card>

      <Card title="Recipients">
        <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">
          Extra email addresses and phone numbers receive what their role group receives.
        </p>
        {s.recipients.length > 0 && (
          <ul className="mb-4 divide-y divide-slate-200 text-sm dark:divide-slate-800">
            {s.recipients.map((r) => (
              <li key={r.id} className="flex items-center justify-between gap-4 py-2">
                <span>
                  {r.address} · {CHANNEL_LABELS[r.channel as Channel]} ·{" "}
                  {ROLE_GROUP_LABELS[r.roleGroup as keyof typeof ROLE_GROUP_LABELS]}
                  {r.undeliverable && (
                    <span className="mt-1 block text-red-700 dark:text-red-400">
                      Not getting through since {r.undeliverable.at.slice(0, 16).replace("T", " ")}{" "}
                      UTC: {r.undeliverable.reason}. Alerts are not sent to it until the mark is
                      cleared; fix the address (a test alert still goes through), then clear it.
                    </span>
                  )}
                </span>
                {manage && (
                  <span className="flex gap-2">
                    {r.undeliverable && (
                      <RowActionForm
                        action={clearRecipientMarkAction}
                        id={r.id}
                        label={`Clear the mark on ${r.address}`}
                        submit="Clear mark"
                      />
                    )}
                    <RowActionForm
                      action={removeRecipientAction}
                      id={r.id}
                      label={`Remove ${r.address}`}
                      submit="Remove"
                    />
                  </span>
                )}
              </li>
            ))}
          </ul>
        )}
        {manage && (
          <SettingsForm
            action={addRecipientAction}
            label="Add recipient"
            submit="Add recipient"
            className="grid gap-3 sm:grid-cols-4 sm:items-end"
          >
            <SelectField
              label="Channel"
              name="channel"
              options={[
                { value: "email", label: "Email" },
                { value: "sms", label: "SMS" },
              ]}
            />
            <Field label="Email or phone (+91…)" name="address" required />
            <SelectField
              label="Role group"
              name="roleGroup"
              options={TENANT_ROLES.map((r) => ({ value: r, label: ROLE_GROUP_LABELS[r] }))}
            />
          </SettingsForm>
        )}
      </Card>

      <Card title="Slack, Teams and webhook endpoints">
        {s.endpoints.length === 0 ? (
          <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">No endpoints yet.</p>
        ) : (
          <ul className="mb-4 divide-y divide-slate-200 text-sm dark:divide-slate-800">
            {s.endpoints.map((e) => (
              <li key={e.id} className="space-y-2 py-3" data-testid={`endpoint-${e.name}`}>
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <span>
                    <strong>{e.name}</strong> · {CHANNEL_LABELS[e.type as Channel]} · {e.urlHint} ·{" "}
                    {e.roleGroup
                      ? ROLE_GROUP_LABELS[e.roleGroup as keyof typeof ROLE_GROUP_LABELS]
                      : "all role groups"}
                    {!e.enabled && (
                      <span className="ml-2 text-red-700">
                        disabled{e.disabledReason ? `: ${e.disabledReason}` : ""}
                      </span>
                    )}
                    {e.secretRotatingUntil && (
                      <span className="ml-2 text-xs text-slate-500">
                        old secret valid until {new Date(e.secretRotatingUntil).toLocaleString()}
                      </span>
                    )}
                  </span>
                  {manage && (
                    <div className="flex flex-wrap gap-2">
                      {!e.enabled && (
                        <RowActionForm
                          action={enableEndpointAction}
                          id={e.id}
                          label={`Enable ${e.name}`}
                          submit="Enable"
                        />
                      )}
                      {e.type === "webhook" && (
                        <SecretOnceForm
                          action={rotateSecretAction}
                          label={`Rotate secret of ${e.name}`}
                          submit="Rotate secret"
                          variant="secondary"
                          className="flex flex-col gap-2"
                        >
                          <input type="hidden" name="id" value={e.id} />
                        </SecretOnceForm>
                      )}
                      <RowActionForm
                        action={deleteEndpointAction}
                        id={e.id}
                        label={`Delete ${e.name}`}
                        submit="Delete"
                      />
                    </div>
                  )}
                </div>
                {manage && e.enabled && (
                  <TestAlertButton
                    action={sendTestAlertAction}
                    channel={e.type}
                    endpointId={e.id}
                    label={`Send test alert to ${e.name}`}
                  />
                )}
              </li>
            ))}
          </ul>
        )}
        {manage && (
          <SecretOnceForm
            action={createEndpointAction}
            label="Add endpoint"
            submit="Add endpoint"
            className="grid gap-3 sm:grid-cols-2"
          >
            <SelectField
              label="Type"
              name="type"
              options={[
                { value: "webhook", label: "Webhook (signed)" },
                { value: "slack", label: "Slack incoming webhook" },
                { value: "teams", label: "Teams workflow webhook" },
              ]}
            />
            <Field label="Name" name="name" required maxLength={80} />
            <Field label="URL" name="url" type="url" required placeholder="https://" />
            <SelectField
              label="Receives for"
              name="roleGroup"
              options={[
                { value: "", label: "All role groups" },
                ...TENANT_ROLES.map((r) => ({ value: r, label: ROLE_GROUP_LABELS[r] })),
              ]}
            />
          </SecretOnceForm>
        )}
      </Card>

      <Card title="Filters and noise control">
        <SettingsForm
          action={saveNoiseAction}
          label="Filters and noise control"
          submit="Save"
          disabled={!manage}
        >
          <fieldset disabled={fieldset} className="grid gap-6 md:grid-cols-2">
            <div>
              <p className="mb-2 text-sm font-medium">Components (none ticked: all)</p>
              {comps.map((c) => (
                <label key={c.id} className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    name="componentIds"
                    value={c.id}
                    defaultChecked={s.filters.componentIds.includes(c.id)}
                    className={check}
                  />
                  {c.name}
                </label>
              ))}
            </div>
            <div>
              <p className="mb-2 text-sm font-medium">Regions (none ticked: all)</p>
              {regs.map((r) => (
                <label key={r.id} className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    name="regionIds"
                    value={r.id}
                    defaultChecked={s.filters.regionIds.includes(r.id)}
                    className={check}
                  />
                  {r.name}
                </label>
              ))}
            </div>
            <SelectField
              label="Minimum severity"
              name="minImpact"
              defaultValue={s.filters.minImpact}
              options={IMPACTS.map((i) => ({
                value: i,
                label: i === "none" ? "Everything" : `${IMPACT_LABELS[i]} and above`,
              }))}
            />
            <SelectField
              label="Delivery"
              name="digestMode"
              defaultValue={s.digestMode}
              options={DIGEST_MODES.map((d) => ({ value: d, label: DIGEST_LABELS[d] }))}
            />
            <div className="space-y-3 md:col-span-2">
              <label className="flex items-center gap-2 text-sm font-medium">
                <input
                  type="checkbox"
                  name="quietEnabled"
                  defaultChecked={s.quietHours.enabled}
                  className={check}
                />
                Quiet hours (email, SMS, Slack and Teams are held until they end)
              </label>
              <div className="grid gap-3 sm:grid-cols-3">
                <Field
                  label="From"
                  name="quietStart"
                  type="time"
                  defaultValue={s.quietHours.start}
                />
                <Field label="Until" name="quietEnd" type="time" defaultValue={s.quietHours.end} />
                <Field
                  label="Time zone"
                  name="timeZone"
                  defaultValue={s.quietHours.timeZone}
                  hint="e.g. Asia/Kolkata"
                />
              </div>
              <label className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  name="allowCritical"
                  defaultChecked={s.quietHours.allowCritical}
                  className={check}
                />
                Let critical alerts through during quiet hours (and past digests)
              </label>
            </div>
          </fieldset>
        </SettingsForm>
      </Card>

      {manage && (
        <Card title="Send test alert">
          <div className="space-y-3">
            <TestAlertButton
              action={sendTestAlertAction}
              channel="email"
              withTo
              toLabel="Test email address"
              toPlaceholder={ctx.actor.type === "user" ? ctx.actor.email : "email"}
              label="Send test email"
            />
            <TestAlertButton
              action={sendTestAlertAction}
              channel="sms"
              withTo
              toLabel="Test phone number"
              toPlaceholder="+919812345678"
              label="Send test SMS"
            />
            <TestAlertButton
              action={sendTestAlertAction}
              channel="in_app"
              label="Send test in-app alert"
            />
          </div>
        </Card>
      )}
    </div>
  );
}
