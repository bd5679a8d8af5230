"use server";

import { headers } from "next/headers";
import { getDb } from "@/server/database";
import { clientAddressOf } from "@/app/_server/client-address";
import { channelSettingsFromEnv } from "@/lib/channels/settings";
import { env } from "@/lib/env";
import { toActionResult } from "@/lib/errors";
import { rotateOwnSecret } from "@/lib/subscribers/rotate-secret";
import { confirmSubscription, subscribe } from "@/lib/subscribers/subscribe";

export type SubscribeState =
  | { ok?: undefined }
  | { ok: true; kind: "email"; email: string }
  | {
      ok: true;
      kind: "webhook";
      secret: string;
      manageToken: string;
      host: string;
      unsubscribeUrl: string;
    }
  | { ok: false; error: string; fields?: Record<string, string> };

async function clientAddress(): Promise<string> {
  return clientAddressOf(await headers());
}

export async function subscribeAction(
  _prev: SubscribeState,
  form: FormData,
): Promise<SubscribeState> {
  const kind = form.get("kind")?.toString();
  const input = {
    kind,
    ...(kind === "webhook"
      ? { url: form.get("url")?.toString() ?? "" }
      : { email: form.get("email")?.toString() ?? "" }),
    componentIds: form.getAll("componentIds").map(String),
    regionIds: form.getAll("regionIds").map(String),
  };
  try {
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
        };
  } catch (e) {
    return toActionResult(e);
  }
}

export type ConfirmState =
  { ok?: undefined } | { ok: true; email: string } | { ok: false; error: string };

export async function confirmAction(_prev: ConfirmState, form: FormData): Promise<ConfirmState> {
  try {
    const { email } = await confirmSubscription(await getDb(), form.get("token")?.toString() ?? "");
    return { ok: true, email };
  } catch (e) {
    const r = toActionResult(e);
    return {
      ok: false,
      error:
        r.error === "Subscription not found"
          ? "This confirmation link is not valid: it was already used, or it expired after 7 days. Subscribe again if you still want updates."
          : r.error,
    };
  }
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
  try {
    const out = await rotateOwnSecret(await getDb(), {
      input: { token: form.get("token")?.toString() ?? "" },
      clientAddress: await clientAddress(),
    });
    return { ok: true, ...out };
  } catch (e) {
    return toActionResult(e);
  }
}
