import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { createApiKey } from "@/lib/api-keys/keys";
import { createPolicy } from "@/lib/oncall/policies";

// The route handlers run here as plain functions against this file's own database.
vi.mock("server-only", () => ({}));
let t: TestDb;
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
  getDbHandle: async () => t,
}));

const list = await import("./route");
const one = await import("./[id]/route");

let acmeKey: string;
let globexPolicyId: string;
let acmePolicyId: string;

const json = (body: unknown) => ({
  method: "POST",
  headers: { "content-type": "application/json", authorization: `Bearer ${acmeKey}` },
  body: JSON.stringify(body),
});
const post = (body: unknown) =>
  list.POST(new Request("http://localhost/api/v1/threshold-rules", json(body)), {
    params: Promise.resolve({}),
  });
const put = (id: string, body: unknown) =>
  one.PUT(
    new Request(`http://localhost/api/v1/threshold-rules/${id}`, { ...json(body), method: "PUT" }),
    { params: Promise.resolve({ id }) },
  );

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  const acme = await ctxFor(t.db, "admin@acme.test");
  const globex = await ctxFor(t.db, "admin@globex.test");
  acmeKey = (await createApiKey({ ctx: acme, input: { name: "k", role: "tech_devops" } })).secret;
  const tiers = [{ roleGroups: ["tech_devops"], timeoutMinutes: 5 }];
  acmePolicyId = (await createPolicy({ ctx: acme, input: { name: "Acme NOC", tiers } })).id;
  globexPolicyId = (await createPolicy({ ctx: globex, input: { name: "Globex NOC", tiers } })).id;
});
afterAll(() => t.close());

const base = { name: "ASR BOM", metric: "asr", operator: "<", threshold: 30 };

describe("threshold rules' condition and escalation policy through the API", () => {
  it("refuses a condition that does not type-check with 422 at path condition", async () => {
    const res = await post({ ...base, condition: "asr < 30.0 && region == 5" });
    expect(res.status).toBe(422);
    const body = (await res.json()) as {
      error: { code: string; fields: { field: string; message: string }[] };
    };
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.fields).toEqual([
      {
        field: "condition",
        message: expect.stringMatching(/^no such overload: string == int \(line 1, column 15\)/),
      },
    ]);
  });

  it("stores a good condition and the tenant's own policy; another tenant's policy is refused", async () => {
    const created = await post({
      ...base,
      condition: 'attempts > 100 && region == "BOM"',
      escalationPolicyId: acmePolicyId,
    });
    expect(created.status).toBe(201);
    const rule = (await created.json()) as {
      id: string;
      condition: string;
      escalationPolicyId: string;
    };
    expect(rule).toMatchObject({
      condition: 'attempts > 100 && region == "BOM"',
      escalationPolicyId: acmePolicyId,
    });
    const refused = await put(rule.id, { ...base, escalationPolicyId: globexPolicyId });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { fields: unknown } }).error.fields).toEqual([
      { field: "escalationPolicyId", message: "must be one of your escalation policies" },
    ]);
    const cleared = await put(rule.id, { ...base, condition: null, escalationPolicyId: null });
    expect(cleared.status).toBe(200);
    expect(await cleared.json()).toMatchObject({ condition: null, escalationPolicyId: null });
  });
});
