"use server";

import { headers } from "next/headers";
import { getDb } from "@/server/database";
import { clientAddressOf } from "@/app/_server/client-address";
import { runPublicFormAction } from "@/app/_server/form";
import { channelSettingsFromEnv } from "@/lib/channels/settings";
import { env } from "@/lib/env";
import { NotFoundError, type ActionResult } from "@/lib/errors";
import { rotateOwnSecret } from "@/lib/subscribers/rotate-secret";
import { confirmSubscription, subscribe } from "@/lib/subscribers/subscribe";
import { verifyOwnWebhook } from "@/lib/subscribers/verify";
import { updateSubscriptionPreferences } from "@/lib/subscribers/preferences";
import type { SubscribeState, VerifyState } from "@/components/status/subscribe-form";

async function clientAddress(): Promise<string> {
  return clientAddressOf(await headers());
}

export async function subscribeAction(
  _prev: SubscribeState,
  form: FormData,
): Promise<SubscribeState> {
  return runPublicFormAction(form, {
    input: (f) => {
      const kind = f.text("kind");
      return {
        kind,
        ...(kind === "webhook" ? { url: f.text("url") ?? "" } : { email: f.text("email") ?? "" }),
        componentIds: f.list("componentIds"),
        regionIds: f.list("regionIds"),
      };
    },
    run: async (input): Promise<SubscribeState> => {
      const res = await subscribe(
        await getDb(),
        { input, clientAddress: await clientAddress() },
        { settings: channelSettingsFromEnv(), emailConfigured: env.emailConfigured },
      );
      return res.kind === "email"
        ? { ok: true, kind: "email", email: res.email }
        : {
            ok: true,
            kind: "webhook",
            secret: res.secret,
            manageToken: res.manageToken,
            host: res.urlHost,
            unsubscribeUrl: res.unsubscribeUrl,
            verified: res.verified,
            ...(res.verifyError ? { verifyError: res.verifyError } : {}),
          };
    },
  });
}

export type ConfirmState =
  { ok?: undefined } | { ok: true; email: string } | { ok: false; error: string };

export async function confirmAction(_prev: ConfirmState, form: FormData): Promise<ConfirmState> {
  const r = await runPublicFormAction(form, {
    input: (f) => f.text("token") ?? "",
    run: async (token): Promise<ConfirmState> => {
      try {
        const { email } = await confirmSubscription(await getDb(), token);
        return { ok: true, email };
      } catch (e) {
        // The token matched no pending subscription: used, expired or never issued.
        if (e instanceof NotFoundError) {
          return {
            ok: false,
            error:
              "This confirmation link is not valid: it was already used, or it expired after 7 days. Subscribe again if you still want updates.",
          };
        }
        throw e;
      }
    },
  });
  return r.ok === false ? { ok: false, error: r.error } : r;
}

export type RotateState =
  | { ok?: undefined }
  | { ok: true; secret: string; previousValidUntil: string }
  | { ok: false; error: string; fields?: Record<string, string> };

/** The manage page's form: the token comes in the POST body, never in the URL. */
export async function rotateOwnSecretAction(
  _prev: RotateState,
  form: FormData,
): Promise<RotateState> {
  return runPublicFormAction(form, {
    input: (f) => ({ token: f.text("token") ?? "" }),
    run: async (input): Promise<RotateState> => ({
      ok: true,
      ...(await rotateOwnSecret(await getDb(), { input, clientAddress: await clientAddress() })),
    }),
  });
}

/**
 * A webhook subscriber asks for the verification challenge again (the button shown after
 * subscribing, or the manage page): the management token comes in the POST body.
 */
export async function verifyOwnWebhookAction(
  _prev: VerifyState,
  form: FormData,
): Promise<VerifyState> {
  return runPublicFormAction(form, {
    input: (f) => ({ token: f.text("token") ?? "" }),
    run: async (input): Promise<VerifyState> => {
      const out = await verifyOwnWebhook(
        await getDb(),
        { input, clientAddress: await clientAddress() },
        { settings: channelSettingsFromEnv() },
      );
      return { ok: true, host: out.host, alreadyVerified: out.alreadyVerified };
    },
  });
}

/** A subscriber saves its choices on the page its emails link to; the token names it. */
export async function savePreferencesAction(_prev: unknown, form: FormData): Promise<ActionResult> {
  return runPublicFormAction(form, {
    input: (f) => ({
      token: f.text("token") ?? "",
      componentIds: f.list("componentIds"),
      regionIds: f.list("regionIds"),
      maintenanceOnly: f.text("scope") === "maintenance",
      postmortemNotices: f.checked("postmortemNotices"),
    }),
    run: async (input): Promise<ActionResult> => {
      try {
        const saved = await updateSubscriptionPreferences({ db: await getDb(), input });
        return {
          ok: true,
          data: undefined,
          message: saved.maintenanceOnly
            ? "Saved: you will hear about maintenance only."
            : "Saved: your choices apply from the next update.",
        };
      } catch (e) {
        if (e instanceof NotFoundError)
          return {
            ok: false,
            error:
              "This subscription no longer exists (it was removed, or never confirmed in time). Subscribe again on the status page.",
          };
        throw e;
      }
    },
  });
}
