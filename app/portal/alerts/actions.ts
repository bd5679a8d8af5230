"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/app/_server/ctx";
import { CHANNELS, INCIDENT_CATEGORIES } from "@/db/schema";
import { TENANT_ROLES } from "@/lib/auth/roles";
import {
  createEndpoint,
  deleteEndpoint,
  enableEndpoint,
  rotateEndpointSecret,
} from "@/lib/alerts/endpoints";
import { clearRecipientMark, getAlertSettings, updateAlertSettings } from "@/lib/alerts/settings";
import { sendTestAlert } from "@/lib/alerts/test-alert";
import type { DeliverOutcome } from "@/lib/alerts/outcomes";

const done = () => revalidatePath("/portal/alerts");

export async function saveCategoriesAction(_prev: unknown, form: FormData) {
  const r = await runAction(
    (ctx) =>
      updateAlertSettings({
        ctx,
        input: {
          categories: Object.fromEntries(
            INCIDENT_CATEGORIES.map((c) => [c, form.get(`category.${c}`) === "on"]),
          ),
        },
      }).then(() => undefined),
    "Categories saved.",
    form,
  );
  done();
  return r;
}

export async function saveMatrixAction(_prev: unknown, form: FormData) {
  const matrix = INCIDENT_CATEGORIES.flatMap((category) =>
    TENANT_ROLES.flatMap((roleGroup) =>
      CHANNELS.map((channel) => ({
        category,
        roleGroup,
        channel,
        enabled: form.get(`cell.${category}.${roleGroup}.${channel}`) === "on",
      })),
    ),
  );
  const r = await runAction(
    (ctx) => updateAlertSettings({ ctx, input: { matrix } }).then(() => undefined),
    "Channels saved.",
    form,
  );
  done();
  return r;
}

export async function addRecipientAction(_prev: unknown, form: FormData) {
  const r = await runAction(
    async (ctx) => {
      const current = await getAlertSettings({ ctx });
      await updateAlertSettings({
        ctx,
        input: {
          recipients: [
            ...current.recipients.map(({ channel, address, roleGroup }) => ({
              channel,
              address,
              roleGroup,
            })),
            {
              channel: form.get("channel"),
              address: String(form.get("address") ?? ""),
              roleGroup: form.get("roleGroup"),
            },
          ],
        },
      }).catch((e) => {
        // Name the field the admin typed into, not its position in the stored list.
        if (e?.issues)
          e.issues = e.issues.map((i: { field: string; message: string }) => ({
            ...i,
            field: i.field.replace(/^recipients\.\d+\./, ""),
          }));
        throw e;
      });
    },
    "Recipient added.",
    form,
  );
  done();
  return r;
}

export async function removeRecipientAction(_prev: unknown, form: FormData) {
  const r = await runAction(
    async (ctx) => {
      const current = await getAlertSettings({ ctx });
      const id = form.get("id");
      await updateAlertSettings({
        ctx,
        input: {
          recipients: current.recipients
            .filter((x) => x.id !== id)
            .map(({ channel, address, roleGroup }) => ({ channel, address, roleGroup })),
        },
      });
    },
    "Recipient removed.",
    form,
  );
  done();
  return r;
}

export async function clearRecipientMarkAction(_prev: unknown, form: FormData) {
  const r = await runAction(
    (ctx) => clearRecipientMark({ ctx, input: { id: form.get("id") } }).then(() => undefined),
    "Mark cleared; alerts go to this address again.",
    form,
  );
  done();
  return r;
}

function ids(form: FormData, name: string): string[] {
  return form.getAll(name).map(String);
}

export async function saveNoiseAction(_prev: unknown, form: FormData) {
  const r = await runAction(
    (ctx) =>
      updateAlertSettings({
        ctx,
        input: {
          filters: {
            componentIds: ids(form, "componentIds"),
            regionIds: ids(form, "regionIds"),
            minImpact: form.get("minImpact"),
          },
          digestMode: form.get("digestMode"),
          quietHours: {
            enabled: form.get("quietEnabled") === "on",
            start: form.get("quietStart"),
            end: form.get("quietEnd"),
            timeZone: form.get("timeZone"),
            allowCritical: form.get("allowCritical") === "on",
          },
        },
      }).then(() => undefined),
    "Filters and noise control saved.",
    form,
  );
  done();
  return r;
}

export async function createEndpointAction(_prev: unknown, form: FormData) {
  const r = await runAction(
    async (ctx) => {
      const { endpoint, secret } = await createEndpoint({
        ctx,
        input: {
          type: form.get("type"),
          name: form.get("name"),
          url: form.get("url"),
          roleGroup: form.get("roleGroup") ? form.get("roleGroup") : null,
        },
      });
      return { name: endpoint.name, secret };
    },
    undefined,
    form,
  );
  done();
  return r;
}

export async function deleteEndpointAction(_prev: unknown, form: FormData) {
  const r = await runAction(
    (ctx) => deleteEndpoint({ ctx, input: { id: form.get("id") } }),
    "Endpoint deleted.",
    form,
  );
  done();
  return r;
}

export async function enableEndpointAction(_prev: unknown, form: FormData) {
  const r = await runAction(
    (ctx) => enableEndpoint({ ctx, input: { id: form.get("id") } }).then(() => undefined),
    "Endpoint enabled.",
    form,
  );
  done();
  return r;
}

export async function rotateSecretAction(_prev: unknown, form: FormData) {
  const r = await runAction(
    (ctx) => rotateEndpointSecret({ ctx, input: { id: form.get("id") } }),
    undefined,
    form,
  );
  done();
  return r;
}

/** Sends the test within the request so the screen can show the provider's answer in place. */
export async function sendTestAlertAction(_prev: unknown, form: FormData) {
  const input: Record<string, unknown> = { channel: form.get("channel") };
  if (form.get("to")) input.to = String(form.get("to"));
  if (form.get("endpointId")) input.endpointId = String(form.get("endpointId"));
  const r = await runAction(
    async (ctx) => {
      const res = await sendTestAlert({ ctx, input, deliverNow: true });
      return res.outcome as DeliverOutcome;
    },
    undefined,
    form,
  );
  revalidatePath("/portal/deliveries");
  return r;
}
