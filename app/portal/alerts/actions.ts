"use server";

import { revalidatePath } from "next/cache";
import { runFormAction, type FormFields } from "@/app/_server/form";
import { CHANNELS, ALERT_CATEGORIES } from "@/db/schema";
import { TENANT_ROLES } from "@/lib/auth/roles";
import {
  createEndpoint,
  deleteEndpoint,
  enableEndpoint,
  rotateEndpointSecret,
  updateEndpoint,
} from "@/lib/alerts/endpoints";
import { addRecipient, removeRecipient } from "@/lib/alerts/recipients";
import { clearRecipientMark, updateAlertSettings } from "@/lib/alerts/settings";
import { sendTestAlert } from "@/lib/alerts/test-alert";
import type { DeliverOutcome } from "@/lib/alerts/outcomes";

const done = () => revalidatePath("/portal/alerts");
// The settings forms show their message only; the whole settings view is not sent back.
const nothing = () => undefined;

export async function saveCategoriesAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({
      categories: Object.fromEntries(ALERT_CATEGORIES.map((c) => [c, f.checked(`category.${c}`)])),
    }),
    verb: updateAlertSettings,
    result: nothing,
    message: "Categories saved.",
  });
  done();
  return r;
}

export async function saveMatrixAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({
      matrix: ALERT_CATEGORIES.flatMap((category) =>
        TENANT_ROLES.flatMap((roleGroup) =>
          CHANNELS.map((channel) => ({
            category,
            roleGroup,
            channel,
            enabled: f.checked(`cell.${category}.${roleGroup}.${channel}`),
          })),
        ),
      ),
    }),
    verb: updateAlertSettings,
    result: nothing,
    message: "Channels saved.",
  });
  done();
  return r;
}

export async function addRecipientAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({
      channel: f.text("channel"),
      address: f.text("address") ?? "",
      roleGroup: f.text("roleGroup"),
    }),
    verb: addRecipient,
    result: nothing,
    message: "Recipient added.",
  });
  done();
  return r;
}

export async function removeRecipientAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({ id: f.text("id") }),
    verb: removeRecipient,
    result: nothing,
    message: "Recipient removed.",
  });
  done();
  return r;
}

export async function clearRecipientMarkAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({ id: f.text("id") }),
    verb: clearRecipientMark,
    result: nothing,
    message: "Mark cleared; alerts go to this address again.",
  });
  done();
  return r;
}

export async function saveNoiseAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({
      filters: {
        componentIds: f.list("componentIds"),
        regionIds: f.list("regionIds"),
        minImpact: f.text("minImpact"),
      },
      digestMode: f.text("digestMode"),
      quietHours: {
        enabled: f.checked("quietEnabled"),
        start: f.text("quietStart"),
        end: f.text("quietEnd"),
        timeZone: f.text("timeZone"),
        allowCritical: f.checked("allowCritical"),
      },
    }),
    verb: updateAlertSettings,
    result: nothing,
    message: "Filters and noise control saved.",
  });
  done();
  return r;
}

const endpointFilters = (f: FormFields) => ({
  componentIds: f.list("componentIds"),
  regionIds: f.list("regionIds"),
  minImpact: f.text("minImpact"),
});

export async function createEndpointAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({
      type: f.text("type"),
      name: f.text("name"),
      url: f.text("url"),
      roleGroup: f.nullable("roleGroup"),
      filters: endpointFilters(f),
    }),
    verb: createEndpoint,
    result: ({ endpoint, secret }) => ({ name: endpoint.name, secret }),
  });
  done();
  return r;
}

/** Edits an endpoint in place; an empty URL field keeps the stored URL. */
export async function updateEndpointAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({
      id: f.text("id"),
      name: f.text("name"),
      url: f.optional("url"),
      roleGroup: f.nullable("roleGroup"),
      filters: endpointFilters(f),
    }),
    verb: updateEndpoint,
    result: nothing,
    message: "Endpoint saved.",
  });
  done();
  return r;
}

export async function deleteEndpointAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({ id: f.text("id") }),
    verb: deleteEndpoint,
    message: "Endpoint deleted.",
  });
  done();
  return r;
}

export async function enableEndpointAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({ id: f.text("id") }),
    verb: enableEndpoint,
    result: nothing,
    message: "Endpoint enabled.",
  });
  done();
  return r;
}

export async function rotateSecretAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({ id: f.text("id") }),
    verb: rotateEndpointSecret,
  });
  done();
  return r;
}

/** Sends the test within the request so the screen can show the provider's answer in place. */
export async function sendTestAlertAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({
      channel: f.text("channel"),
      to: f.optional("to"),
      endpointId: f.optional("endpointId"),
    }),
    verb: ({ ctx, input }) => sendTestAlert({ ctx, input, deliverNow: true }),
    result: (res) => res.outcome as DeliverOutcome,
  });
  revalidatePath("/portal/deliveries");
  return r;
}
