import { z } from "zod";
import {
  COMPONENT_STATUSES,
  IMPACTS,
  INCIDENT_CATEGORIES,
  INCIDENT_STATUSES,
  MAINTENANCE_STATUSES,
} from "@/db/schema";
import { boundedDate, storable } from "@/lib/validation";

const id = (what: string) => z.uuid({ message: `must be the id of a ${what}` });
const title = storable(
  z
    .string({ message: "is required" })
    .trim()
    .min(1, "is required")
    .max(200, "must be at most 200 characters"),
);
const message = storable(
  z
    .string({ message: "is required" })
    .trim()
    .min(1, "is required")
    .max(20_000, "must be at most 20000 characters"),
);
const notify = z.boolean({ message: "must be true or false" }).default(false);

export const componentStatusSchema = z.enum(COMPONENT_STATUSES, {
  message: `must be one of ${COMPONENT_STATUSES.join(", ")}`,
});
export const incidentStatusSchema = z.enum(INCIDENT_STATUSES, {
  message: `must be one of ${INCIDENT_STATUSES.join(", ")}`,
});

export const CellInput = z.object({
  componentId: id("component"),
  regionId: id("region"),
  status: componentStatusSchema,
});
export type CellInput = z.infer<typeof CellInput>;

const cells = z.array(CellInput).max(500, "must list at most 500 cells").default([]);

/** null (or omitted) is public; otherwise the id of the one tenant organization that may see it. */
const audienceOrgId = z
  .uuid({ message: "must be null for public or the id of a tenant organization" })
  .nullable()
  .default(null);

/** An incident template's id: its title, message, category, impact and cells fill what is not given. */
export const templateIdSchema = z.uuid({ message: "must be the id of an incident template" });

export const OpenIncidentInput = z.object({
  templateId: templateIdSchema.optional(),
  title,
  category: z.enum(INCIDENT_CATEGORIES, {
    message: `must be one of ${INCIDENT_CATEGORIES.join(", ")}`,
  }),
  impact: z.enum(IMPACTS, { message: `must be one of ${IMPACTS.join(", ")}` }),
  audienceOrgId,
  status: z
    .enum(["investigating", "identified", "monitoring"], {
      message: "must be investigating, identified or monitoring (an incident cannot open resolved)",
    })
    .default("investigating"),
  message,
  cells,
  notify,
});
export type OpenIncidentInput = z.input<typeof OpenIncidentInput>;

export const PostUpdateInput = z.object({
  incidentId: id("incident"),
  status: incidentStatusSchema,
  message,
  /** Only the cells that change (or are added); others keep their status. */
  cells,
  notify,
});
export type PostUpdateInput = z.input<typeof PostUpdateInput>;

export const ReopenIncidentInput = z.object({
  incidentId: id("incident"),
  status: z
    .enum(["investigating", "identified", "monitoring"], {
      message: "must be investigating, identified or monitoring",
    })
    .default("investigating"),
  message,
  cells,
  notify,
});

export const EditIncidentInput = z
  .object({
    incidentId: id("incident"),
    title: title.optional(),
    impact: z.enum(IMPACTS, { message: `must be one of ${IMPACTS.join(", ")}` }).optional(),
  })
  .refine((v) => v.title !== undefined || v.impact !== undefined, {
    message: "give a title or an impact to change",
    path: ["title"],
  });

/** The longest text any form takes (next.config.js sizes the server-action body limit by it). */
export const MAX_POSTMORTEM_LENGTH = 100_000;

export const PostmortemInput = z.object({
  incidentId: id("incident"),
  postmortem: storable(
    z
      .string({ message: "is required" })
      .trim()
      .min(1, "is required")
      .max(MAX_POSTMORTEM_LENGTH, `must be at most ${MAX_POSTMORTEM_LENGTH} characters`),
  ),
  /** Sends the postmortem to subscribers (default off, for revisions too). */
  notify,
});

/** Corrects the message of an update already posted; the original is kept in the audit log. */
export const EditUpdateInput = z.object({
  incidentId: id("incident"),
  /** Checked by the verb: a malformed id is as unknown as another incident's (404). */
  updateId: z.string({ message: "must be the id of an incident update" }),
  message,
});

/**
 * Back-fills a resolved incident with when it really started and ended, so uptime is right.
 * Either may be given alone; the other keeps its value.
 */
export const BackfillIncidentInput = z
  .object({
    incidentId: id("incident"),
    startedAt: boundedDate().optional(),
    resolvedAt: boundedDate().optional(),
  })
  .refine((v) => v.startedAt !== undefined || v.resolvedAt !== undefined, {
    message: "give the start or the end to change",
    path: ["startedAt"],
  });

const date = boundedDate();

/** Reminders before a window: minutes before its start, each at most 30 days ahead. */
export const DEFAULT_REMINDER_MINUTES = [1440, 60];
const reminderMinutes = z
  .array(
    z
      .number({ message: "must be whole minutes before the start" })
      .int("must be whole minutes before the start")
      .min(1, "must be at least 1 minute before the start")
      .max(43_200, "must be at most 30 days (43200 minutes) before the start"),
  )
  .max(5, "must list at most 5 reminders")
  .transform((list) => [...new Set(list)].sort((a, b) => b - a));
const automation = {
  /** Move to in progress at the start and to completed at the end on its own. */
  automatic: z.boolean({ message: "must be true or false" }).default(true),
  /** Whether those automatic steps notify. */
  notifyAutomatic: z.boolean({ message: "must be true or false" }).default(true),
  reminderMinutes: reminderMinutes.default(DEFAULT_REMINDER_MINUTES),
};

export const ScheduleMaintenanceInput = z
  .object({
    title,
    message,
    audienceOrgId,
    scheduledFor: date,
    scheduledUntil: date,
    cells: z
      .array(z.object({ componentId: id("component"), regionId: id("region") }))
      .min(1, "must list at least one component × region")
      .max(500, "must list at most 500 cells"),
    notify,
    ...automation,
  })
  .refine((v) => v.scheduledUntil > v.scheduledFor, {
    message: "must be after the start of the window",
    path: ["scheduledUntil"],
  });

export const AdvanceMaintenanceInput = z.object({
  maintenanceId: id("maintenance"),
  status: z.enum(MAINTENANCE_STATUSES, {
    message: `must be one of ${MAINTENANCE_STATUSES.join(", ")}`,
  }),
  message,
  notify,
});

/**
 * Changes a window that has not ended: its title, times, automation or reminders. Subscribers
 * hear of a new window by default (`notify`).
 */
export const EditMaintenanceInput = z
  .object({
    maintenanceId: id("maintenance"),
    title: title.optional(),
    scheduledFor: date.optional(),
    scheduledUntil: date.optional(),
    automatic: automation.automatic.optional(),
    notifyAutomatic: automation.notifyAutomatic.optional(),
    reminderMinutes: reminderMinutes.optional(),
    /** Posted as an update; a default saying what changed is written when omitted. */
    message: message.optional(),
    notify: z.boolean({ message: "must be true or false" }).default(true),
  })
  .refine(
    (v) =>
      v.title !== undefined ||
      v.scheduledFor !== undefined ||
      v.scheduledUntil !== undefined ||
      v.automatic !== undefined ||
      v.notifyAutomatic !== undefined ||
      v.reminderMinutes !== undefined,
    { message: "give something to change", path: ["scheduledFor"] },
  );

export const CancelMaintenanceInput = z.object({
  maintenanceId: id("maintenance"),
  message: message.optional(),
  notify: z.boolean({ message: "must be true or false" }).default(true),
});

export const IncidentIdInput = z.object({ incidentId: id("incident") });
export const MaintenanceIdInput = z.object({ maintenanceId: id("maintenance") });
