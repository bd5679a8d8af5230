import Link from "next/link";
import {
  CHANNELS,
  ALERT_CATEGORIES,
  type CategoryToggles,
  type Channel,
  type AlertCategory,
} from "@/db/schema";
import { TENANT_ROLES, type TenantRole } from "@/lib/auth/roles";
import { CATEGORY_LABELS, CHANNEL_LABELS, ROLE_GROUP_LABELS, TOPIC_LABELS } from "@/lib/labels";
import type { MatrixCellView } from "@/lib/alerts/settings";
import { Card } from "@/components/ui/card";
import { KeptCheckbox } from "@/components/ui/field";
import { SettingsForm, type FormAction } from "./forms";
import { CHECKBOX } from "./styles";

/** The channel × role-group matrix, one table per incident category. */
export function ChannelMatrixCard({
  categories,
  matrix,
  manage,
  save,
}: {
  categories: CategoryToggles;
  matrix: MatrixCellView[];
  manage: boolean;
  save: FormAction;
}) {
  const cell = (category: AlertCategory, roleGroup: TenantRole, channel: Channel) =>
    matrix.find(
      (m) => m.category === category && m.roleGroup === roleGroup && m.channel === channel,
    );
  return (
    <Card title="Channels">
      <SettingsForm action={save} label="Channels" submit="Save channels" disabled={!manage}>
        <fieldset disabled={manage ? undefined : true} className="space-y-6">
          {ALERT_CATEGORIES.map((category) => (
            <div key={category} className="scroll-x">
              <table className="w-full min-w-xl table-fixed text-left text-sm">
                <caption className="mb-2 text-left font-medium">
                  {CATEGORY_LABELS[category]}
                  {!categories[category] && (
                    <span className="ml-2 text-xs text-amber-700">(category off)</span>
                  )}
                </caption>
                <thead className="text-slate-500 dark:text-slate-400">
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
                            <KeptCheckbox
                              name={`cell.${category}.${rg}.${ch}`}
                              defaultChecked={c?.enabled ?? false}
                              aria-label={`${CATEGORY_LABELS[category]} · ${ROLE_GROUP_LABELS[rg]} · ${CHANNEL_LABELS[ch]}`}
                              className={CHECKBOX}
                            />
                            {c?.topic && (
                              <span className="block text-xs text-slate-500 dark:text-slate-400">
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
          <p className="text-xs text-slate-500 dark:text-slate-400">
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
  );
}
