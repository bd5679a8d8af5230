import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { DEMO_PASSWORD } from "@/server/seed";
import { seedDemo } from "@/test/fixtures";
import { RateLimitedError } from "@/lib/errors";
import { MAX_FAILURES_PER_EMAIL, verifyCredentials } from "./credentials";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(async () => t?.close());

describe("verifyCredentials", () => {
  it("accepts the right password, case-insensitively on the email", async () => {
    const user = await verifyCredentials(
      t.db,
      { email: " Admin@Acme.test", password: DEMO_PASSWORD },
      "1.1.1.1",
    );
    expect(user?.email).toBe("admin@acme.test");
  });

  it("returns null alike for a wrong password and an unknown account", async () => {
    expect(
      await verifyCredentials(t.db, { email: "billing@acme.test", password: "nope" }, "1.1.1.2"),
    ).toBeNull();
    expect(
      await verifyCredentials(t.db, { email: "ghost@acme.test", password: "nope" }, "1.1.1.2"),
    ).toBeNull();
    expect(await verifyCredentials(t.db, { email: "", password: "" }, "1.1.1.2")).toBeNull();
  });

  it("rate limits an email after repeated failures, even with the right password", async () => {
    for (let i = 0; i < MAX_FAILURES_PER_EMAIL; i++) {
      expect(
        await verifyCredentials(
          t.db,
          { email: "support@acme.test", password: `wrong-${i}` },
          `9.9.9.${i}`,
        ),
      ).toBeNull();
    }
    await expect(
      verifyCredentials(t.db, { email: "support@acme.test", password: DEMO_PASSWORD }, "9.9.9.99"),
    ).rejects.toBeInstanceOf(RateLimitedError);
    // Other accounts are unaffected.
    expect(
      await verifyCredentials(
        t.db,
        { email: "devops@acme.test", password: DEMO_PASSWORD },
        "9.9.9.98",
      ),
    ).not.toBeNull();
  });
});
