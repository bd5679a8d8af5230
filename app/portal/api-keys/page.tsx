import type { Metadata } from "next";
import Link from "next/link";
import { requirePageCtx } from "@/app/_server/ctx";
import { listApiKeys } from "@/lib/api-keys/keys";
import { ROLE_LABELS, rolesForKind } from "@/lib/auth/roles";
import { Card, PageHeader } from "@/components/ui/card";
import { CreateKeyForm } from "@/components/portal/api-keys";
import { HiddenIdButton } from "@/components/portal/members";
import { createApiKeyAction, revokeApiKeyAction } from "./actions";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  const ctx = await requirePageCtx("apikeys:manage", "/portal/api-keys");
  const keys = await listApiKeys({ ctx });
  const roles = rolesForKind(ctx.org.kind).map((r) => ({ value: r, label: ROLE_LABELS[r] }));
  return (
    <div className="space-y-6">
      <PageHeader
        title="API keys"
        description={
          <>
            Keys for /api/v1. Each acts for this organization with the role you choose. Send it as
            Authorization: Bearer &lt;key&gt;. What each call takes and answers:{" "}
            <Link href="/portal/api-reference" className="text-sky-700 underline dark:text-sky-400">
              API reference
            </Link>
            .
          </>
        }
      />
      <Card title="Create a key">
        <CreateKeyForm action={createApiKeyAction} roles={roles} />
      </Card>
      <Card title="Keys">
        {keys.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">No keys yet.</p>
        ) : (
          <div className="scroll-x">
            <table className="w-full text-left text-sm">
              <thead className="text-slate-500 dark:text-slate-400">
                <tr>
                  <th className="py-2 font-medium">Name</th>
                  <th className="font-medium">Key</th>
                  <th className="font-medium">Role</th>
                  <th className="font-medium">Last used</th>
                  <th className="font-medium">Status</th>
                  <th />
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
                {keys.map((k) => (
                  <tr key={k.id}>
                    <td className="py-2">{k.name}</td>
                    <td className="font-mono text-xs">{k.prefix}…</td>
                    <td>{ROLE_LABELS[k.role]}</td>
                    <td>
                      {k.lastUsedAt
                        ? k.lastUsedAt.toISOString().replace("T", " ").slice(0, 16) + " UTC"
                        : "Never"}
                    </td>
                    <td>{k.revokedAt ? "Revoked" : "Active"}</td>
                    <td className="text-right">
                      {!k.revokedAt && (
                        <HiddenIdButton
                          action={revokeApiKeyAction}
                          name="apiKeyId"
                          value={k.id}
                          label={`Revoke ${k.name}`}
                          confirmText={`Revoke ${k.name}? Anything using it stops working at once.`}
                        />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
