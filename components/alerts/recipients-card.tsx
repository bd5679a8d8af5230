import { RECIPIENT_CHANNELS } from "@/db/schema";
import { TENANT_ROLES } from "@/lib/auth/roles";
import { CHANNEL_LABELS, ROLE_GROUP_LABELS } from "@/lib/labels";
import type { RecipientView } from "@/lib/alerts/settings";
import { Card } from "@/components/ui/card";
import { Field, SelectField } from "@/components/ui/field";
import { RowActionForm, SettingsForm, type FormAction } from "./forms";

/** Extra email addresses and phone numbers, with a provider's "not getting through" mark. */
export function RecipientsCard({
  recipients,
  manage,
  add,
  remove,
  clearMark,
}: {
  recipients: RecipientView[];
  manage: boolean;
  add: FormAction;
  remove: FormAction;
  clearMark: FormAction;
}) {
  return (
    <Card title="Recipients">
      <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">
        Extra email addresses and phone numbers receive what their role group receives.
      </p>
      {recipients.length > 0 && (
        <ul className="mb-4 divide-y divide-slate-200 text-sm dark:divide-slate-800">
          {recipients.map((r) => (
            <li key={r.id} className="flex items-center justify-between gap-4 py-2">
              <span>
                {r.address} · {CHANNEL_LABELS[r.channel]} · {ROLE_GROUP_LABELS[r.roleGroup]}
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
                      action={clearMark}
                      id={r.id}
                      label={`Clear the mark on ${r.address}`}
                      submit="Clear mark"
                    />
                  )}
                  <RowActionForm
                    action={remove}
                    id={r.id}
                    label={`Remove ${r.address}`}
                    submit="Remove"
                    confirm={`Remove ${r.address}? It stops receiving alerts for ${ROLE_GROUP_LABELS[r.roleGroup]}.`}
                  />
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {manage && (
        <SettingsForm
          action={add}
          label="Add recipient"
          submit="Add recipient"
          className="grid gap-3 sm:grid-cols-4 sm:items-end"
        >
          <SelectField
            label="Channel"
            name="channel"
            options={RECIPIENT_CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }))}
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
  );
}
