import type { Metadata } from "next";
import { requirePageCtx } from "@/app/_server/ctx";
import { readCatalog } from "@/lib/catalog/read";
import { listIncidentTemplates } from "@/lib/incidents/templates";
import { Card, PageHeader } from "@/components/ui/card";
import { IncidentTemplateForm } from "@/components/incidents/forms";
import { RemoveButton } from "@/components/portal/catalog";
import { CATEGORY_LABELS, IMPACT_LABELS } from "@/lib/labels";
import {
  createIncidentTemplateAction,
  deleteIncidentTemplateAction,
  updateIncidentTemplateAction,
} from "./actions";

export const metadata: Metadata = { title: "Incident templates" };

export default async function IncidentTemplatesPage() {
  const ctx = await requirePageCtx("incident_templates:manage", "/portal/incident-templates");
  const [templates, catalog] = await Promise.all([
    listIncidentTemplates({ ctx }),
    readCatalog(ctx.db),
  ]);
  const components = catalog.groups.flatMap((g) =>
    g.components.map((c) => ({ id: c.id, name: c.name })),
  );
  const regions = catalog.regions.map((r) => ({ id: r.id, code: r.code, name: r.name }));
  const grid = { components, regions, cells: catalog.cells };
  return (
    <div className="space-y-6">
      <PageHeader
        title="Incident templates"
        description="Named starting points for a new incident: responders pick one under “New incident from template” on the Incidents page, and may change any field before opening."
      />
      <Card title={`Templates (${templates.length})`}>
        {templates.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">No templates yet.</p>
        ) : (
          <ul className="divide-y divide-slate-200 dark:divide-slate-800">
            {templates.map((t) => (
              <li key={t.id} className="space-y-2 py-3">
                <div className="flex flex-wrap items-baseline justify-between gap-2">
                  <p>
                    <span className="font-medium">{t.name}</span>{" "}
                    <span className="text-sm text-slate-600 dark:text-slate-400">
                      {t.title} · {CATEGORY_LABELS[t.category]} · {IMPACT_LABELS[t.impact]} ·{" "}
                      {t.cells.length} {t.cells.length === 1 ? "cell" : "cells"}
                    </span>
                  </p>
                  <RemoveButton
                    action={deleteIncidentTemplateAction}
                    id={t.id}
                    label={`Delete template ${t.name}`}
                    confirmText="Delete this template? Incidents opened from it are not changed."
                  />
                </div>
                <details>
                  <summary className="cursor-pointer text-sm text-sky-700 dark:text-sky-400">
                    Edit {t.name}
                  </summary>
                  <div className="pt-3">
                    <IncidentTemplateForm
                      action={updateIncidentTemplateAction}
                      template={t}
                      {...grid}
                    />
                  </div>
                </details>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="New template">
        <IncidentTemplateForm action={createIncidentTemplateAction} {...grid} />
      </Card>
    </div>
  );
}
