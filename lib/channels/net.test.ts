import { describe, expect, it } from "vitest";
import { isPrivateAddress } from "./net";

describe("isPrivateAddress", () => {
  it.each([
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "::",
    "::1",
    "::ffff:127.0.0.1",
    // IPv4-compatible and NAT64 forms of loopback and the metadata address.
    "::127.0.0.1",
    "64:ff9b::a9fe:a9fe",
    "fd00::1",
    "fe80::1",
    "not an address",
  ])("refuses %s", (ip) => expect(isPrivateAddress(ip)).toBe(true));

  it.each(["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:93.184.216.34"])(
    "allows %s",
    (ip) => expect(isPrivateAddress(ip)).toBe(false),
  );
});
