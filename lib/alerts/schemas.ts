import { z } from "zod";
import {
  CHANNELS,
  DIGEST_MODES,
  ENDPOINT_TYPES,
  IMPACTS,
  ALERT_CATEGORIES,
  RECIPIENT_CHANNELS,
} from "@/db/schema";
import { TENANT_ROLES } from "@/lib/auth/roles";
import { isValidTimeZone, parseHhMm } from "./schedule";
import { MAX_EMAIL, MAX_URL, storable } from "@/lib/validation";

const hhmm = storable(z.string().max(5, "must be a time of day as HH:MM, e.g. 22:00")).refine(
  (v) => parseHhMm(v) !== null,
  { message: "must be a time of day as HH:MM, e.g. 22:00" },
);

export const QuietHoursInput = z.object({
  enabled: z.boolean(),
  start: hhmm,
  end: hhmm,
  timeZone: storable(z.string().max(64, "must be an IANA time zone such as Asia/Kolkata")).refine(
    isValidTimeZone,
    { message: "must be an IANA time zone such as Asia/Kolkata" },
  ),
  allowCritical: z.boolean().default(true),
});

/** How many extra recipients one tenant may list. */
export const MAX_RECIPIENTS = 200;

export const RecipientInput = z
  .object({
    channel: z.enum(RECIPIENT_CHANNELS, {
      message: `must be one of ${RECIPIENT_CHANNELS.join(", ")}`,
    }),
    address: storable(
      z
        .string({ message: "is required" })
        .trim()
        .min(1, "is required")
        .max(MAX_EMAIL, `must be at most ${MAX_EMAIL} characters`),
    ),
    roleGroup: z.enum(TENANT_ROLES, { message: `must be one of ${TENANT_ROLES.join(", ")}` }),
  })
  .superRefine((r, ctx) => {
    if (r.channel === "email" && !z.email().safeParse(r.address).success) {
      ctx.addIssue({ code: "custom", path: ["address"], message: "must be an email address" });
    }
    if (r.channel === "sms" && !/^\+[1-9]\d{6,14}$/.test(r.address)) {
      ctx.addIssue({
        code: "custom",
        path: ["address"],
        message: "must be a phone number in E.164 form, e.g. +919812345678",
      });
    }
  });

export const MatrixCellInput = z.object({
  category: z.enum(ALERT_CATEGORIES, {
    message: `must be one of ${ALERT_CATEGORIES.join(", ")}`,
  }),
  roleGroup: z.enum(TENANT_ROLES, { message: `must be one of ${TENANT_ROLES.join(", ")}` }),
  channel: z.enum(CHANNELS, { message: `must be one of ${CHANNELS.join(", ")}` }),
  enabled: z.boolean(),
});

export const FiltersInput = z.object({
  componentIds: z
    .array(z.uuid({ message: "must be a component id" }))
    .max(100)
    .default([]),
  regionIds: z
    .array(z.uuid({ message: "must be a region id" }))
    .max(100)
    .default([]),
  minImpact: z.enum(IMPACTS, { message: `must be one of ${IMPACTS.join(", ")}` }).default("none"),
});

/** Every section is optional; a section that is present replaces the stored one. */
export const UpdateAlertSettingsInput = z
  .object({
    categories: z
      .object({
        infrastructure: z.boolean(),
        billing: z.boolean(),
        configurable: z.boolean(),
        maintenance: z.boolean(),
      })
      .partial()
      .optional(),
    matrix: z.array(MatrixCellInput).max(200).optional(),
    recipients: z.array(RecipientInput).max(MAX_RECIPIENTS).optional(),
    filters: FiltersInput.optional(),
    digestMode: z
      .enum(DIGEST_MODES, { message: `must be one of ${DIGEST_MODES.join(", ")}` })
      .optional(),
    quietHours: QuietHoursInput.optional(),
  })
  .strict();
export type UpdateAlertSettingsInput = z.input<typeof UpdateAlertSettingsInput>;

const EndpointName = storable(
  z
    .string({ message: "is required" })
    .trim()
    .min(1, "is required")
    .max(80, "must be at most 80 characters"),
);
const EndpointUrl = storable(
  z
    .string({ message: "must be a URL such as https://hooks.example.com/beacon" })
    .max(MAX_URL, `must be at most ${MAX_URL} characters`),
).pipe(z.url({ message: "must be a URL such as https://hooks.example.com/beacon" }));
const EndpointRoleGroup = z
  .enum(TENANT_ROLES, { message: `must be one of ${TENANT_ROLES.join(", ")}` })
  .nullable();

export const CreateEndpointInput = z
  .object({
    type: z.enum(ENDPOINT_TYPES, { message: `must be one of ${ENDPOINT_TYPES.join(", ")}` }),
    name: EndpointName,
    url: EndpointUrl,
    roleGroup: EndpointRoleGroup.default(null),
    filters: FiltersInput.optional(),
  })
  .strict();
export type CreateEndpointInput = z.input<typeof CreateEndpointInput>;

/**
 * An edit: every field is optional and a field left out keeps its value; `filters`, when present,
 * replaces all three filters. The type is fixed (a webhook's signing secret belongs to it).
 */
export const UpdateEndpointInput = z
  .object({
    type: z
      .never({ message: "cannot be changed: add a new endpoint of the other type instead" })
      .optional(),
    name: EndpointName.optional(),
    url: EndpointUrl.optional(),
    roleGroup: EndpointRoleGroup.optional(),
    filters: FiltersInput.optional(),
  })
  .strict();
export type UpdateEndpointInput = z.input<typeof UpdateEndpointInput>;
