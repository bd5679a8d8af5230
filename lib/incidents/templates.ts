import { and, asc, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "@/db";
import {
  IMPACTS,
  INCIDENT_CATEGORIES,
  incidentTemplates,
  type IncidentTemplate,
} from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { NotFoundError, parseInput, ValidationError } from "@/lib/errors";
import { idOf, parseTargetInput } from "@/lib/ids";
import { checkCells } from "@/lib/catalog/check";
import { lockStatus } from "@/lib/status/intervals";
import { storable } from "@/lib/validation";
import { CellInput } from "./schemas";

/**
 * Incident templates (Statuspage's): named starting points for a new incident, owned by the
 * platform organization and managed by its admins (`incident_templates:manage`). Responders
 * (`incidents:write`) read them to open an incident from one (`templateId` in openIncident).
 */

const text = (max: number) =>
  storable(
    z
      .string({ message: "is required" })
      .trim()
      .min(1, "is required")
      .max(max, `must be at most ${max} characters`),
  );

const fields = {
  name: text(100),
  title: text(200),
  body: text(20_000),
  category: z.enum(INCIDENT_CATEGORIES, {
    message: `must be one of ${INCIDENT_CATEGORIES.join(", ")}`,
  }),
  impact: z.enum(IMPACTS, { message: `must be one of ${IMPACTS.join(", ")}` }),
  cells: z.array(CellInput).max(500, "must list at most 500 cells").default([]),
};

export const IncidentTemplateInput = z.object(fields);
export const IncidentTemplateUpdate = z.object({
  templateId: idOf("incident template"),
  ...fields,
});
const TemplateIdInput = z.object({ templateId: idOf("incident template") });

async function checkName(tx: Tx, ctx: Ctx, name: string, self?: string) {
  const [other] = await tx
    .select({ id: incidentTemplates.id })
    .from(incidentTemplates)
    .where(
      and(
        eq(incidentTemplates.orgId, ctx.org.id),
        sql`lower(${incidentTemplates.name}) = lower(${name})`,
        self ? ne(incidentTemplates.id, self) : undefined,
      ),
    );
  if (other)
    throw new ValidationError([{ field: "name", message: "is already another template's name" }]);
}

async function checkTemplateCells(tx: Tx, ctx: Ctx, cells: z.output<typeof fields.cells>) {
  // The same rules as an incident's cells, under the status lock catalogue changes take too.
  await lockStatus(tx);
  await checkCells(tx, ctx.org.id, cells);
}

/** The template `id` of this organization, or undefined. */
export async function findTemplate(
  tx: Tx,
  ctx: Ctx,
  templateId: string,
): Promise<IncidentTemplate | undefined> {
  const [row] = await tx
    .select()
    .from(incidentTemplates)
    .where(and(eq(incidentTemplates.id, templateId), eq(incidentTemplates.orgId, ctx.org.id)));
  return row;
}

/** Every template of the organization, by name: for the console's "new incident from template". */
export async function listIncidentTemplates({ ctx }: { ctx: Ctx }): Promise<IncidentTemplate[]> {
  requirePermission(ctx, "incidents:write");
  return ctx.db
    .select()
    .from(incidentTemplates)
    .where(eq(incidentTemplates.orgId, ctx.org.id))
    .orderBy(asc(sql`lower(${incidentTemplates.name})`));
}

export async function createIncidentTemplate({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "incident_templates:manage");
  const v = parseInput(IncidentTemplateInput, input);
  return withTransaction(ctx, async (tx) => {
    await checkName(tx, ctx, v.name);
    await checkTemplateCells(tx, ctx, v.cells);
    const [row] = await tx
      .insert(incidentTemplates)
      .values({ orgId: ctx.org.id, ...v })
      .returning();
    await recordAudit(tx, ctx, {
      action: "incident_template.created",
      targetType: "incident_template",
      targetId: row!.id,
      data: { name: v.name, title: v.title, category: v.category, impact: v.impact },
    });
    return row!;
  });
}

export async function updateIncidentTemplate({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "incident_templates:manage");
  const v = parseTargetInput(IncidentTemplateUpdate, input, {
    field: "templateId",
    notFound: "Incident template",
  });
  return withTransaction(ctx, async (tx) => {
    const before = await findTemplate(tx, ctx, v.templateId);
    if (!before) throw new NotFoundError("Incident template");
    await checkName(tx, ctx, v.name, before.id);
    await checkTemplateCells(tx, ctx, v.cells);
    const { templateId, ...rest } = v;
    const [after] = await tx
      .update(incidentTemplates)
      .set({ ...rest, updatedAt: new Date() })
      .where(eq(incidentTemplates.id, templateId))
      .returning();
    await recordAudit(tx, ctx, {
      action: "incident_template.updated",
      targetType: "incident_template",
      targetId: before.id,
      data: {
        before: { name: before.name, title: before.title, body: before.body },
        after: { name: after!.name, title: after!.title, body: after!.body },
      },
    });
    return after!;
  });
}

export async function deleteIncidentTemplate({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "incident_templates:manage");
  const { templateId } = parseTargetInput(TemplateIdInput, input, {
    field: "templateId",
    notFound: "Incident template",
  });
  return withTransaction(ctx, async (tx) => {
    const before = await findTemplate(tx, ctx, templateId);
    if (!before) throw new NotFoundError("Incident template");
    await tx.delete(incidentTemplates).where(eq(incidentTemplates.id, before.id));
    await recordAudit(tx, ctx, {
      action: "incident_template.deleted",
      targetType: "incident_template",
      targetId: before.id,
      data: { name: before.name },
    });
    return { id: before.id };
  });
}
