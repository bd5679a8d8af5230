import { CredentialsSignin } from "next-auth";

/**
 * Auth.js's `logger`. A refused password sign-in (a wrong password, a rate limit, a suspended
 * organization) is an everyday event, not a fault: one line, without the stack trace Auth.js
 * prints by default and without the address typed. Every other error is logged in full, with
 * its cause.
 */
export const authLogger = {
  error(error: Error): void {
    if (error instanceof CredentialsSignin) {
      console.warn(`[auth] password sign-in refused (${error.code})`);
      return;
    }
    console.error("[auth][error]", error);
  },
};
