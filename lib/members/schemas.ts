import { z } from "zod";
import { MAX_NAME, storable } from "@/lib/validation";
import { emailSchema } from "@/lib/auth/normalize";
import { GRANTABLE_PERMISSIONS, ROLES } from "@/lib/auth/roles";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/password";

const roleSchema = z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` });
const idSchema = z.uuid({ message: "must be an id" });

export const InviteMemberInput = z.object({ email: emailSchema, role: roleSchema });
export const ChangeRoleInput = z.object({ membershipId: idSchema, role: roleSchema });
export const SetGrantsInput = z.object({
  membershipId: idSchema,
  grants: z.array(
    z.enum(GRANTABLE_PERMISSIONS, { message: "is not a permission that can be granted" }),
  ),
});
export const MembershipIdInput = z.object({ membershipId: idSchema });
export const InvitationIdInput = z.object({ invitationId: idSchema });
const invitationToken = storable(
  z
    .string({ message: "is missing from the invitation link" })
    .min(10, "is not a valid invitation link")
    .max(512, "is not a valid invitation link"),
);

export const AcceptInvitationInput = z.object({ token: invitationToken });
export const RequestInvitationVerificationInput = z.object({ token: invitationToken });
export const CreateInvitedAccountInput = z.object({
  code: storable(
    z
      .string({ message: "is missing from the verification link" })
      .min(10, "is not a valid verification link")
      .max(512, "is not a valid verification link"),
  ),
  name: storable(z.string({ message: "is required" }).trim().min(1, "is required").max(MAX_NAME)),
  password: z
    .string({ message: "is required" })
    .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(1024),
});

/** E.164: a plus, a country code and up to 15 digits in all; what SMS providers accept. */
export const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * A phone number as people type it: spaces, dashes, dots and brackets are dropped before the
 * E.164 check, so "+91 98123-45678" is stored as "+919812345678". Empty means "no phone".
 */
export const phoneSchema = z
  .string({ message: "must be text" })
  .trim()
  .max(40, "is too long for a phone number")
  .transform((v) => v.replace(/[\s\-.()]/g, ""))
  .refine((v) => v === "" || E164.test(v), {
    message: "must be a phone number in E.164 form with the country code, e.g. +919812345678",
  })
  .transform((v) => (v === "" ? null : v));

export const MyNotificationsInput = z
  .object({
    phone: phoneSchema,
    warningEmail: z.boolean({ message: "must be true or false" }),
    warningSms: z.boolean({ message: "must be true or false" }),
  })
  .strict()
  .superRefine((v, c) => {
    if (v.warningSms && v.phone === null)
      c.addIssue({
        code: "custom",
        path: ["warningSms"],
        message: "needs a phone number: add one in Phone, or leave SMS off",
      });
  });

export const ChangePasswordInput = z.object({
  /** Required when the account has a password; one that signs in only by email link has none. */
  currentPassword: z.string().max(1024).optional(),
  newPassword: z
    .string({ message: "is required" })
    .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(1024),
});
