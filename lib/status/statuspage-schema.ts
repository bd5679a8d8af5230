import { z } from "zod";
import { COMPONENT_STATUSES, INCIDENT_STATUSES, MAINTENANCE_STATUSES } from "@/db/schema";

/**
 * The Atlassian Statuspage v2 public format as a zod schema: what status aggregators expect.
 * Strict about Statuspage's own fields and enums, open to extra fields (Beacon's regions).
 */
const dateTime = z.iso.datetime({ offset: true });
const componentStatus = z.enum(COMPONENT_STATUSES);

export const SpPageSchema = z.object({
  id: z.string(),
  name: z.string(),
  url: z.url(),
  time_zone: z.string(),
  updated_at: dateTime,
});

export const SpComponentSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: componentStatus,
  created_at: dateTime,
  updated_at: dateTime,
  position: z.number().int(),
  description: z.string().nullable(),
  showcase: z.boolean(),
  start_date: z.iso.date().nullable(),
  group_id: z.string().nullable(),
  page_id: z.string(),
  group: z.boolean(),
  only_show_if_degraded: z.boolean(),
  components: z.array(z.string()).optional(),
});

const update = (statuses: readonly [string, ...string[]]) =>
  z.object({
    id: z.string(),
    status: z.enum(statuses),
    body: z.string(),
    incident_id: z.string(),
    created_at: dateTime,
    updated_at: dateTime,
    display_at: dateTime,
    affected_components: z
      .array(
        z.object({
          code: z.string(),
          name: z.string(),
          old_status: componentStatus,
          new_status: componentStatus,
        }),
      )
      .nullable(),
    deliver_notifications: z.boolean(),
    custom_tweet: z.string().nullable(),
    tweet_id: z.string().nullable(),
  });

const incidentBase = {
  id: z.string(),
  name: z.string(),
  created_at: dateTime,
  updated_at: dateTime,
  monitoring_at: dateTime.nullable(),
  resolved_at: dateTime.nullable(),
  shortlink: z.url(),
  started_at: dateTime,
  page_id: z.string(),
  components: z.array(SpComponentSchema),
};

export const SpIncidentSchema = z.object({
  ...incidentBase,
  status: z.enum(INCIDENT_STATUSES),
  impact: z.enum(["none", "minor", "major", "critical"]),
  incident_updates: z.array(update(INCIDENT_STATUSES)),
});

export const SpMaintenanceSchema = z.object({
  ...incidentBase,
  status: z.enum(MAINTENANCE_STATUSES),
  impact: z.enum(["none", "minor", "major", "critical", "maintenance"]),
  scheduled_for: dateTime,
  scheduled_until: dateTime,
  incident_updates: z.array(update(MAINTENANCE_STATUSES)),
});

export const SpStatusSchema = z.object({
  indicator: z.enum(["none", "minor", "major", "critical", "maintenance"]),
  description: z.string(),
});

export const SpSummarySchema = z.object({
  page: SpPageSchema,
  components: z.array(SpComponentSchema),
  incidents: z.array(SpIncidentSchema),
  scheduled_maintenances: z.array(SpMaintenanceSchema),
  status: SpStatusSchema,
});
export const SpStatusDocSchema = z.object({ page: SpPageSchema, status: SpStatusSchema });
export const SpComponentsDocSchema = z.object({
  page: SpPageSchema,
  components: z.array(SpComponentSchema),
});
export const SpIncidentsDocSchema = z.object({
  page: SpPageSchema,
  incidents: z.array(SpIncidentSchema),
});
export const SpMaintenancesDocSchema = z.object({
  page: SpPageSchema,
  scheduled_maintenances: z.array(SpMaintenanceSchema),
});
