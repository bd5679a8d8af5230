import { z } from "zod";
import { MAX_EMAIL, storable } from "@/lib/validation";

export const emailSchema = storable(
  z
    .string({ message: "is required" })
    .trim()
    .toLowerCase()
    .max(MAX_EMAIL, `must be at most ${MAX_EMAIL} characters`),
).pipe(z.email({ message: "must be an email address" }));

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
