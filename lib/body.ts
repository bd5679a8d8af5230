import { ServiceError } from "@/lib/errors";

/** Unauthenticated form posts (unsubscribe and the like) are tiny; nothing larger is read. */
export const MAX_PUBLIC_BODY_BYTES = 64 * 1024;

export class PayloadTooLargeError extends ServiceError {
  override readonly status = 413;
  override readonly code = "payload_too_large";
}

/**
 * A request body read to at most `maxBytes`: a declared Content-Length over it is refused before
 * reading, and a body without one (chunked) is read as it arrives and refused once it passes it,
 * so no client can make the server buffer more. Throws PayloadTooLargeError (413).
 */
export async function readBoundedBody(req: Request, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new PayloadTooLargeError(`(body): must be at most ${maxBytes} bytes`);
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** A form body (urlencoded or multipart) read through readBoundedBody. */
export async function readBoundedForm(req: Request, maxBytes = MAX_PUBLIC_BODY_BYTES) {
  const body = await readBoundedBody(req, maxBytes);
  const type = req.headers.get("content-type") ?? "application/x-www-form-urlencoded";
  return new Response(new Uint8Array(body), { headers: { "content-type": type } }).formData();
}
