import { createHmac, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { getAuthSecret } from "@/lib/auth/secret";
import { unsubscribeToken } from "@/lib/alerts/unsubscribe";
import { subscriberUnsubscribeToken, verifyUnsubscribeToken } from "@/lib/subscribers/tokens";
import { signId, verifySignedId } from "./signed-id";

/** How unsubscribe links were signed before the two flows shared a helper; they must still verify. */
const linkSignedBefore = (prefix: string, id: string) =>
  `${id}.${createHmac("sha256", getAuthSecret()).update(`${prefix}:${id}`).digest("base64url").slice(0, 32)}`;

describe("signed ids", () => {
  it("keeps the unsubscribe links already sent valid", () => {
    const id = randomUUID();
    expect(unsubscribeToken(id)).toBe(linkSignedBefore("unsubscribe", id));
    expect(subscriberUnsubscribeToken(id)).toBe(linkSignedBefore("public-unsubscribe", id));
    expect(verifyUnsubscribeToken(linkSignedBefore("public-unsubscribe", id))).toBe(id);
  });

  it("accepts a token only for its own purpose, unaltered", () => {
    const id = randomUUID();
    const token = signId("unsubscribe", id);
    expect(verifySignedId("unsubscribe", token)).toBe(id);
    expect(verifySignedId("public-unsubscribe", token)).toBeNull();
    expect(verifySignedId("unsubscribe", `${id}.forged`)).toBeNull();
    expect(verifySignedId("unsubscribe", `${randomUUID()}.${token.split(".")[1]}`)).toBeNull();
    expect(verifySignedId("unsubscribe", "not-an-id.x")).toBeNull();
  });
});
