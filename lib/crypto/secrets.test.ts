import { describe, expect, it } from "vitest";
import { decryptSecret, decryptSecretForSending, encryptSecret } from "./secrets";

describe("secrets at rest", () => {
  it("round-trips, with a fresh IV for every encryption", () => {
    const a = encryptSecret("https://hooks.example/abc");
    const b = encryptSecret("https://hooks.example/abc");
    expect(a).not.toBe(b);
    expect(a.startsWith("v1.")).toBe(true);
    expect(decryptSecret(a)).toBe("https://hooks.example/abc");
    expect(decryptSecret(b)).toBe("https://hooks.example/abc");
  });

  it("refuses a tampered ciphertext", () => {
    const [v, iv, tag, ct] = encryptSecret("whsec_c2VjcmV0").split(".");
    const flipped = Buffer.from(ct!, "base64url");
    flipped[0]! ^= 1;
    expect(() => decryptSecret([v, iv, tag, flipped.toString("base64url")].join("."))).toThrow();
    expect(() =>
      decryptSecretForSending([v, iv, tag, flipped.toString("base64url")].join(".")),
    ).toThrow();
  });

  it("the sending cache answers by stored form, so a changed secret is never served stale", () => {
    const before = encryptSecret("whsec_b2xk");
    expect(decryptSecretForSending(before)).toBe("whsec_b2xk");
    expect(decryptSecretForSending(before)).toBe("whsec_b2xk");
    const after = encryptSecret("whsec_bmV3");
    expect(decryptSecretForSending(after)).toBe("whsec_bmV3");
    expect(decryptSecretForSending(before)).toBe("whsec_b2xk");
  });
});
