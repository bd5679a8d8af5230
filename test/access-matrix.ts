/**
 * Who may call what: the expected answer for every route handler and server action, per role.
 * Written out by hand from the permission each one needs (lib/auth/roles.ts), NOT computed from
 * the code under test, so a verb that checks the wrong permission (or none) fails
 * app/access-matrix.test.ts. That test enumerates the real routes and actions from the file
 * system: a new route or action without an entry here fails it too.
 *
 * Roles: the tenant roles (an Acme member or key) and the platform roles (a Beacon staff member
 * or key); "anonymous" (no key, no session) is denied everything that is not public.
 */
import type { Role } from "@/lib/auth/roles";

export type Entry =
  /** An /api/v1 route: the API key's role decides. */
  | { auth: "apiKey"; allow: readonly Role[] }
  /** A portal route or server action: the signed-in member's role in the session organization. */
  | { auth: "session"; allow: readonly Role[] }
  /** Not role-checked by design; `why` says what guards it instead. */
  | { auth: "public"; why: string };

const ALL: readonly Role[] = [
  "org_admin",
  "billing_admin",
  "tech_devops",
  "support_manager",
  "platform_admin",
  "responder",
  "support_agent",
];
const TENANT: readonly Role[] = ["org_admin", "billing_admin", "tech_devops", "support_manager"];

// What each permission means in roles, spelled out (kept in step with lib/auth/roles.ts by hand).
const incidentsRead = ALL;
const deliveriesRead = ALL;
const orgRead = ALL;
const incidentsWrite: readonly Role[] = ["platform_admin", "responder"];
const maintenanceWrite: readonly Role[] = ["platform_admin", "responder"];
const alertsRead = TENANT;
const alertsManage: readonly Role[] = ["org_admin"];
const metricsWrite: readonly Role[] = ["org_admin", "tech_devops"];
const thresholdsManage: readonly Role[] = ["org_admin", "tech_devops"];
const membersManage: readonly Role[] = ["org_admin", "platform_admin"];
const apikeysManage: readonly Role[] = ["org_admin", "platform_admin"];
const subscribersManage: readonly Role[] = ["platform_admin"];
const statusPageManage: readonly Role[] = ["platform_admin"];
const auditRead: readonly Role[] = ["org_admin", "platform_admin"];
const organizationsManage: readonly Role[] = ["platform_admin"];
const componentsManage: readonly Role[] = ["platform_admin"];
const ticketsRaise = TENANT;
const ticketsWork: readonly Role[] = ["platform_admin", "support_agent"];
// A tenant reads its own tickets (support:read); platform support reads the queue (tickets:work).
const ticketsRead: readonly Role[] = [...TENANT, ...ticketsWork];
const supportManage: readonly Role[] = ["platform_admin"];
const oncallManage: readonly Role[] = ["org_admin", "platform_admin"];
const incidentTemplatesManage: readonly Role[] = ["platform_admin"];

const key = (allow: readonly Role[]): Entry => ({ auth: "apiKey", allow });
const session = (allow: readonly Role[]): Entry => ({ auth: "session", allow });
const open = (why: string): Entry => ({ auth: "public", why });

/** "METHOD /path" (the path as the file system spells it, route groups left out). */
export const ROUTES: Record<string, Entry> = {
  "GET /api/v1/alert-settings": key(alertsRead),
  "PUT /api/v1/alert-settings": key(alertsManage),
  "GET /api/v1/audit": key(auditRead),
  "GET /api/v1/component-groups": key(componentsManage),
  "POST /api/v1/component-groups": key(componentsManage),
  "PATCH /api/v1/component-groups/[id]": key(componentsManage),
  "DELETE /api/v1/component-groups/[id]": key(componentsManage),
  "GET /api/v1/components": key(componentsManage),
  "POST /api/v1/components": key(componentsManage),
  "PATCH /api/v1/components/[id]": key(componentsManage),
  "DELETE /api/v1/components/[id]": key(componentsManage),
  "GET /api/v1/regions": key(componentsManage),
  "POST /api/v1/regions": key(componentsManage),
  "PATCH /api/v1/regions/[id]": key(componentsManage),
  "DELETE /api/v1/regions/[id]": key(componentsManage),
  "GET /api/v1/deliveries/[id]": key(deliveriesRead),
  "GET /api/v1/tickets": key(ticketsRead),
  "POST /api/v1/tickets": key(ticketsRaise),
  "GET /api/v1/tickets/[id]": key(ticketsRead),
  "PATCH /api/v1/tickets/[id]": key(ticketsWork),
  "POST /api/v1/tickets/[id]/replies": key(ticketsRead),
  "GET /api/v1/endpoints": key(alertsRead),
  "POST /api/v1/endpoints": key(alertsManage),
  "PATCH /api/v1/endpoints/[id]": key(alertsManage),
  "DELETE /api/v1/endpoints/[id]": key(alertsManage),
  "GET /api/v1/incidents": key(incidentsRead),
  "POST /api/v1/incidents": key(incidentsWrite),
  "GET /api/v1/incidents/[id]": key(incidentsRead),
  "PATCH /api/v1/incidents/[id]": key(incidentsWrite),
  "POST /api/v1/incidents/[id]/updates": key(incidentsWrite),
  "POST /api/v1/incidents/[id]/acknowledge": key(incidentsWrite),
  "PATCH /api/v1/incidents/[id]/updates/[updateId]": key(incidentsWrite),
  "GET /api/v1/incident-templates": key(incidentsWrite),
  "GET /api/v1/maintenances": key(incidentsRead),
  "POST /api/v1/maintenances": key(maintenanceWrite),
  "GET /api/v1/maintenances/[id]": key(incidentsRead),
  "PATCH /api/v1/maintenances/[id]": key(maintenanceWrite),
  "POST /api/v1/maintenances/[id]/cancel": key(maintenanceWrite),
  "POST /api/v1/maintenances/[id]/updates": key(maintenanceWrite),
  "GET /api/v1/me": key(ALL),
  // Platform keys post for a tenant they name (its balance and credit); tenant keys their own.
  "POST /api/v1/metrics": key([...metricsWrite, "platform_admin"]),
  "GET /api/v1/threshold-rules": key(thresholdsManage),
  "POST /api/v1/threshold-rules": key(thresholdsManage),
  "GET /api/v1/threshold-rules/[id]": key(thresholdsManage),
  "PUT /api/v1/threshold-rules/[id]": key(thresholdsManage),
  "DELETE /api/v1/threshold-rules/[id]": key(thresholdsManage),
  "GET /api/v1/subscribers": key(subscribersManage),
  "GET /api/v1/openapi.json": key(ALL),
  "GET /api/v1/status-page": key(statusPageManage),
  "PUT /api/v1/status-page": key(statusPageManage),
  "PUT /api/v1/status-page/logo": key(statusPageManage),
  "DELETE /api/v1/status-page/logo": key(statusPageManage),
  "GET /api/v1/organizations": key(organizationsManage),
  "POST /api/v1/organizations": key(organizationsManage),
  "GET /api/v1/organizations/[id]": key(organizationsManage),
  "PATCH /api/v1/organizations/[id]": key(organizationsManage),
  "POST /api/v1/organizations/[id]/invitations": key(organizationsManage),
  "POST /api/v1/test-alerts": key(alertsManage),

  "GET /api/portal/deliveries": session(deliveriesRead),
  "GET /api/portal/fanout": session(incidentsRead),
  // Platform staff only: the verb also refuses tenants, whose deliveries:read is their own log's.
  // Platform staff (deliveries:read in the platform organization), support agents included.
  "GET /api/portal/incident-deliveries": session(["platform_admin", "responder", "support_agent"]),
  "GET /api/portal/inbox": session(ALL),
  "POST /api/portal/templates/preview": session(alertsManage),
  "POST /api/portal/status-page/logo": session(statusPageManage),

  "GET /api/auth/[...nextauth]": open("Auth.js's own sign-in endpoints"),
  "POST /api/auth/[...nextauth]": open("Auth.js's own sign-in endpoints"),
  "GET /api/health": open("liveness probe"),
  "GET /api/inngest": open(
    "job runner endpoint, requests signed with the Inngest signing key; 404 when the embedded driver is in use",
  ),
  "POST /api/inngest": open(
    "job runner endpoint, requests signed with the Inngest signing key; 404 when the embedded driver is in use",
  ),
  "PUT /api/inngest": open(
    "job runner endpoint, requests signed with the Inngest signing key; 404 when the embedded driver is in use",
  ),
  "POST /api/providers/resend": open("provider webhook, signature-checked"),
  "POST /api/providers/twilio/status": open("provider webhook, signature-checked"),
  "GET /api/alerts/unsubscribe": open("one-click unsubscribe, guarded by its signed token"),
  "POST /api/alerts/unsubscribe": open("one-click unsubscribe, guarded by its signed token"),
  "GET /api/subscribers/unsubscribe": open("one-click unsubscribe, guarded by its signed token"),
  "POST /api/subscribers/unsubscribe": open("one-click unsubscribe, guarded by its signed token"),
  "GET /api/oncall/ack": open("asks only; the on-call page's signed, single-use, expiring token"),
  "POST /api/oncall/ack": open(
    "one-click acknowledge, guarded by its signed, single-use, expiring token",
  ),
  "POST /api/subscribers/rotate-secret": open("webhook subscriber's own manage token"),
  "POST /api/subscribers/verify": open("webhook subscriber's own manage token"),
  "GET /api/v2/[...path]": open("public status API"),
  "HEAD /api/v2/[...path]": open("public status API"),
  "OPTIONS /api/v2/[...path]": open("public status API (CORS preflight)"),
  "GET /badge.svg": open("public status badge"),
  "HEAD /badge.svg": open("public status badge"),
  "OPTIONS /badge.svg": open("public status badge (CORS preflight)"),
  "GET /history.atom": open("public incident history feed"),
  "HEAD /history.atom": open("public incident history feed"),
  "OPTIONS /history.atom": open("public incident history feed (CORS preflight)"),
  "GET /history.rss": open("public incident history feed"),
  "HEAD /history.rss": open("public incident history feed"),
  "OPTIONS /history.rss": open("public incident history feed (CORS preflight)"),
  "GET /status-page-logo/[hash]": open("the public status page's logo"),
  "HEAD /status-page-logo/[hash]": open("the public status page's logo"),
};

/** "app/…/actions.ts#exportName" */
export const ACTIONS: Record<string, Entry> = {
  "app/portal/alerts/actions.ts#saveCategoriesAction": session(alertsManage),
  "app/portal/alerts/actions.ts#saveMatrixAction": session(alertsManage),
  "app/portal/alerts/actions.ts#addRecipientAction": session(alertsManage),
  "app/portal/alerts/actions.ts#removeRecipientAction": session(alertsManage),
  "app/portal/alerts/actions.ts#clearRecipientMarkAction": session(alertsManage),
  "app/portal/alerts/actions.ts#saveNoiseAction": session(alertsManage),
  "app/portal/alerts/actions.ts#createEndpointAction": session(alertsManage),
  "app/portal/alerts/actions.ts#updateEndpointAction": session(alertsManage),
  "app/portal/alerts/actions.ts#deleteEndpointAction": session(alertsManage),
  "app/portal/alerts/actions.ts#enableEndpointAction": session(alertsManage),
  "app/portal/alerts/actions.ts#rotateSecretAction": session(alertsManage),
  "app/portal/alerts/actions.ts#sendTestAlertAction": session(alertsManage),
  "app/portal/templates/actions.ts#createTemplateAction": session(alertsManage),
  "app/portal/templates/actions.ts#updateTemplateAction": session(alertsManage),
  "app/portal/templates/actions.ts#deleteTemplateAction": session(alertsManage),
  "app/portal/api-keys/actions.ts#createApiKeyAction": session(apikeysManage),
  "app/portal/api-keys/actions.ts#revokeApiKeyAction": session(apikeysManage),
  "app/portal/deliveries/actions.ts#resendDeliveryAction": session(alertsManage),
  "app/portal/catalog/actions.ts#createGroupAction": session(componentsManage),
  "app/portal/catalog/actions.ts#updateGroupAction": session(componentsManage),
  "app/portal/catalog/actions.ts#deleteGroupAction": session(componentsManage),
  "app/portal/catalog/actions.ts#moveGroupAction": session(componentsManage),
  "app/portal/catalog/actions.ts#createComponentAction": session(componentsManage),
  "app/portal/catalog/actions.ts#updateComponentAction": session(componentsManage),
  "app/portal/catalog/actions.ts#moveComponentAction": session(componentsManage),
  "app/portal/catalog/actions.ts#removeComponentAction": session(componentsManage),
  "app/portal/catalog/actions.ts#createRegionAction": session(componentsManage),
  "app/portal/catalog/actions.ts#updateRegionAction": session(componentsManage),
  "app/portal/catalog/actions.ts#moveRegionAction": session(componentsManage),
  "app/portal/catalog/actions.ts#removeRegionAction": session(componentsManage),
  "app/portal/catalog/actions.ts#saveCellsAction": session(componentsManage),
  "app/portal/inbox/actions.ts#markReadAction": session(ALL),
  "app/portal/incidents/actions.ts#openIncidentAction": session(incidentsWrite),
  "app/portal/incidents/actions.ts#postUpdateAction": session(incidentsWrite),
  "app/portal/incidents/actions.ts#reopenIncidentAction": session(incidentsWrite),
  "app/portal/incidents/actions.ts#postmortemAction": session(incidentsWrite),
  "app/portal/incidents/actions.ts#editUpdateAction": session(incidentsWrite),
  "app/portal/incidents/actions.ts#backfillIncidentAction": session(incidentsWrite),
  "app/portal/incident-templates/actions.ts#createIncidentTemplateAction":
    session(incidentTemplatesManage),
  "app/portal/incident-templates/actions.ts#updateIncidentTemplateAction":
    session(incidentTemplatesManage),
  "app/portal/incident-templates/actions.ts#deleteIncidentTemplateAction":
    session(incidentTemplatesManage),
  "app/portal/incidents/actions.ts#scheduleMaintenanceAction": session(maintenanceWrite),
  "app/portal/incidents/actions.ts#advanceMaintenanceAction": session(maintenanceWrite),
  "app/portal/incidents/actions.ts#editMaintenanceAction": session(maintenanceWrite),
  "app/portal/incidents/actions.ts#cancelMaintenanceAction": session(maintenanceWrite),
  "app/portal/members/actions.ts#inviteAction": session(membersManage),
  "app/portal/members/actions.ts#changeRoleAction": session(membersManage),
  "app/portal/members/actions.ts#setGrantsAction": session(membersManage),
  "app/portal/members/actions.ts#removeMemberAction": session(membersManage),
  "app/portal/members/actions.ts#revokeInvitationAction": session(membersManage),
  "app/portal/profile/actions.ts#saveMyNotificationsAction": session(orgRead),
  "app/portal/profile/actions.ts#changePasswordAction": session(orgRead),
  "app/portal/profile/actions.ts#changeNameAction": session(orgRead),
  "app/portal/organizations/actions.ts#createOrganizationAction": session(organizationsManage),
  "app/portal/organizations/actions.ts#renameOrganizationAction": session(organizationsManage),
  "app/portal/organizations/actions.ts#suspendOrganizationAction": session(organizationsManage),
  "app/portal/organizations/actions.ts#restoreOrganizationAction": session(organizationsManage),
  "app/portal/organizations/actions.ts#inviteOrgAdminAction": session(organizationsManage),
  "app/portal/subscribers/actions.ts#removeSubscriberAction": session(subscribersManage),
  "app/portal/status-page/actions.ts#saveStatusPageAction": session(statusPageManage),
  "app/portal/status-page/actions.ts#removeLogoAction": session(statusPageManage),
  "app/portal/subscribers/actions.ts#rotateSubscriberSecretAction": session(subscribersManage),
  "app/portal/support/actions.ts#raiseTicketAction": session(ticketsRaise),
  "app/portal/support/actions.ts#replyToTicketAction": session(ticketsRead),
  "app/portal/support/actions.ts#updateTicketAction": session(ticketsWork),
  "app/portal/support/actions.ts#markUnsatisfactoryAction": session(ticketsRaise),
  "app/portal/support/actions.ts#escalateToTier2Action": session(ticketsRaise),
  "app/portal/support/actions.ts#escalateToTier3Action": session(ticketsRaise),
  "app/portal/support/actions.ts#closeTicketAction": session(ticketsRaise),
  "app/portal/support/actions.ts#updateSupportTierAction": session(supportManage),
  "app/portal/support/actions.ts#updateSupportSettingsAction": session(supportManage),
  "app/portal/thresholds/actions.ts#createRuleAction": session(thresholdsManage),
  "app/portal/thresholds/actions.ts#toggleRuleAction": session(thresholdsManage),
  "app/portal/thresholds/actions.ts#deleteRuleAction": session(thresholdsManage),
  "app/portal/thresholds/actions.ts#updateRuleAction": session(thresholdsManage),
  "app/portal/thresholds/actions.ts#previewRuleAction": session(thresholdsManage),
  "app/portal/oncall/actions.ts#createPolicyAction": session(oncallManage),
  "app/portal/oncall/actions.ts#updatePolicyAction": session(oncallManage),
  "app/portal/oncall/actions.ts#deletePolicyAction": session(oncallManage),
  "app/portal/oncall/actions.ts#acknowledgeIncidentAction": session(incidentsWrite),
  "app/portal/actions.ts#switchOrganization": session(ALL),

  "app/portal/actions.ts#signOutAction": open("ends whatever session there is"),
  "app/signin/actions.ts#signInWithPassword": open("signing in"),
  "app/signin/actions.ts#signInWithEmailLink": open("signing in"),
  "app/signin/forgot/actions.ts#requestPasswordResetAction": open(
    "emails a reset link to an existing account only, the same answer for every address; limited per address and per client address",
  ),
  "app/signin/reset/[token]/actions.ts#resetPasswordAction": open(
    "guarded by the one-time token emailed to the account's address",
  ),
  "app/invite/[token]/actions.ts#acceptInvitationAction": open(
    "guarded by the invitation token and a session for the invited address",
  ),
  "app/invite/[token]/actions.ts#requestInvitationEmailAction": open(
    "emails the invited address only; limited per invitation and per client address",
  ),
  "app/invite/verify/[code]/actions.ts#createInvitedAccountAction": open(
    "guarded by the one-time code emailed to the invited address",
  ),
  "app/setup/actions.ts#completeSetupAction": open(
    "first run only: guarded by the printed setup token, refused once a platform admin exists",
  ),
  "app/(public)/subscribe/actions.ts#subscribeAction": open("public status page subscription"),
  "app/(public)/subscribe/actions.ts#confirmAction": open("guarded by the confirmation token"),
  "app/(public)/subscribe/actions.ts#rotateOwnSecretAction": open("guarded by the manage token"),
  "app/(public)/subscribe/actions.ts#verifyOwnWebhookAction": open("guarded by the manage token"),
  "app/(public)/subscribe/actions.ts#savePreferencesAction": open(
    "guarded by the signed token in the subscriber's own emails; it changes only that subscription",
  ),
};
