import { ENDPOINT_TYPES } from "@/db/schema";
import { TENANT_ROLES } from "@/lib/auth/roles";
import { CHANNEL_LABELS, ENDPOINT_TYPE_LABELS, ROLE_GROUP_LABELS } from "@/lib/labels";
import type { EndpointView } from "@/lib/alerts/settings";
import { Card } from "@/components/ui/card";
import { Field, SelectField } from "@/components/ui/field";
import { EndpointFilterFields, filtersSummary, type CatalogOption } from "./endpoint-filters";
import {
  RowActionForm,
  SettingsForm,
  SecretOnceForm,
  TestAlertButton,
  type FormAction,
  type TestOutcome,
} from "./forms";

const ROLE_GROUP_OPTIONS = [
  { value: "", label: "All role groups" },
  ...TENANT_ROLES.map((r) => ({ value: r, label: ROLE_GROUP_LABELS[r] })),
];

type SecretResult = { name?: string; secret: string | null; previousValidUntil?: string };

/** Slack, Teams and signed webhook endpoints: the list with its row actions, and "Add endpoint". */
export function EndpointsCard({
  endpoints,
  components,
  regions,
  manage,
  create,
  update,
  remove,
  enable,
  rotateSecret,
  sendTest,
}: {
  endpoints: EndpointView[];
  /** The catalogue the filters choose from. */
  components: CatalogOption[];
  regions: CatalogOption[];
  manage: boolean;
  create: FormAction<SecretResult>;
  update: FormAction;
  remove: FormAction;
  enable: FormAction;
  rotateSecret: FormAction<SecretResult>;
  sendTest: FormAction<TestOutcome>;
}) {
  return (
    <Card title="Slack, Teams and webhook endpoints" id="endpoints">
      {endpoints.length === 0 ? (
        <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">No endpoints yet.</p>
      ) : (
        <ul className="mb-4 divide-y divide-slate-200 text-sm dark:divide-slate-800">
          {endpoints.map((e) => (
            <li key={e.id} className="space-y-2 py-3" data-testid={`endpoint-${e.name}`}>
              <div className="flex flex-wrap items-center justify-between gap-2">
                <span>
                  <strong>{e.name}</strong> · {CHANNEL_LABELS[e.type]} · {e.urlHint} ·{" "}
                  {e.roleGroup ? ROLE_GROUP_LABELS[e.roleGroup] : "all role groups"} ·{" "}
                  {filtersSummary(e.filters, components, regions)}
                  {!e.enabled && (
                    <span className="ml-2 text-red-700">
                      disabled{e.disabledReason ? `: ${e.disabledReason}` : ""}
                    </span>
                  )}
                  {e.secretRotatingUntil && (
                    <span className="ml-2 text-xs text-slate-500 dark:text-slate-400">
                      old secret valid until {new Date(e.secretRotatingUntil).toLocaleString()}
                    </span>
                  )}
                </span>
                {manage && (
                  <div className="flex flex-wrap gap-2">
                    {!e.enabled && (
                      <RowActionForm
                        action={enable}
                        id={e.id}
                        label={`Enable ${e.name}`}
                        submit="Enable"
                      />
                    )}
                    {e.type === "webhook" && (
                      <SecretOnceForm
                        action={rotateSecret}
                        label={`Rotate secret of ${e.name}`}
                        submit="Rotate secret"
                        variant="secondary"
                        className="flex flex-col gap-2"
                      >
                        <input type="hidden" name="id" value={e.id} />
                      </SecretOnceForm>
                    )}
                    <RowActionForm
                      action={remove}
                      id={e.id}
                      label={`Delete ${e.name}`}
                      submit="Delete"
                      confirm={`Delete the endpoint ${e.name}? It stops receiving alerts at once; its delivery history stays.`}
                    />
                  </div>
                )}
              </div>
              {manage && (
                <details>
                  <summary className="cursor-pointer text-sm text-sky-700 dark:text-sky-400">
                    Edit {e.name}
                  </summary>
                  <SettingsForm
                    action={update}
                    label={`Edit ${e.name}`}
                    submit="Save endpoint"
                    className="mt-3 grid gap-3 sm:grid-cols-2"
                  >
                    <input type="hidden" name="id" value={e.id} />
                    <Field label="Name" name="name" required maxLength={80} defaultValue={e.name} />
                    <Field
                      label="URL"
                      name="url"
                      type="url"
                      placeholder={`unchanged (${e.urlHint})`}
                      hint="Leave empty to keep the current URL."
                    />
                    <SelectField
                      label="Receives for"
                      name="roleGroup"
                      defaultValue={e.roleGroup ?? ""}
                      options={ROLE_GROUP_OPTIONS}
                    />
                    <EndpointFilterFields
                      filters={e.filters}
                      components={components}
                      regions={regions}
                    />
                  </SettingsForm>
                </details>
              )}
              {manage && e.enabled && (
                <TestAlertButton
                  action={sendTest}
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
          action={create}
          label="Add endpoint"
          submit="Add endpoint"
          className="grid gap-3 sm:grid-cols-2"
        >
          <SelectField
            label="Type"
            name="type"
            options={ENDPOINT_TYPES.map((t) => ({ value: t, label: ENDPOINT_TYPE_LABELS[t] }))}
          />
          <Field label="Name" name="name" required maxLength={80} />
          <Field label="URL" name="url" type="url" required placeholder="https://" />
          <SelectField label="Receives for" name="roleGroup" options={ROLE_GROUP_OPTIONS} />
          <EndpointFilterFields components={components} regions={regions} />
        </SecretOnceForm>
      )}
    </Card>
  );
}
