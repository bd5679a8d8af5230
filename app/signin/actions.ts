"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { signIn } from "@/app/_server/auth";
import { SignInRateLimited, SignInSuspended } from "@/app/_server/sign-in";
import { formFields } from "@/app/_server/form";
import { GENERIC_SIGN_IN_ERROR, RATE_LIMITED_SIGN_IN_ERROR } from "@/lib/auth/credentials";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { magicLinkWait } from "@/lib/auth/magic-link";
import { headers } from "next/headers";
import { clientAddressOf } from "@/app/_server/client-address";
import { getDb } from "@/server/database";

export interface SignInState {
  error?: string;
  sent?: boolean;
}

// Auth.js signs in (and redirects) itself and throws its own errors, not a verb's: these read the
// form with formFields and map AuthError here.

export async function signInWithPassword(_prev: SignInState, form: FormData): Promise<SignInState> {
  const f = formFields(form);
  try {
    await signIn("credentials", {
      email: f.text("email") ?? "",
      password: f.text("password") ?? "",
      redirectTo: safeCallbackUrl(f.text("callbackUrl")),
    });
    return {};
  } catch (e) {
    if (e instanceof SignInRateLimited || e instanceof SignInSuspended)
      return { error: e.userMessage };
    if (e instanceof CredentialsSignin && e.code === "rate_limited")
      return { error: RATE_LIMITED_SIGN_IN_ERROR };
    if (e instanceof AuthError) return { error: GENERIC_SIGN_IN_ERROR };
    throw e; // the redirect after a successful sign-in
  }
}

export async function signInWithEmailLink(
  _prev: SignInState,
  form: FormData,
): Promise<SignInState> {
  const f = formFields(form);
  const email = (f.text("email") ?? "").trim();
  if (!email) return { error: "Enter your email address." };
  // Counted for every address asked for, account or not, so the answer tells no one who has one.
  const wait = await magicLinkWait(await getDb(), {
    email,
    clientAddress: clientAddressOf(await headers()),
  });
  if (wait)
    return {
      error: `Too many sign-in links requested. Try again in ${Math.ceil(wait / 60)} minutes.`,
    };
  try {
    await signIn("resend", {
      email,
      redirectTo: safeCallbackUrl(f.text("callbackUrl")),
      redirect: false,
    });
  } catch (e) {
    if (e instanceof AuthError)
      return { error: "We could not send a sign-in link right now. Try the password instead." };
    throw e;
  }
  return { sent: true };
}
