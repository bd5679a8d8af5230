import { z } from "zod";
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
export const AcceptInvitationInput = z.object({
  token: z.string().min(10, "is not a valid invitation link"),
  name: z.string().trim().min(1, "is required").max(200).optional(),
  password: z
    .string({ message: "is required" })
    .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(1024),
});
