/**
 * Adapters throw DeliveryError on failure. `permanent` means retrying cannot help (most 4xx, bad
 * config); `gone` (HTTP 410) also disables the endpoint; `retryAfterMs` comes from Retry-After.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    public readonly opts: {
      responseCode?: number;
      permanent?: boolean;
      gone?: boolean;
      retryAfterMs?: number;
    } = {},
  ) {
    super(message);
    this.name = "DeliveryError";
  }
  get responseCode() {
    return this.opts.responseCode;
  }
  get permanent() {
    return Boolean(this.opts.permanent || this.opts.gone);
  }
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** 408 and 429 and 5xx are worth retrying; any other 4xx will fail the same way again. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export function httpFailure(
  provider: string,
  status: number,
  body: string,
  retryAfter?: string | null,
): DeliveryError {
  const snippet = body.replace(/\s+/g, " ").trim().slice(0, 300);
  return new DeliveryError(`${provider} answered HTTP ${status}${snippet ? `: ${snippet}` : ""}`, {
    responseCode: status,
    permanent: !isRetryableStatus(status),
    gone: status === 410,
    retryAfterMs: parseRetryAfter(retryAfter),
  });
}
