import { z } from "zod";
import { parseTrustedProxies } from "./client-address";

/**
 * The only reader of process.env. Every setting is validated here; a bad value stops start-up
 * with a message naming the variable and what it should be.
 */

const bool = z
  .enum(["true", "false", "1", "0", ""])
  .transform((v) => v === "true" || v === "1")
  .describe("true or false");

/** A host is required (or ?host= for a socket); a port must be a number (URL rejects the rest). */
function parsesAsPostgresUrl(value: string): boolean {
  if (!/^postgres(ql)?:\/\//.test(value)) return true; // the regex above names that problem
  try {
    const url = new URL(value);
    return url.hostname !== "" || url.searchParams.has("host");
  } catch {
    return false;
  }
}

/**
 * Days a kind of record is kept before retention deletes it (lib/retention): a whole number from
 * `min` (below it, something Beacon itself reads would go missing: `why`) to 36500, or 0 to keep
 * it forever.
 */
const retentionDays = (fallback: number, min = 1, why?: string) =>
  z.coerce
    .number({ message: "must be a whole number of days" })
    .int("must be a whole number of days")
    .refine(
      (d) => d === 0 || d >= min,
      `must be 0 (keep forever) or at least ${min}${why ? ` (${why})` : ""}`,
    )
    .refine((d) => d <= 36_500, "must be at most 36500")
    .default(fallback);

const optionalUrl = z.url({ message: "must be a URL such as https://example.com" }).optional();

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** PostgreSQL connection string; when unset Beacon uses embedded PGlite in DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
    .refine(
      parsesAsPostgresUrl,
      "must be a connection URL such as postgres://user:password@host:5432/beacon",
    )
    .optional(),
  /** Longest any one SQL statement may run on PostgreSQL before the server cancels it. */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100, "must be at least 100")
    .max(3_600_000, "must be at most 3600000")
    .default(15_000),
  DATA_DIR: z.string().min(1).default("./.data"),
  AUTH_SECRET: z
    .string()
    .min(32, "must be at least 32 characters (openssl rand -base64 33)")
    .optional(),
  /**
   * Public URL of Beacon, in every emailed, invitation and feed link. Required in production;
   * in development it defaults to http://localhost:PORT, the port the server listens on.
   */
  APP_URL: z
    .url({ message: "must be the public URL of Beacon, e.g. https://status.example.com" })
    .optional(),
  /**
   * The port Next listens on: `PORT=3200 npm run dev`, or `next dev -p 3200` (Next stores the
   * port it actually listens on here, also when it moved off a busy 3000, before any app code runs).
   */
  PORT: z.coerce
    .number({ message: "must be a port number" })
    .int("must be a port number")
    .min(1, "must be a port number")
    .max(65_535, "must be a port number")
    .default(3000),
  DEMO_DATA: bool.optional(),
  RESEND_API_KEY: z.string().min(1).optional(),
  RESEND_BASE_URL: optionalUrl,
  EMAIL_FROM: z.string().min(3).default("Beacon <alerts@beacon.localhost>"),
  /** Signing secret of the Resend webhook (POST /api/providers/resend), shown in Resend's dashboard. */
  RESEND_WEBHOOK_SECRET: z
    .string()
    .regex(
      /^whsec_[A-Za-z0-9+/]+={0,2}$/,
      "must be the webhook's signing secret from Resend, starting with whsec_",
    )
    .optional(),
  INNGEST_EVENT_KEY: z.string().min(1).optional(),
  INNGEST_SIGNING_KEY: z.string().min(1).optional(),
  INNGEST_DEV: z.string().optional(),
  INNGEST_BASE_URL: optionalUrl,
  ALLOW_PRIVATE_WEBHOOKS: bool.default(false),
  /** Serve the anonymous status page and public documents from memory, before Next (default: on in production). */
  STATUS_FAST_PATH: bool.optional(),
  /** Proxies in front of Beacon whose X-Forwarded-For counts: a hop count, or a comma list of CIDRs. */
  TRUSTED_PROXIES: z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return parseTrustedProxies(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
        return z.NEVER;
      }
    }),
  ENCRYPTION_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/=_-]{43,}$/, "must be 32 random bytes, base64 (openssl rand -base64 32)")
    .optional(),
  NEXT_PHASE: z.string().optional(),
  /** SMS through Twilio (all three needed), or through a generic HTTP gateway (SMS_GATEWAY_URL). */
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, "must be a Twilio account SID (AC + 32 hex characters)")
    .optional(),
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  TWILIO_FROM: z
    .string()
    .regex(
      /^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/,
      "must be an E.164 number or a Messaging Service SID",
    )
    .optional(),
  TWILIO_BASE_URL: z.url({ message: "must be a URL" }).default("https://api.twilio.com"),
  SMS_GATEWAY_URL: optionalUrl,
  SMS_GATEWAY_TOKEN: z.string().min(1).optional(),
  /** India DLT: registered sender (header), principal entity id, and template ids per category. */
  SMS_SENDER_ID: z.string().min(1).optional(),
  SMS_DLT_ENTITY_ID: z
    .string()
    .regex(/^\d{10,25}$/, "must be the numeric DLT principal entity id")
    .optional(),
  SMS_DLT_TEMPLATE_IDS: z
    .string()
    .regex(
      /^(infrastructure|billing|configurable)=\d{10,25}(,(infrastructure|billing|configurable)=\d{10,25})*$/,
      "must look like infrastructure=1107...,billing=1107...,configurable=1107...",
    )
    .optional(),
  /**
   * Email and SMS without a provider land in the dev mailbox (/portal/dev/mailbox) instead of
   * failing. On by default outside production; set it for a production build under test.
   */
  DEV_MAILBOX: bool.optional(),
  /** Most webhook subscribers the public status page accepts, confirmed or awaiting verification. */
  PUBLIC_WEBHOOK_SUBSCRIBERS_MAX: z.coerce
    .number()
    .int()
    .min(0, "must be 0 (no webhook subscribers) or more")
    .max(1_000_000, "must be at most 1000000")
    .default(1000),
  /** Most webhook subscribers whose URLs share one host name (ports do not count apart). */
  PUBLIC_WEBHOOK_SUBSCRIBERS_PER_HOST: z.coerce
    .number()
    .int()
    .min(1, "must be at least 1")
    .max(10_000, "must be at most 10000")
    .default(5),
  /** How often the embedded job driver looks for due work (it is also woken after each commit). */
  JOB_POLL_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(100, "must be at least 100")
    .max(60_000, "must be at most 60000")
    .default(2000),
  /** Retention (lib/retention): days each kind of record is kept; 0 keeps it forever. */
  RETENTION_DELIVERIES_DAYS: retentionDays(90, 7, "endpoint health reads 5 days of deliveries"),
  RETENTION_NOTIFICATION_JOBS_DAYS: retentionDays(30),
  RETENTION_METRIC_SAMPLES_DAYS: retentionDays(30, 2, "threshold rules average up to a day"),
  RETENTION_CALL_RECORDS_DAYS: retentionDays(7, 2, "threshold rules read up to a day of calls"),
  /**
   * Metric samples and call records kept per tenant (each kind): a batch that would go beyond
   * deletes that tenant's oldest first (lib/metrics/storage-cap.ts); 0: no cap.
   */
  METRICS_MAX_ROWS_PER_TENANT: z.coerce
    .number({ message: "must be a whole number of rows" })
    .int("must be a whole number of rows")
    .refine(
      (n) => n === 0 || n >= 10_000,
      "must be 0 (no cap) or at least 10000 (two full batches)",
    )
    .refine((n) => n <= 1_000_000_000, "must be at most 1000000000")
    .default(1_000_000),
  RETENTION_INBOX_DAYS: retentionDays(90),
  RETENTION_DEV_MAILBOX_DAYS: retentionDays(7),
  /** Days an invitation that was never accepted is kept after it expired. */
  RETENTION_INVITATIONS_DAYS: retentionDays(30),
});

export type Env = Omit<z.infer<typeof schema>, "APP_URL"> & {
  /** The public URL: APP_URL, or in development http://localhost:PORT. */
  APP_URL: string;
  isProduction: boolean;
  isBuildPhase: boolean;
  demoData: boolean;
  emailConfigured: boolean;
  inngestConfigured: boolean;
  statusFastPath: boolean;
  devMailbox: boolean;
};

export class EnvError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/** Empty strings count as unset, so `FOO=` in a .env file means "use the default". */
function withoutEmpty(raw: Record<string, string | undefined>) {
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ""));
}

export function loadEnv(raw: Record<string, string | undefined>): Env {
  const parsed = schema.safeParse(withoutEmpty(raw));
  if (!parsed.success) {
    throw new EnvError(
      parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`),
    );
  }
  const v = parsed.data;
  const isProduction = v.NODE_ENV === "production";
  const isBuildPhase = v.NEXT_PHASE === "phase-production-build";
  if (isProduction && !isBuildPhase) {
    const missing: string[] = [];
    if (!v.AUTH_SECRET) {
      missing.push(
        "AUTH_SECRET: required in production; set it to 32+ random characters (openssl rand -base64 33)",
      );
    }
    // Links in emails and feeds must reach the public address, which only the operator knows.
    if (!v.APP_URL) {
      missing.push(
        "APP_URL: required in production; set it to the public URL of Beacon, e.g. https://status.example.com",
      );
    }
    if (missing.length > 0) throw new EnvError(missing);
  }
  return {
    ...v,
    APP_URL: v.APP_URL ?? `http://localhost:${v.PORT}`,
    isProduction,
    isBuildPhase,
    demoData: v.DEMO_DATA ?? !isProduction,
    emailConfigured: Boolean(v.RESEND_API_KEY),
    inngestConfigured: Boolean(v.INNGEST_EVENT_KEY || v.INNGEST_DEV || v.INNGEST_BASE_URL),
    statusFastPath: v.STATUS_FAST_PATH ?? isProduction,
    devMailbox: v.DEV_MAILBOX ?? !isProduction,
  };
}

export const env: Env = loadEnv(process.env);
