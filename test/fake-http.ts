import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A local HTTP server standing in for an outside provider: records every request and answers
 * with whatever `respond` returns. Tests never call outside hosts.
 */
export async function fakeServer(
  respond: (req: Received) => {
    status?: number;
    body?: unknown;
    headers?: Record<string, string>;
  } = () => ({}),
) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const r: Received = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body,
      };
      received.push(r);
      const out = respond(r);
      res.writeHead(out.status ?? 200, { "content-type": "application/json", ...out.headers });
      res.end(
        out.body === undefined
          ? "{}"
          : typeof out.body === "string"
            ? out.body
            : JSON.stringify(out.body),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
