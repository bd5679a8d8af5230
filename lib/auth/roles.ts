/**
 * Roles and permissions, mapped in one place. Every server action and route handler checks a
 * permission from here (see `requirePermission` in lib/context.ts).
 */

import {
  ORG_KINDS,
  PLATFORM_ROLES,
  ROLES,
  TENANT_ROLES,
  type OrgKind,
  type Role,
  type TenantRole,
} from "@/db/schema";

// The enums are the schema's (db/ imports nothing from lib/); the rules about them are here.
export { ORG_KINDS, PLATFORM_ROLES, ROLES, TENANT_ROLES, type OrgKind, type Role, type TenantRole };

export const ROLE_LABELS: Record<Role, string> = {
  org_admin: "Org Admin",
  billing_admin: "Billing Admin",
  tech_devops: "Tech/DevOps",
  support_manager: "Support Manager",
  platform_admin: "Platform Admin",
  responder: "Responder",
  support_agent: "Support Agent",
};

// The role group names are with the other labels (lib/labels.ts), which client components import.
export { ROLE_GROUP_LABELS } from "@/lib/labels";

export const PERMISSIONS = [
  "org:read",
  "members:manage",
  "apikeys:manage",
  "alerts:read",
  "alerts:manage",
  "billing:read",
  "deliveries:read",
  "thresholds:manage",
  "metrics:write",
  "incidents:read",
  "incidents:write",
  "maintenance:write",
  "components:manage",
  "audit:read",
  "support:read",
  "subscribers:manage",
  "status_page:manage",
  "organizations:manage",
  // The support desk: raising and following one's own organization's tickets (tenants), working
  // every tenant's tickets (platform support), editing the matrix and the business calendar.
  "tickets:raise",
  "tickets:work",
  "support:manage",
  "oncall:manage",
  // Incident templates: the platform's named starting points for a new incident.
  "incident_templates:manage",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Permissions an org admin may grant to a member on top of their role (seed 000 prerequisite). */
export const GRANTABLE_PERMISSIONS = ["alerts:manage"] as const satisfies readonly Permission[];
export type GrantablePermission = (typeof GRANTABLE_PERMISSIONS)[number];

export const PERMISSION_LABELS: Record<GrantablePermission, string> = {
  "alerts:manage": "Manage Alerts & Notifications",
};

const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  org_admin: [
    "org:read",
    "members:manage",
    "apikeys:manage",
    "alerts:read",
    "alerts:manage",
    "billing:read",
    "deliveries:read",
    "thresholds:manage",
    "metrics:write",
    "incidents:read",
    "audit:read",
    "support:read",
    "tickets:raise",
    // The tenant's own on-call escalation policies, paged by its threshold rules.
    "oncall:manage",
  ],
  billing_admin: [
    "org:read",
    "alerts:read",
    "billing:read",
    "deliveries:read",
    "incidents:read",
    "support:read",
    "tickets:raise",
  ],
  tech_devops: [
    "org:read",
    "alerts:read",
    "deliveries:read",
    "thresholds:manage",
    "metrics:write",
    "incidents:read",
    "support:read",
    "tickets:raise",
  ],
  support_manager: [
    "org:read",
    "alerts:read",
    "deliveries:read",
    "incidents:read",
    "support:read",
    "tickets:raise",
  ],
  platform_admin: [
    "org:read",
    "members:manage",
    "apikeys:manage",
    "incidents:read",
    "incidents:write",
    "maintenance:write",
    "components:manage",
    "deliveries:read",
    "audit:read",
    // The status page's public subscribers: personal addresses, so not every on-call responder.
    "subscribers:manage",
    // The public page's name, logo, colours, links and banner.
    "status_page:manage",
    // Creating, renaming and suspending tenant organizations, and inviting their first admin.
    "organizations:manage",
    // The support desk: working tickets, and the matrix and business calendar they are held to.
    "support:read",
    "tickets:work",
    "support:manage",
    // Posting a tenant's metrics the platform knows (balance, credit), naming the tenant.
    "metrics:write",
    // The platform's on-call escalation policies.
    "oncall:manage",
    // Incident templates, which responders open incidents from.
    "incident_templates:manage",
  ],
  responder: [
    "org:read",
    "incidents:read",
    "incidents:write",
    "maintenance:write",
    "deliveries:read",
  ],
  // Platform support: works every tenant's tickets; sees a tenant's delivery log only through a
  // ticket, read-only and audited (lib/support/support-view.ts).
  support_agent: ["org:read", "incidents:read", "deliveries:read", "support:read", "tickets:work"],
};

export function rolesForKind(kind: OrgKind): readonly Role[] {
  return kind === "platform" ? PLATFORM_ROLES : TENANT_ROLES;
}

export function isRoleForKind(role: Role, kind: OrgKind): boolean {
  return rolesForKind(kind).includes(role);
}

export function permissionsFor(role: Role, granted: readonly string[] = []): Set<Permission> {
  const set = new Set<Permission>(ROLE_PERMISSIONS[role]);
  for (const g of granted) {
    if ((GRANTABLE_PERMISSIONS as readonly string[]).includes(g)) set.add(g as Permission);
  }
  return set;
}
