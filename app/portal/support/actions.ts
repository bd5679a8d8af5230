"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { runFormAction, type FormFields } from "@/app/_server/form";
import type { ActionResult } from "@/lib/errors";
import { updateSupportSettings, updateSupportTier } from "@/lib/support/desk";
import {
  closeTicket,
  escalateToTier2,
  escalateToTier3,
  markUnsatisfactory,
  raiseTicket,
  replyToTicket,
  updateTicket,
} from "@/lib/support/tickets";
import { TICKET_SEVERITIES } from "@/db/schema";

// Every verb checks its permission from the session: tickets:raise (tenants), tickets:work
// (platform support) or support:manage (platform admins).

const refresh = () => revalidatePath("/portal/support", "layout");

export async function raiseTicketAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<unknown>> {
  const result = await runFormAction(form, {
    input: (f) => ({
      subject: f.text("subject"),
      description: f.text("description"),
      severity: f.text("severity"),
      incidentId: f.optional("incidentId"),
      deliveryId: f.optional("deliveryId"),
      channels: f.list("channels"),
      observedAt: observedAt(f),
      observedTimeZone: f.optional("observedTimeZone"),
    }),
    verb: raiseTicket,
  });
  if (!result.ok) return result;
  refresh();
  redirect(`/portal/support/tickets/${result.data.id}`);
}

/** A datetime-local value is wall time in the zone the form sends beside it; the verb takes an instant. */
function observedAt(f: FormFields): string | undefined {
  const local = f.optional("observedAt");
  const offset = f.optional("observedOffsetMinutes");
  if (!local) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local) || offset === undefined) return local;
  const minutes = Number(offset);
  if (!Number.isFinite(minutes)) return local;
  // getTimezoneOffset(): UTC − local, in minutes.
  return new Date(Date.parse(`${local}:00Z`) + minutes * 60_000).toISOString();
}

export async function replyToTicketAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({ id: f.text("id"), body: f.text("body"), internal: f.checked("internal") }),
    verb: replyToTicket,
    result: () => null,
    message: "Sent.",
  });
  refresh();
  return r;
}

export async function updateTicketAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => {
      const assignee = f.text("assigneeId");
      return {
        id: f.text("id"),
        status: f.optional("status"),
        assigneeId: assignee === undefined ? undefined : assignee || null,
      };
    },
    verb: updateTicket,
    result: () => null,
    message: "Saved.",
  });
  refresh();
  return r;
}

export async function markUnsatisfactoryAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({ id: f.text("id"), reason: f.text("reason") }),
    verb: markUnsatisfactory,
    result: () => null,
    message: "Noted: you can now escalate this ticket.",
  });
  refresh();
  return r;
}

export async function escalateToTier2Action(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<unknown>> {
  const result = await runFormAction(form, {
    input: (f) => ({ id: f.text("id"), reason: f.text("reason") }),
    verb: escalateToTier2,
  });
  if (!result.ok) return result;
  refresh();
  redirect(`/portal/support/tickets/${result.data.id}`);
}

export async function escalateToTier3Action(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<unknown>> {
  const result = await runFormAction(form, {
    input: (f) => ({ tier2TicketId: f.text("tier2TicketId"), reason: f.text("reason") }),
    verb: escalateToTier3,
  });
  if (!result.ok) return result;
  refresh();
  redirect(`/portal/support/tickets/${result.data.id}`);
}

export async function closeTicketAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({ id: f.text("id") }),
    verb: closeTicket,
    result: () => null,
    message: "Closed.",
  });
  refresh();
  return r;
}

export async function updateSupportTierAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({
      tier: f.text("tier"),
      name: f.text("name"),
      description: f.text("description"),
      phone: f.text("phone"),
      email: f.text("email"),
    }),
    verb: updateSupportTier,
    result: () => null,
    message: "Tier saved.",
  });
  refresh();
  return r;
}

export async function updateSupportSettingsAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({
      timeZone: f.text("timeZone"),
      days: f.list("days"),
      opens: f.text("opens"),
      closes: f.text("closes"),
      holidays: (f.text("holidays") ?? "")
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean),
      targets: Object.fromEntries(
        TICKET_SEVERITIES.map((s) => [
          s,
          {
            acknowledgeHours: f.text(`targets.${s}.acknowledgeHours`),
            resolveHours: f.text(`targets.${s}.resolveHours`),
          },
        ]),
      ),
    }),
    verb: updateSupportSettings,
    result: () => null,
    message: "Business hours and targets saved. New tickets use them.",
  });
  refresh();
  return r;
}
