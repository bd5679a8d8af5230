import { count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { deliveries, rateLimits, users } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { testSettings } from "@/test/alerts";
import { DEV_MAILBOX_LABEL, deliveryStatusText } from "@/lib/labels";
import type { Ctx } from "@/lib/context";
import { NotFoundError, RateLimitedError, ValidationError } from "@/lib/errors";
import { createEndpoint } from "./endpoints";
import { addRecipient } from "./recipients";
import {
  NOT_OWN_DESTINATION,
  sendTestAlert,
  TEST_ALERTS_PER_DESTINATION_PER_HOUR,
  TEST_ALERTS_PER_ORG_PER_HOUR,
} from "./test-alert";

let t: TestDb;
let admin: Ctx;
let globexAdmin: Ctx;
let globexEndpointId: string;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  admin = await ctxFor(t.db, "admin@acme.test");
  globexAdmin = await ctxFor(t.db, "admin@globex.test");
  const { endpoint } = await createEndpoint({
    ctx: globexAdmin,
    input: { type: "webhook", name: "globex hook", url: "http://127.0.0.1:9/hook" },
    channelSettings: { allowPrivate: true },
  });
  globexEndpointId = endpoint.id;
});
afterAll(() => t.close());
// Each test starts with fresh hourly windows.
beforeEach(async () => {
  await t.db.delete(rateLimits).where(sql`true`);
});

const deliveryCount = async () => (await t.db.select({ n: count() }).from(deliveries))[0]!.n;

async function refused(p: Promise<unknown>) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as ValidationError).issues).toEqual([{ field: "to", message: NOT_OWN_DESTINATION }]);
  expect((err as ValidationError).status).toBe(422);
}

describe("test alert destinations", () => {
  it("an address or phone that is not the organization's is refused (422), nothing sent", async () => {
    const before = await deliveryCount();
    await refused(sendTestAlert({ ctx: admin, input: { channel: "email", to: "x@evil.test" } }));
    await refused(sendTestAlert({ ctx: admin, input: { channel: "sms", to: "+15557654321" } }));
    // A member of another organization is not this organization's.
    await refused(
      sendTestAlert({ ctx: admin, input: { channel: "email", to: "admin@globex.test" } }),
    );
    expect(await deliveryCount()).toBe(before);
  });

  it("a member's email or phone and an extra recipient are accepted", async () => {
    const byEmail = await sendTestAlert({
      ctx: admin,
      input: { channel: "email", to: "DevOps@Acme.test" },
    });
    expect(byEmail.deliveryIds).toHaveLength(1);
    const [d] = await t.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.id, byEmail.deliveryIds[0]!));
    expect(d!.destination).toBe("devops@acme.test");

    await t.db
      .update(users)
      .set({ phone: "+919811111111" })
      .where(eq(users.email, "devops@acme.test"));
    await sendTestAlert({ ctx: admin, input: { channel: "sms", to: "+919811111111" } });

    await addRecipient({
      ctx: admin,
      input: { channel: "sms", address: "+919822222222", roleGroup: "org_admin" },
    });
    await addRecipient({
      ctx: admin,
      input: { channel: "email", address: "noc@acme-ops.test", roleGroup: "org_admin" },
    });
    await sendTestAlert({ ctx: admin, input: { channel: "sms", to: "+919822222222" } });
    await sendTestAlert({ ctx: admin, input: { channel: "email", to: "noc@acme-ops.test" } });
    // A recipient's address on one channel is not a destination on the other.
    await expect(
      sendTestAlert({ ctx: admin, input: { channel: "email", to: "noc@acme-ops.test.evil" } }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it("an email that only reached the dev mailbox is answered “In dev mailbox (not sent)”", async () => {
    const res = await sendTestAlert({
      ctx: admin,
      input: { channel: "email" },
      deliverNow: true,
      deliverOptions: { settings: testSettings() },
    });
    expect(res.outcome!.status).toBe("delivered");
    expect(res.outcome!.providerId).toMatch(/^devmail:/);
    const [d] = await t.db.select().from(deliveries).where(eq(deliveries.id, res.deliveryIds[0]!));
    expect(deliveryStatusText(d!)).toBe(DEV_MAILBOX_LABEL);
  });

  it("another organization's endpoint is 404, as if it did not exist", async () => {
    const before = await deliveryCount();
    const err = await sendTestAlert({
      ctx: admin,
      input: { channel: "webhook", endpointId: globexEndpointId },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(String((err as Error).message)).not.toContain("globex");
    expect(await deliveryCount()).toBe(before);
  });
});

describe("test alert rate limits", () => {
  it("one destination gets at most its hourly share; the next is 429 with Retry-After", async () => {
    for (let i = 0; i < TEST_ALERTS_PER_DESTINATION_PER_HOUR; i++) {
      await sendTestAlert({ ctx: admin, input: { channel: "email", to: "devops@acme.test" } });
    }
    const before = await deliveryCount();
    const err = await sendTestAlert({
      ctx: admin,
      input: { channel: "email", to: "devops@acme.test" },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).status).toBe(429);
    expect((err as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    expect((err as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(3600);
    expect(await deliveryCount()).toBe(before);
    // Another destination of the same organization is still allowed.
    await sendTestAlert({ ctx: admin, input: { channel: "email" } });
  });

  it("the organization gets at most its hourly total across destinations; others are not affected", async () => {
    const addresses = ["a", "b", "c", "d", "e"].map((x) => `team-${x}@acme.test`);
    for (const address of addresses) {
      await addRecipient({
        ctx: admin,
        input: { channel: "email", address, roleGroup: "org_admin" },
      });
    }
    for (let i = 0; i < TEST_ALERTS_PER_ORG_PER_HOUR; i++) {
      const to = addresses[i % addresses.length]!;
      await sendTestAlert({ ctx: admin, input: { channel: "email", to } });
    }
    const err = await sendTestAlert({ ctx: admin, input: { channel: "email" } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).message).toMatch(/organization/);
    // Another organization has its own budget.
    await sendTestAlert({ ctx: globexAdmin, input: { channel: "email" } });
  });
});
