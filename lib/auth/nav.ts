import type { Permission } from "./roles";

/** The portal's sections and the permission each needs; the layout shows only what a role may open. */
export const PORTAL_NAV: { href: string; label: string; permission: Permission }[] = [
  { href: "/portal/incidents", label: "Incidents", permission: "incidents:read" },
  { href: "/portal/alerts", label: "Alerts & Notifications", permission: "alerts:read" },
  { href: "/portal/thresholds", label: "Threshold rules", permission: "thresholds:manage" },
  { href: "/portal/oncall", label: "On-call", permission: "oncall:manage" },
  { href: "/portal/deliveries", label: "Delivery log", permission: "deliveries:read" },
  { href: "/portal/subscribers", label: "Subscribers", permission: "subscribers:manage" },
  { href: "/portal/status-page", label: "Status page", permission: "status_page:manage" },
  { href: "/portal/organizations", label: "Organizations", permission: "organizations:manage" },
  { href: "/portal/catalog", label: "Catalog", permission: "components:manage" },
  {
    href: "/portal/incident-templates",
    label: "Incident templates",
    permission: "incident_templates:manage",
  },
  { href: "/portal/inbox", label: "Inbox", permission: "org:read" },
  { href: "/portal/members", label: "Members", permission: "org:read" },
  { href: "/portal/api-keys", label: "API keys", permission: "apikeys:manage" },
  { href: "/portal/audit", label: "Audit log", permission: "audit:read" },
  { href: "/portal/support", label: "Support", permission: "support:read" },
];

export function navFor(permissions: ReadonlySet<Permission>) {
  return PORTAL_NAV.filter((item) => permissions.has(item.permission));
}
