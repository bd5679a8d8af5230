import { Resend } from "resend";
import { env } from "@/lib/env";

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  idempotencyKey?: string;
}

export class EmailNotConfiguredError extends Error {
  constructor() {
    super("Email is not configured: set RESEND_API_KEY");
  }
}

let client: Resend | undefined;
function resend(): Resend {
  if (!env.RESEND_API_KEY) throw new EmailNotConfiguredError();
  client ??= new Resend(
    env.RESEND_API_KEY,
    env.RESEND_BASE_URL ? { baseUrl: env.RESEND_BASE_URL } : undefined,
  );
  return client;
}

/** Sends one transactional email through Resend; throws with the provider's message on failure. */
export async function sendEmail(msg: EmailMessage): Promise<{ id: string }> {
  const { data, error } = await resend().emails.send(
    { from: env.EMAIL_FROM, to: msg.to, subject: msg.subject, text: msg.text, html: msg.html },
    msg.idempotencyKey ? { idempotencyKey: msg.idempotencyKey } : undefined,
  );
  if (error || !data)
    throw new Error(`Resend refused the email: ${error?.message ?? "no id returned"}`);
  return { id: data.id };
}
