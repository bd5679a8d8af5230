import { z } from "zod";
import {
  ConflictError,
  DatabaseUnavailableError,
  ErrorBodySchema,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  ServiceError,
  UnauthorizedError,
  ValidationError,
  type ErrorBody,
} from "@/lib/errors";
import { PayloadTooLargeError } from "@/lib/body";
import { API_KEY_PREFIX } from "@/lib/api-keys/keys";
import {
  CreateEndpointInput,
  UpdateAlertSettingsInput,
  UpdateEndpointInput,
} from "@/lib/alerts/schemas";
import { TestAlertInput } from "@/lib/alerts/test-alert";
import { ListAuditInput } from "@/lib/audit-log/list";
import {
  ComponentInput,
  ComponentUpdate,
  GroupInput,
  GroupUpdate,
  RegionInput,
  RegionUpdate,
} from "@/lib/catalog/manage";
import {
  AdvanceMaintenanceInput,
  BackfillIncidentInput,
  CancelMaintenanceInput,
  EditUpdateInput,
  EditIncidentInput,
  EditMaintenanceInput,
  OpenIncidentInput,
  PostmortemInput,
  PostUpdateInput,
  ReopenIncidentInput,
  ScheduleMaintenanceInput,
} from "@/lib/incidents/schemas";
import { ListIncidentsInput } from "@/lib/incidents/list";
import { MetricsInput, RuleInput } from "@/lib/metrics/schemas";
import { RaiseTicketInput, ReplyInput, UpdateTicketInput } from "@/lib/support/tickets";
import {
  CreateOrganizationInput,
  InviteOrgAdminInput,
  UpdateOrganizationInput,
} from "@/lib/organizations/organizations";
import { LOGO_MAX_BYTES, UpdateStatusPageInput } from "@/lib/status/settings";
import { ListSubscribersInput } from "@/lib/subscribers/schemas";
import type { Permission } from "@/lib/auth/roles";

/**
 * The OpenAPI 3.1 description of /api/v1, built from the very zod schemas the verbs parse requests
 * with (z.toJSONSchema, as the request side sees them: defaults make a field optional). A field
 * added to a verb's schema appears here with no edit; app/api/v1/openapi.test.ts checks the
 * document against the OpenAPI 3.1 schema, every route file against it, and every example
 * against the schema that validates it.
 */

type Method = "get" | "post" | "put" | "patch" | "delete";
type JsonSchema = Record<string, unknown>;

/** A JSON request body described by the verb's own schema. */
export interface BodySpec {
  schema: z.ZodType;
  /** Fields the route fills from the path (`id`, `incidentId`): not part of the body. */
  fromPath?: string | string[];
  example: Record<string, unknown>;
  /** Extra top-level properties the route itself reads (`reopen`). */
  extra?: { properties: Record<string, JsonSchema>; required?: string[] };
  /** Overrides the schema's own title in the reference. */
  title?: string;
}

export interface Operation {
  method: Method;
  /** The path under /api/v1, OpenAPI style: `/endpoints/{id}`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** The permission the key's role needs; null: any key. */
  permission: Permission | null;
  /** What `{id}` names, for routes that have one. */
  idOf?: string;
  /** Further ids in the path (`{updateId}`) and what each names. */
  pathIds?: Record<string, string>;
  query?: z.ZodType;
  /** One body, or several alternatives (oneOf), each with its example. */
  body?: BodySpec | BodySpec[];
  /** A non-JSON body (the logo upload). */
  rawBody?: Record<string, unknown>;
  success: { status: 200 | 201 | 202 | 204; description: string };
  /** Errors this operation can answer beyond the common ones (401, 403, 404, 422, 503). */
  also?: (409 | 413 | 429)[];
}

const ID_EXAMPLE = "4f6c0f5e-2a8e-4c1b-9d7a-3b1e2f4a5c6d";
const COMPONENT_EXAMPLE = "0d3f8a52-6b1c-4e7f-8a9d-2c4b6e8f1a3b";
const REGION_EXAMPLE = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

const cellsExample = [{ componentId: COMPONENT_EXAMPLE, regionId: REGION_EXAMPLE }];

export const OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/me",
    tag: "Account",
    summary: "Who this key acts as",
    description:
      "The key's organization, role and permissions: a quick way to check that a key works.",
    permission: null,
    success: { status: 200, description: "The organization, role and permissions." },
  },
  {
    method: "get",
    path: "/openapi.json",
    tag: "Account",
    summary: "This description",
    description:
      "The OpenAPI 3.1 document you are reading (people read it at /portal/api-reference).",
    permission: null,
    success: { status: 200, description: "The OpenAPI document." },
  },
  // Incidents
  {
    method: "get",
    path: "/incidents",
    tag: "Incidents",
    summary: "List incidents",
    description:
      "The incidents this key's organization may see (public ones and its own), newest first.",
    permission: "incidents:read",
    query: ListIncidentsInput,
    success: { status: 200, description: "`{ incidents: [...] }`" },
  },
  {
    method: "post",
    path: "/incidents",
    tag: "Incidents",
    summary: "Open an incident",
    description:
      "Opens an incident on one or more component × region cells. `audienceOrgId` null makes it public; a tenant's id shows it to that tenant only (Configurable incidents are tenant-only). `notify` (default false) alerts subscribers and tenants. `templateId` (GET /incident-templates) fills the title, message, category, impact and cells from an incident template; any of them given in the body wins over the template's.",
    permission: "incidents:write",
    body: {
      schema: OpenIncidentInput,
      example: {
        title: "Elevated call setup failures in Mumbai",
        category: "infrastructure",
        impact: "major",
        audienceOrgId: null,
        status: "investigating",
        message: "We are investigating failed call setups on the Mumbai POP.",
        cells: [{ ...cellsExample[0], status: "partial_outage" }],
        notify: true,
      },
    },
    success: { status: 201, description: "The incident and its first update." },
  },
  {
    method: "get",
    path: "/incident-templates",
    tag: "Incidents",
    summary: "List incident templates",
    description:
      "The platform's incident templates, by name: pass one's id as `templateId` when opening an incident. Platform admins manage them in the portal.",
    permission: "incidents:write",
    success: { status: 200, description: "`{ templates: [...] }`" },
  },
  {
    method: "get",
    path: "/incidents/{id}",
    tag: "Incidents",
    summary: "Get an incident",
    permission: "incidents:read",
    idOf: "incident",
    success: { status: 200, description: "`{ incident }` with its updates and cells." },
  },
  {
    method: "patch",
    path: "/incidents/{id}",
    tag: "Incidents",
    summary: "Correct an incident, publish its postmortem, or back-fill its times",
    description:
      "One of three, each sent on its own: corrects the title or impact; (on a resolved incident) publishes the postmortem, with `notify` (default false, revisions too) sending it to subscribers who take postmortem notices; or (on a resolved incident) back-fills its real `startedAt` and `resolvedAt`, not in the future and start before end, after which uptime counts it for those times. Status changes are updates: POST /incidents/{id}/updates.",
    permission: "incidents:write",
    idOf: "incident",
    body: [
      {
        schema: EditIncidentInput,
        fromPath: "incidentId",
        title: "Correction",
        example: { title: "Call setup failures in Mumbai", impact: "critical" },
      },
      {
        schema: PostmortemInput,
        fromPath: "incidentId",
        title: "Postmortem",
        example: { postmortem: "## What happened\n\nA carrier route flapped…", notify: true },
      },
      {
        schema: BackfillIncidentInput,
        fromPath: "incidentId",
        title: "Back-fill",
        example: { startedAt: "2026-11-20T09:12:00Z", resolvedAt: "2026-11-20T10:05:00Z" },
      },
    ],
    success: { status: 200, description: "`{ incident }`" },
    also: [409],
  },
  {
    method: "post",
    path: "/incidents/{id}/acknowledge",
    tag: "Incidents",
    summary: "Acknowledge the incident's on-call page",
    description:
      "Stops its escalation: nobody further is paged. The same as the one-click link in every page.",
    permission: "incidents:write",
    idOf: "incident",
    success: { status: 200, description: "The escalations acknowledged." },
  },
  {
    method: "post",
    path: "/incidents/{id}/updates",
    tag: "Incidents",
    summary: "Post an update, or reopen",
    description:
      "Posts an update: a new status, a message, and the cells that change. Reopening a resolved incident is explicit: `reopen: true`.",
    permission: "incidents:write",
    idOf: "incident",
    body: [
      {
        schema: PostUpdateInput,
        fromPath: "incidentId",
        title: "Update",
        example: {
          status: "monitoring",
          message: "A fix is in place; we are watching call setup rates.",
          cells: [{ ...cellsExample[0], status: "degraded_performance" }],
          notify: true,
        },
      },
      {
        schema: ReopenIncidentInput,
        fromPath: "incidentId",
        title: "Reopen",
        extra: {
          properties: { reopen: { const: true, description: "Reopens a resolved incident." } },
          required: ["reopen"],
        },
        example: { reopen: true, message: "Failures are back.", status: "investigating" },
      },
    ],
    success: { status: 201, description: "The update." },
    also: [409],
  },
  {
    method: "patch",
    path: "/incidents/{id}/updates/{updateId}",
    tag: "Incidents",
    summary: "Correct an update's message",
    description:
      "Replaces the message of an update already posted. The status page shows the corrected text marked edited; the audit log keeps the original. Nobody is notified again.",
    permission: "incidents:write",
    idOf: "incident",
    pathIds: { updateId: "incident update" },
    body: {
      schema: EditUpdateInput,
      fromPath: ["incidentId", "updateId"],
      example: { message: "Calls failing in Mumbai and Delhi since 09:12 UTC." },
    },
    success: { status: 200, description: "`{ update }`" },
  },
  // Maintenance
  {
    method: "get",
    path: "/maintenances",
    tag: "Maintenance",
    summary: "List maintenance",
    permission: "incidents:read",
    query: ListIncidentsInput.pick({ limit: true }),
    success: { status: 200, description: "`{ maintenances: [...] }`" },
  },
  {
    method: "post",
    path: "/maintenances",
    tag: "Maintenance",
    summary: "Schedule maintenance",
    permission: "maintenance:write",
    body: {
      schema: ScheduleMaintenanceInput,
      example: {
        title: "Carrier upgrade in Mumbai",
        message: "Calls may drop briefly while we switch carriers.",
        audienceOrgId: null,
        scheduledFor: "2030-05-01T22:00:00Z",
        scheduledUntil: "2030-05-01T23:00:00Z",
        cells: cellsExample,
        notify: true,
      },
    },
    success: { status: 201, description: "`{ maintenance }`" },
  },
  {
    method: "get",
    path: "/maintenances/{id}",
    tag: "Maintenance",
    summary: "Get maintenance",
    permission: "incidents:read",
    idOf: "maintenance",
    success: { status: 200, description: "`{ maintenance }`" },
  },
  {
    method: "patch",
    path: "/maintenances/{id}",
    tag: "Maintenance",
    summary: "Reschedule or edit a maintenance window",
    description:
      "Moves its times (its automatic start, end and reminders move too), renames it, or changes its automation; posted as an update that tells subscribers unless `notify` is false. Status changes are updates: POST /maintenances/{id}/updates.",
    permission: "maintenance:write",
    idOf: "maintenance",
    body: {
      schema: EditMaintenanceInput,
      fromPath: "maintenanceId",
      example: { scheduledFor: "2030-05-02T22:00:00Z", scheduledUntil: "2030-05-02T23:30:00Z" },
    },
    success: { status: 200, description: "The maintenance window." },
  },
  {
    method: "post",
    path: "/maintenances/{id}/cancel",
    tag: "Maintenance",
    summary: "Cancel a maintenance window that has not started",
    description:
      "Its automation and reminders stop; subscribers are told unless `notify` is false.",
    permission: "maintenance:write",
    idOf: "maintenance",
    body: {
      schema: CancelMaintenanceInput,
      fromPath: "maintenanceId",
      example: { message: "Postponed: the carrier moved its window." },
    },
    success: { status: 200, description: "The maintenance window, cancelled." },
  },
  {
    method: "post",
    path: "/maintenances/{id}/updates",
    tag: "Maintenance",
    summary: "Move maintenance on",
    permission: "maintenance:write",
    idOf: "maintenance",
    body: {
      schema: AdvanceMaintenanceInput,
      fromPath: "maintenanceId",
      example: { status: "in_progress", message: "Work has started.", notify: false },
    },
    success: { status: 201, description: "The maintenance update." },
    also: [409],
  },
  // Alerts
  {
    method: "get",
    path: "/alert-settings",
    tag: "Alerts",
    summary: "Get alert settings",
    description:
      "Categories, the routing matrix, extra recipients, endpoints, filters, digest and quiet hours.",
    permission: "alerts:read",
    success: { status: 200, description: "The alert settings." },
  },
  {
    method: "put",
    path: "/alert-settings",
    tag: "Alerts",
    summary: "Change alert settings",
    description: "Every section is optional; a section that is present replaces the stored one.",
    permission: "alerts:manage",
    body: {
      schema: UpdateAlertSettingsInput,
      example: {
        categories: { billing: true },
        filters: { componentIds: [COMPONENT_EXAMPLE], regionIds: [], minImpact: "minor" },
        digestMode: "hourly",
        quietHours: {
          enabled: true,
          start: "22:00",
          end: "07:00",
          timeZone: "Asia/Kolkata",
          allowCritical: true,
        },
      },
    },
    success: { status: 200, description: "The alert settings." },
  },
  {
    method: "get",
    path: "/endpoints",
    tag: "Alerts",
    summary: "List endpoints",
    description: "Slack, Teams and signed webhook endpoints, with their filters.",
    permission: "alerts:read",
    success: {
      status: 200,
      description: "The endpoints (no URLs or secrets; `urlHint` is the host).",
    },
  },
  {
    method: "post",
    path: "/endpoints",
    tag: "Alerts",
    summary: "Add an endpoint",
    description:
      "A webhook's signing secret is in this answer only. `filters` limits what it receives: components, regions (none listed: all) and a minimum impact.",
    permission: "alerts:manage",
    body: {
      schema: CreateEndpointInput,
      example: {
        type: "webhook",
        name: "NOC webhook",
        url: "https://hooks.example.com/beacon",
        roleGroup: "tech_devops",
        filters: {
          componentIds: [COMPONENT_EXAMPLE],
          regionIds: [REGION_EXAMPLE],
          minImpact: "major",
        },
      },
    },
    success: { status: 201, description: "`{ endpoint, secret }` (secret: webhooks only, once)." },
  },
  {
    method: "patch",
    path: "/endpoints/{id}",
    tag: "Alerts",
    summary: "Edit an endpoint",
    description:
      "Changes any of name, url, roleGroup and filters; fields left out keep their values, and `filters`, when sent, replaces all three. The type and signing secret stay.",
    permission: "alerts:manage",
    idOf: "endpoint",
    body: {
      schema: UpdateEndpointInput,
      example: {
        name: "NOC webhook (Mumbai)",
        filters: { componentIds: [], regionIds: [REGION_EXAMPLE], minImpact: "minor" },
      },
    },
    success: { status: 200, description: "The endpoint." },
  },
  {
    method: "delete",
    path: "/endpoints/{id}",
    tag: "Alerts",
    summary: "Delete an endpoint",
    permission: "alerts:manage",
    idOf: "endpoint",
    success: { status: 204, description: "Deleted." },
  },
  {
    method: "post",
    path: "/test-alerts",
    tag: "Alerts",
    summary: "Send a test alert",
    description: "Queues the test; poll GET /deliveries/{id} for the result.",
    permission: "alerts:manage",
    body: { schema: TestAlertInput, example: { channel: "webhook", endpointId: ID_EXAMPLE } },
    success: { status: 202, description: "`{ deliveryIds }`" },
    also: [429],
  },
  {
    method: "get",
    path: "/deliveries/{id}",
    tag: "Alerts",
    summary: "Get a delivery",
    description: "Its state, attempts, the provider's answer and the routing trace.",
    permission: "deliveries:read",
    idOf: "delivery",
    success: { status: 200, description: "The delivery." },
  },
  {
    method: "post",
    path: "/metrics",
    tag: "Metrics",
    summary: "Record metric samples",
    description: "Records samples and evaluates the threshold rules on them.",
    permission: "metrics:write",
    body: {
      schema: MetricsInput,
      example: {
        samples: [{ metric: "balance", value: 420, at: "2030-05-01T10:00:00Z" }],
        calls: [
          {
            at: "2030-05-01T10:00:00Z",
            answered: true,
            durationSeconds: 64,
            pddMs: 2100,
            region: "BOM",
            trunk: "carrier-a",
          },
        ],
      },
    },
    success: { status: 202, description: "What was recorded and which rules fired." },
  },
  {
    method: "get",
    path: "/threshold-rules",
    tag: "Metrics",
    summary: "List threshold rules",
    description: "With each rule's state (normal, pending, firing, no data) and last value.",
    permission: "thresholds:manage",
    success: { status: 200, description: "`{ rules: [...] }`" },
  },
  {
    method: "post",
    path: "/threshold-rules",
    tag: "Metrics",
    summary: "Create a threshold rule",
    description:
      "Fires when the metric's aggregate over the sample period crosses the threshold and the optional CEL `condition` holds (held for the pending period); resets only past the reset threshold, or when the condition stops holding. A condition that does not type-check is refused (422, path `condition`, with the line and column); `escalationPolicyId` must be one of the organization's escalation policies.",
    permission: "thresholds:manage",
    body: {
      schema: RuleInput,
      example: {
        name: "ASR below 30 in Mumbai",
        metric: "asr",
        operator: "<",
        threshold: 30,
        resetThreshold: 35,
        samplePeriodMinutes: 15,
        condition: 'attempts > 100 && region == "BOM"',
      },
    },
    success: { status: 201, description: "The rule." },
  },
  {
    method: "get",
    path: "/threshold-rules/{id}",
    tag: "Metrics",
    summary: "Get a threshold rule",
    permission: "thresholds:manage",
    idOf: "threshold rule",
    success: { status: 200, description: "The rule." },
  },
  {
    method: "put",
    path: "/threshold-rules/{id}",
    tag: "Metrics",
    summary: "Replace a threshold rule",
    description: "Takes the same fields as creating one.",
    permission: "thresholds:manage",
    idOf: "threshold rule",
    body: {
      schema: RuleInput,
      example: {
        name: "Balance below 400",
        metric: "balance",
        operator: "<",
        threshold: 400,
        resetThreshold: 500,
      },
    },
    success: { status: 200, description: "The rule." },
  },
  {
    method: "delete",
    path: "/threshold-rules/{id}",
    tag: "Metrics",
    summary: "Delete a threshold rule",
    permission: "thresholds:manage",
    idOf: "threshold rule",
    success: { status: 204, description: "Deleted." },
  },
  // Support
  {
    method: "get",
    path: "/tickets",
    tag: "Support",
    summary: "List tickets",
    description:
      "A tenant key lists its organization's tickets; a platform support key the queue of every tenant's, those past an SLA target first.",
    permission: "support:read",
    success: { status: 200, description: "`{ tickets: [...] }` with each SLA clock." },
  },
  {
    method: "post",
    path: "/tickets",
    tag: "Support",
    summary: "Raise a Tier 1 ticket",
    description:
      "A `deliveryId` from the organization's delivery log fills in the incident, channel and time. SLA targets count business hours.",
    permission: "tickets:raise",
    body: {
      schema: RaiseTicketInput,
      example: {
        subject: "SMS alerts not arriving",
        description: "Our billing admins got no SMS for the Mumbai outage.",
        severity: "high",
        channels: ["sms"],
        observedAt: "2030-05-01T10:00:00Z",
        observedTimeZone: "Asia/Kolkata",
      },
    },
    success: { status: 201, description: "The ticket, with its readable `ref` (T1-2030-000123)." },
  },
  {
    method: "get",
    path: "/tickets/{id}",
    tag: "Support",
    summary: "Get a ticket",
    description: "With its timeline; a tenant does not see support's internal notes.",
    permission: "support:read",
    idOf: "ticket",
    success: { status: 200, description: "The ticket." },
  },
  {
    method: "patch",
    path: "/tickets/{id}",
    tag: "Support",
    summary: "Set a ticket's status or assignee (platform support)",
    permission: "tickets:work",
    idOf: "ticket",
    body: {
      schema: UpdateTicketInput,
      fromPath: "id",
      example: { status: "acknowledged" },
    },
    success: { status: 200, description: "The ticket." },
  },
  {
    method: "post",
    path: "/tickets/{id}/replies",
    tag: "Support",
    summary: "Reply on a ticket",
    description: "Platform support may write an internal note instead (`internal: true`).",
    permission: "support:read",
    idOf: "ticket",
    body: { schema: ReplyInput, fromPath: "id", example: { body: "Here are the logs." } },
    success: { status: 204, description: "Added." },
  },
  // Catalogue
  {
    method: "get",
    path: "/components",
    tag: "Catalogue",
    summary: "List groups and components",
    description: "Archived ones included (`archivedAt` set).",
    permission: "components:manage",
    success: { status: 200, description: "`{ groups, components }`" },
  },
  {
    method: "post",
    path: "/components",
    tag: "Catalogue",
    summary: "Create a component",
    description: "`regionIds` left out puts it in every live region.",
    permission: "components:manage",
    body: {
      schema: ComponentInput,
      example: { name: "Voice routing", description: "Call setup and media", showcase: true },
    },
    success: { status: 201, description: "`{ component }`" },
  },
  {
    method: "patch",
    path: "/components/{id}",
    tag: "Catalogue",
    summary: "Change a component",
    permission: "components:manage",
    idOf: "component",
    body: { schema: ComponentUpdate, fromPath: "id", example: { name: "Voice", position: 2 } },
    success: { status: 200, description: "`{ component }`" },
  },
  {
    method: "delete",
    path: "/components/{id}",
    tag: "Catalogue",
    summary: "Remove a component",
    description: "Archived when it has incident or maintenance history, else deleted.",
    permission: "components:manage",
    idOf: "component",
    success: { status: 200, description: "`{ archived, deleted }`" },
    also: [409],
  },
  {
    method: "get",
    path: "/component-groups",
    tag: "Catalogue",
    summary: "List component groups",
    permission: "components:manage",
    success: { status: 200, description: "`{ groups }`" },
  },
  {
    method: "post",
    path: "/component-groups",
    tag: "Catalogue",
    summary: "Create a component group",
    permission: "components:manage",
    body: { schema: GroupInput, example: { name: "Messaging" } },
    success: { status: 201, description: "`{ group }`" },
  },
  {
    method: "patch",
    path: "/component-groups/{id}",
    tag: "Catalogue",
    summary: "Rename or move a component group",
    permission: "components:manage",
    idOf: "group",
    body: { schema: GroupUpdate, fromPath: "id", example: { name: "Voice", position: 0 } },
    success: { status: 200, description: "`{ group }`" },
  },
  {
    method: "delete",
    path: "/component-groups/{id}",
    tag: "Catalogue",
    summary: "Delete a component group",
    description: "Its components stay, ungrouped.",
    permission: "components:manage",
    idOf: "group",
    success: { status: 200, description: "The group was deleted." },
  },
  {
    method: "get",
    path: "/regions",
    tag: "Catalogue",
    summary: "List regions (POPs)",
    permission: "components:manage",
    success: { status: 200, description: "`{ regions }`" },
  },
  {
    method: "post",
    path: "/regions",
    tag: "Catalogue",
    summary: "Create a region",
    description: "`componentIds` left out runs every live component in it.",
    permission: "components:manage",
    body: { schema: RegionInput, example: { code: "SIN", name: "Singapore" } },
    success: { status: 201, description: "`{ region }`" },
  },
  {
    method: "patch",
    path: "/regions/{id}",
    tag: "Catalogue",
    summary: "Change a region",
    permission: "components:manage",
    idOf: "region",
    body: { schema: RegionUpdate, fromPath: "id", example: { name: "Singapore (SG1)" } },
    success: { status: 200, description: "`{ region }`" },
  },
  {
    method: "delete",
    path: "/regions/{id}",
    tag: "Catalogue",
    summary: "Remove a region",
    description: "Archived when it has incident or maintenance history, else deleted.",
    permission: "components:manage",
    idOf: "region",
    success: { status: 200, description: "`{ archived, deleted }`" },
    also: [409],
  },
  // Status page
  {
    method: "get",
    path: "/status-page",
    tag: "Status page",
    summary: "Get the status page settings",
    permission: "status_page:manage",
    success: { status: 200, description: "The settings." },
  },
  {
    method: "put",
    path: "/status-page",
    tag: "Status page",
    summary: "Change the status page settings",
    description: "Fields left out keep their values; null clears one.",
    permission: "status_page:manage",
    body: {
      schema: UpdateStatusPageInput,
      example: { name: "Beacon Cloud Status", brandColor: "#0369a1", timeZone: "Asia/Kolkata" },
    },
    success: { status: 200, description: "The settings." },
  },
  {
    method: "put",
    path: "/status-page/logo",
    tag: "Status page",
    summary: "Upload the logo",
    description: `The image as the body (PNG, JPEG, WebP or SVG), or a multipart form with a \`logo\` file; at most ${LOGO_MAX_BYTES / 1024} KB.`,
    permission: "status_page:manage",
    rawBody: {
      required: true,
      content: {
        "image/png": { schema: { type: "string", contentMediaType: "image/png" } },
        "image/jpeg": { schema: { type: "string", contentMediaType: "image/jpeg" } },
        "image/webp": { schema: { type: "string", contentMediaType: "image/webp" } },
        "image/svg+xml": { schema: { type: "string", contentMediaType: "image/svg+xml" } },
        "multipart/form-data": {
          schema: {
            type: "object",
            properties: { logo: { type: "string", contentMediaType: "application/octet-stream" } },
            required: ["logo"],
          },
        },
      },
    },
    success: { status: 200, description: "The settings." },
    also: [413],
  },
  {
    method: "delete",
    path: "/status-page/logo",
    tag: "Status page",
    summary: "Remove the logo",
    permission: "status_page:manage",
    success: { status: 200, description: "The settings." },
  },
  {
    method: "get",
    path: "/subscribers",
    tag: "Status page",
    summary: "List public subscribers",
    permission: "subscribers:manage",
    query: ListSubscribersInput,
    success: { status: 200, description: "Counts, the number matching, and one page." },
  },
  // Organizations
  {
    method: "get",
    path: "/organizations",
    tag: "Organizations",
    summary: "List organizations",
    description: "Every tenant, with its activation progress.",
    permission: "organizations:manage",
    success: { status: 200, description: "The organizations." },
  },
  {
    method: "post",
    path: "/organizations",
    tag: "Organizations",
    summary: "Create a tenant",
    permission: "organizations:manage",
    body: { schema: CreateOrganizationInput, example: { slug: "initech", name: "Initech" } },
    success: { status: 201, description: "The organization." },
    also: [409],
  },
  {
    method: "get",
    path: "/organizations/{id}",
    tag: "Organizations",
    summary: "Get an organization",
    permission: "organizations:manage",
    idOf: "organization",
    success: { status: 200, description: "The organization." },
  },
  {
    method: "patch",
    path: "/organizations/{id}",
    tag: "Organizations",
    summary: "Rename, suspend or restore a tenant",
    permission: "organizations:manage",
    idOf: "organization",
    body: { schema: UpdateOrganizationInput, fromPath: "id", example: { suspended: true } },
    success: { status: 200, description: "The organization." },
    also: [409],
  },
  {
    method: "post",
    path: "/organizations/{id}/invitations",
    tag: "Organizations",
    summary: "Invite a tenant's org admin",
    description:
      "The link is emailed; it is in the answer only when it could not be (no email provider, or the provider refused).",
    permission: "organizations:manage",
    idOf: "organization",
    body: { schema: InviteOrgAdminInput, fromPath: "id", example: { email: "it@initech.example" } },
    success: { status: 201, description: "`{ invitation, ... }`" },
    also: [429],
  },
  // Audit
  {
    method: "get",
    path: "/audit",
    tag: "Audit",
    summary: "Read the audit log",
    description:
      "The key's organization's audit log, newest first. `action` is exact, or a prefix ending in a dot; the next page is `after` = the `next` of this one.",
    permission: "audit:read",
    query: ListAuditInput,
    success: { status: 200, description: "`{ entries, next }`" },
  },
];

// ---------------------------------------------------------------------------------------------
// Building the document

/** The request side of a zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect). */
export function requestSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema }) => {
      const def = (zodSchema as unknown as { _zod: { def: { type: string } } })._zod.def;
      // Dates are sent as ISO 8601 strings (z.coerce.date parses them).
      if (def.type === "date") Object.assign(jsonSchema, { type: "string", format: "date-time" });
      // The uuid format says it; zod's own pattern only makes the reference harder to read.
      if (jsonSchema.format === "uuid") delete jsonSchema.pattern;
    },
  }) as JsonSchema;
  delete json.$schema;
  return json;
}

function bodySchema(spec: BodySpec): JsonSchema {
  const json = requestSchema(spec.schema);
  const properties = { ...(json.properties as Record<string, JsonSchema>) };
  let required = [...((json.required as string[] | undefined) ?? [])];
  for (const field of [spec.fromPath ?? []].flat()) {
    delete properties[field];
    required = required.filter((r) => r !== field);
  }
  if (spec.extra) {
    Object.assign(properties, spec.extra.properties);
    required.push(...(spec.extra.required ?? []));
  }
  const out: JsonSchema = { ...json, properties };
  if (required.length) out.required = required;
  else delete out.required;
  if (spec.title) out.title = spec.title;
  return out;
}

function queryParameters(schema: z.ZodType): JsonSchema[] {
  const json = requestSchema(schema);
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries((json.properties ?? {}) as Record<string, JsonSchema>).map(([name, s]) => ({
    name,
    in: "query",
    required: required.has(name),
    schema: s,
  }));
}

/** The error answers, each with an example made by the error class the server throws. */
const ERRORS: Record<number, { name: string; description: string; example: ServiceError }> = {
  401: {
    name: "Unauthorized",
    description: "No API key, or one that is unknown, revoked or of a suspended organization.",
    example: new UnauthorizedError("Invalid or revoked API key"),
  },
  403: {
    name: "Forbidden",
    description: "The key's role lacks the permission this operation needs.",
    example: new ForbiddenError(),
  },
  404: {
    name: "NotFound",
    description:
      "No such object in the key's organization (another organization's, an unknown and a malformed id all answer this).",
    example: new NotFoundError("Endpoint"),
  },
  409: {
    name: "Conflict",
    description: "The object's state does not allow this now.",
    example: new ConflictError(
      "This incident is resolved; reopen it before posting another update",
    ),
  },
  413: {
    name: "PayloadTooLarge",
    description: "The body is larger than this operation takes.",
    example: new PayloadTooLargeError(`logo: must be at most ${LOGO_MAX_BYTES / 1024} KB`),
  },
  422: {
    name: "ValidationFailed",
    description:
      "A bad value: `fields` names each one by its path in the request (`filters.minImpact`; `(body)` for the body as a whole) with the reason.",
    example: new ValidationError([
      { field: "filters.minImpact", message: "must be one of none, minor, major, critical" },
    ]),
  },
  429: {
    name: "RateLimited",
    description: "Too many of these for now; `Retry-After` says when to try again.",
    example: new RateLimitedError("Too many test alerts; try again in a minute", 60),
  },
  503: {
    name: "ServiceUnavailable",
    description: "The database cannot be reached right now; `Retry-After` says when to try again.",
    example: new DatabaseUnavailableError("database unreachable: connection refused"),
  },
};

/** The body toHttpResponse answers with for an error. */
export function errorBodyOf(e: ServiceError): ErrorBody {
  const body: ErrorBody = { error: { code: e.code, message: e.message } };
  if (e instanceof ValidationError) body.error.fields = e.issues;
  return body;
}

const RETRY_AFTER = {
  "Retry-After": {
    description: "Seconds to wait before trying again.",
    schema: { type: "integer" },
  },
};

function errorCodes(op: Operation): number[] {
  const codes = new Set<number>([503]);
  codes.add(401);
  if (op.permission) codes.add(403);
  if (op.idOf || op.pathIds) codes.add(404);
  if (op.body || op.rawBody || op.query) codes.add(422);
  for (const c of op.also ?? []) codes.add(c);
  return [...codes].sort();
}

function pathItem(op: Operation): JsonSchema {
  const parameters: JsonSchema[] = [];
  if (op.idOf) {
    parameters.push({
      name: "id",
      in: "path",
      required: true,
      description: `The ${op.idOf}'s id.`,
      schema: { type: "string", format: "uuid" },
      example: ID_EXAMPLE,
    });
  }
  for (const [name, what] of Object.entries(op.pathIds ?? {})) {
    parameters.push({
      name,
      in: "path",
      required: true,
      description: `The ${what}'s id.`,
      schema: { type: "string", format: "uuid" },
      example: ID_EXAMPLE,
    });
  }
  if (op.query) parameters.push(...queryParameters(op.query));
  const bodies = op.body ? (Array.isArray(op.body) ? op.body : [op.body]) : [];
  const requestBody = op.rawBody
    ? op.rawBody
    : bodies.length
      ? {
          required: true,
          content: {
            "application/json": {
              schema:
                bodies.length === 1
                  ? bodySchema(bodies[0]!)
                  : { oneOf: bodies.map((b) => bodySchema(b)) },
              examples: Object.fromEntries(
                bodies.map((b, i) => [
                  b.title ? b.title.toLowerCase() : i === 0 ? "example" : `example${i + 1}`,
                  { summary: b.title ?? op.summary, value: b.example },
                ]),
              ),
            },
          },
        }
      : undefined;
  const responses: Record<string, JsonSchema> = {
    [String(op.success.status)]:
      op.success.status === 204
        ? { description: op.success.description }
        : {
            description: op.success.description,
            content: { "application/json": { schema: { type: ["object", "array"] } } },
          },
  };
  for (const code of errorCodes(op)) {
    responses[String(code)] = { $ref: `#/components/responses/${ERRORS[code]!.name}` };
  }
  const permissionNote = op.permission
    ? `Needs the \`${op.permission}\` permission.`
    : "Any valid key.";
  return {
    tags: [op.tag],
    summary: op.summary,
    description: [op.description, permissionNote].filter(Boolean).join("\n\n"),
    operationId: operationId(op),
    ...(op.permission ? { "x-permission": op.permission } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

/** "patch /endpoints/{id}" → "patchEndpointsById". */
export function operationId(op: Pick<Operation, "method" | "path">): string {
  const words = op.path
    .split("/")
    .filter(Boolean)
    .map((s) => (s === "{id}" ? "ById" : s))
    .join("-")
    .replace(/\.json$/, "")
    .split(/[-_.]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  return op.method + words.join("");
}

let cached: JsonSchema | undefined;

/** The OpenAPI 3.1 document for /api/v1 (built once per process). */
export function openApiDocument(): JsonSchema {
  if (cached) return cached;
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = pathItem(op);
  const responses = Object.fromEntries(
    Object.values(ERRORS).map(({ name, description, example }) => [
      name,
      {
        description,
        ...(example instanceof RateLimitedError || example instanceof DatabaseUnavailableError
          ? { headers: RETRY_AFTER }
          : {}),
        content: {
          "application/json": {
            schema: { $ref: "#/components/schemas/Error" },
            example: errorBodyOf(example),
          },
        },
      },
    ]),
  );
  cached = {
    openapi: "3.1.1",
    info: {
      title: "Beacon API",
      version: "1",
      description:
        "Incidents, maintenance, alert settings and the status page catalogue of Beacon, for the organization an API key belongs to. Every request carries the key as a bearer token; the organization and role come from the key, never from the request. Errors answer `{ error: { code, message, fields? } }`.",
    },
    servers: [{ url: "/api/v1" }],
    security: [{ apiKey: [] }],
    tags: [...new Set(OPERATIONS.map((o) => o.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          bearerFormat: `${API_KEY_PREFIX}…`,
          description: `An API key made on the portal's API keys page (or \`npm run apikey\`), sent as \`Authorization: Bearer ${API_KEY_PREFIX}…\`. It acts with the role it was given, in its own organization.`,
        },
      },
      schemas: { Error: requestSchema(ErrorBodySchema) },
      responses,
    },
  };
  return cached;
}
