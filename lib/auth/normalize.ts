import { z } from "zod";

export const emailSchema = z
  .string({ message: "is required" })
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "must be an email address" }));

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
