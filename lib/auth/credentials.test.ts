import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { DEMO_PASSWORD } from "@/server/seed";
import { seedDemo } from "@/test/fixtures";
import { RateLimitedError } from "@/lib/errors";
import { CLIENT_ADDRESS_HEADER, clientAddressFrom } from "@/lib/client-address";
import {
  ACCOUNT_FAILURE_CEILING,
  MAX_FAILURES_PER_ADDRESS,
  PAIR_FREE_FAILURES,
  verifyCredentials,
} from "./credentials";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(async () => t?.close());

const MINUTE = 60_000;

/** What a refused attempt throws (fails the test if it was not refused). */
async function refusal(p: Promise<unknown>): Promise<RateLimitedError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RateLimitedError);
  return err as RateLimitedError;
}

function at(start: Date, ms: number): Date {
  return new Date(start.getTime() + ms);
}

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
});

describe("failed sign-ins count per account and address", () => {
  it("five wrong passwords from one address do not lock the owner out from another", async () => {
    const attacker = "203.0.113.7";
    for (let i = 0; i < PAIR_FREE_FAILURES; i++) {
      expect(
        await verifyCredentials(
          t.db,
          { email: "support@acme.test", password: `wrong-${i}` },
          attacker,
        ),
      ).toBeNull();
    }
    // The attacker's address is refused, even with the right password, with a clear message.
    const err = await refusal(
      verifyCredentials(t.db, { email: "support@acme.test", password: DEMO_PASSWORD }, attacker, {
        magicLink: true,
      }),
    );
    expect(err.message).toBe(
      "Too many attempts from this address; try again in 1 minute or use the email link.",
    );
    expect(err.retryAfterSeconds).toBeGreaterThan(0);
    expect(err.retryAfterSeconds).toBeLessThanOrEqual(60);
    // The owner, elsewhere, signs in.
    const owner = await verifyCredentials(
      t.db,
      { email: "support@acme.test", password: DEMO_PASSWORD },
      "198.51.100.20",
    );
    expect(owner?.email).toBe("support@acme.test");
    // The attacker's address may still sign in to other accounts (it failed only on this one).
    expect(
      await verifyCredentials(
        t.db,
        { email: "devops@acme.test", password: DEMO_PASSWORD },
        attacker,
      ),
    ).not.toBeNull();
  });

  it("backs off exponentially for the pair: 1, 2, 4, 8, then at most 15 minutes", async () => {
    const email = "billing@acme.test";
    const ip = "203.0.113.8";
    const start = new Date();
    let now = start;
    const attempt = (password: string) =>
      verifyCredentials(t.db, { email, password }, ip, { now, magicLink: false });
    for (let i = 0; i < PAIR_FREE_FAILURES; i++) expect(await attempt("wrong")).toBeNull();
    const waits: number[] = [];
    for (const expected of [1, 2, 4, 8, 15, 15]) {
      // Refused until the block ends: just before, a wait under a second; the message says when.
      const first = await refusal(attempt(DEMO_PASSWORD));
      expect(first.retryAfterSeconds).toBe(expected * 60);
      expect(first.message).toBe(
        `Too many attempts from this address; try again in ${expected} minute${expected === 1 ? "" : "s"}.`,
      );
      waits.push(first.retryAfterSeconds);
      now = at(now, expected * MINUTE - 1000);
      expect((await refusal(attempt(DEMO_PASSWORD))).retryAfterSeconds).toBe(1);
      // Once it ends, one more guess; wrong again doubles the next block.
      now = at(now, 1000);
      expect(await attempt("still wrong")).toBeNull();
    }
    expect(waits).toEqual([60, 120, 240, 480, 900, 900]);
    // The right password once the block ends signs in and resets the pair.
    now = at(now, 15 * MINUTE);
    expect(await attempt(DEMO_PASSWORD)).not.toBeNull();
    for (let i = 0; i < PAIR_FREE_FAILURES - 1; i++) expect(await attempt("wrong")).toBeNull();
    expect(await attempt(DEMO_PASSWORD)).not.toBeNull();
  });

  it("parallel guesses from one address cannot slip past the block", async () => {
    const email = "admin@beacon.test";
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        verifyCredentials(t.db, { email, password: `guess-${i}` }, "203.0.113.11"),
      ),
    );
    const checked = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter(
      (r) => r.status === "rejected" && r.reason instanceof RateLimitedError,
    );
    expect(checked).toHaveLength(PAIR_FREE_FAILURES);
    expect(refused).toHaveLength(12 - PAIR_FREE_FAILURES);
  });

  it("a success from an address resets that pair's count", async () => {
    const email = "devops@acme.test";
    const ip = "203.0.113.9";
    const attempt = (password: string) => verifyCredentials(t.db, { email, password }, ip);
    for (let i = 0; i < PAIR_FREE_FAILURES - 1; i++) expect(await attempt("wrong")).toBeNull();
    expect(await attempt(DEMO_PASSWORD)).not.toBeNull();
    // Four more failures are again under the limit, so the fifth attempt is still checked.
    for (let i = 0; i < PAIR_FREE_FAILURES - 1; i++) expect(await attempt("wrong")).toBeNull();
    expect(await attempt(DEMO_PASSWORD)).not.toBeNull();
  });

  it("counts an IPv6 client by its /64, so rotating addresses inside it does not help", async () => {
    const key = (ip: string) =>
      clientAddressFrom(new Headers({ [CLIENT_ADDRESS_HEADER]: ip }), { kind: "none" });
    const email = "admin@globex.test";
    for (let i = 1; i <= PAIR_FREE_FAILURES; i++) {
      expect(
        await verifyCredentials(t.db, { email, password: "wrong" }, key(`2001:db8:5:6::${i}`)),
      ).toBeNull();
    }
    await refusal(
      verifyCredentials(t.db, { email, password: DEMO_PASSWORD }, key("2001:db8:5:6:aaaa::99")),
    );
    // Another /64 is another client.
    expect(
      await verifyCredentials(t.db, { email, password: DEMO_PASSWORD }, key("2001:db8:5:7::1")),
    ).not.toBeNull();
  });

  it("limits one address across all accounts", async () => {
    const ip = "203.0.113.10";
    for (let i = 0; i < MAX_FAILURES_PER_ADDRESS; i++) {
      expect(
        await verifyCredentials(t.db, { email: `nobody-${i}@acme.test`, password: "x" }, ip),
      ).toBeNull();
    }
    const err = await refusal(
      verifyCredentials(t.db, { email: "admin@acme.test", password: DEMO_PASSWORD }, ip),
    );
    expect(err.message).toMatch(
      /^Too many attempts from this address; try again in \d+ minutes?\.$/,
    );
  });

  it("a per-account ceiling across addresses asks for the email link, and only when there is one", async () => {
    const email = "oncall@beacon.test";
    // Guesses from many addresses, each under its own pair limit.
    for (let i = 0; i < ACCOUNT_FAILURE_CEILING; i++) {
      expect(
        await verifyCredentials(t.db, { email, password: "wrong" }, `192.0.2.${(i % 250) + 1}`),
      ).toBeNull();
    }
    // Without a sign-in link the ceiling would lock the owner out, so it does not apply.
    expect(
      await verifyCredentials(t.db, { email, password: DEMO_PASSWORD }, "198.51.100.30", {
        magicLink: false,
      }),
    ).not.toBeNull();
    // With one, password sign-in waits and the owner is sent to the link.
    const err = await refusal(
      verifyCredentials(t.db, { email, password: DEMO_PASSWORD }, "198.51.100.31", {
        magicLink: true,
      }),
    );
    expect(err.message).toBe(
      "Too many failed sign-ins for this account; use the email link to sign in.",
    );
  });
});
