/** Only same-site paths: anything else (absolute URLs, "//host") would be an open redirect. */
export function safeCallbackUrl(value: unknown, fallback = "/portal"): string {
  if (
    typeof value !== "string" ||
    !value.startsWith("/") ||
    value.startsWith("//") ||
    value.startsWith("/\\")
  ) {
    return fallback;
  }
  return value;
}
