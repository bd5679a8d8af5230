import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering (a slow receiver). */
  delayMs?: number;
  /** Send the status line and headers, then hold the body this long before finishing it. */
  bodyDelayMs?: number;
  /** Answer only once this settles (a receiver the test holds until it has seen what it needs). */
  until?: Promise<unknown>;
}

/**
 * A local HTTP server standing in for Resend, Slack, Teams, Twilio or a customer webhook.
 * Replies are taken from `script` in order; when it runs out, `fallback` answers.
 */
export async function startReceiver(
  opts: {
    script?: Reply[];
    fallback?: Reply;
    /** Answers a request, or leaves it (undefined) to `fallback`. */
    handler?: (req: ReceivedRequest) => Reply | undefined;
  } = {},
) {
  const requests: ReceivedRequest[] = [];
  const script = [...(opts.script ?? [])];
  let fallback: Reply = opts.fallback ?? { status: 200, body: "ok" };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const received: ReceivedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(received);
      const reply = script.shift() ?? opts.handler?.(received) ?? fallback;
      const answer = () => {
        res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
        if (!reply.bodyDelayMs) return res.end(reply.body ?? "");
        res.flushHeaders();
        setTimeout(() => res.end(reply.body ?? ""), reply.bodyDelayMs).unref();
      };
      if (reply.until) void reply.until.then(answer, answer);
      else if (reply.delayMs) setTimeout(answer, reply.delayMs).unref();
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setFallback(r: Reply) {
      fallback = r;
    },
    push(...r: Reply[]) {
      script.push(...r);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/**
 * A public webhook subscriber's receiver: answers Beacon's verification challenge (the
 * `subscription.verification` event) by echoing `data.challenge`; undefined for anything else.
 */
export function answerChallenge(req: ReceivedRequest): Reply | undefined {
  try {
    const event = JSON.parse(req.body) as { type?: unknown; data?: { challenge?: unknown } };
    if (event.type !== "subscription.verification") return undefined;
    return { status: 200, body: JSON.stringify({ challenge: event.data?.challenge }) };
  } catch {
    return undefined;
  }
}
