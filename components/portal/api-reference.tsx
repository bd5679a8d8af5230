import { Card } from "@/components/ui/card";

/**
 * The API reference, rendered on the server from the OpenAPI document /api/v1/openapi.json serves
 * (the page passes it in): no script, nothing loaded from elsewhere.
 */

type Json = Record<string, unknown>;

interface Doc {
  info: { title: string; description?: string };
  tags: { name: string }[];
  paths: Record<string, Record<string, Json>>;
  components: {
    responses: Record<
      string,
      { description: string; content?: Record<string, { example?: unknown }> }
    >;
    securitySchemes: Record<string, { description?: string }>;
  };
}

const METHOD_STYLE: Record<string, string> = {
  get: "bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200",
  post: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
  put: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
  patch: "bg-violet-100 text-violet-900 dark:bg-violet-950 dark:text-violet-200",
  delete: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200",
};

/** `code` spans in the document's short descriptions, without a Markdown renderer. */
function Text({ children }: { children?: unknown }) {
  if (typeof children !== "string") return null;
  return (
    <>
      {children.split(/(`[^`]+`)/).map((part, i) =>
        part.startsWith("`") && part.endsWith("`") ? (
          <code key={i} className="rounded bg-slate-100 px-1 text-xs dark:bg-slate-800">
            {part.slice(1, -1)}
          </code>
        ) : (
          part
        ),
      )}
    </>
  );
}

/** A JSON Schema type in words: "string (uuid)", "array of string", "one of: none, minor". */
function typeOf(s: Json): string {
  if (Array.isArray(s.enum)) return `one of: ${(s.enum as unknown[]).join(", ")}`;
  if ("const" in s) return `exactly ${JSON.stringify(s.const)}`;
  if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) {
    const alts = ((s.anyOf ?? s.oneOf) as Json[]).map(typeOf);
    return alts.join(" or ");
  }
  const t = Array.isArray(s.type)
    ? (s.type as string[]).join(" or ")
    : ((s.type as string) ?? "any");
  if (t === "array" && s.items) return `array of ${typeOf(s.items as Json)}`;
  return s.format ? `${t} (${String(s.format)})` : t;
}

function limits(s: Json): string[] {
  const out: string[] = [];
  if (s.minLength !== undefined && Number(s.minLength) > 0)
    out.push(`at least ${s.minLength} characters`);
  if (s.maxLength !== undefined) out.push(`at most ${s.maxLength} characters`);
  if (s.minimum !== undefined) out.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined) out.push(`≤ ${s.maximum}`);
  if (s.minItems !== undefined) out.push(`at least ${s.minItems} items`);
  if (s.maxItems !== undefined) out.push(`at most ${s.maxItems} items`);
  if (s.default !== undefined) out.push(`default ${JSON.stringify(s.default)}`);
  if (s.pattern !== undefined) out.push(`matches ${String(s.pattern)}`);
  return out;
}

/** The object schema's fields, nested objects (and arrays of objects) indented below their field. */
function Fields({ schema, prefix = "" }: { schema: Json; prefix?: string }) {
  const props = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return (
    <>
      {Object.entries(props).map(([name, s]) => {
        const nested =
          s.type === "object" && s.properties
            ? s
            : s.type === "array" && (s.items as Json | undefined)?.properties
              ? (s.items as Json)
              : null;
        const field = `${prefix}${name}${nested && s.type === "array" ? "[]" : ""}`;
        return (
          <FieldRows
            key={field}
            field={field}
            s={s}
            required={required.has(name)}
            nested={nested}
          />
        );
      })}
    </>
  );
}

function FieldRows({
  field,
  s,
  required,
  nested,
}: {
  field: string;
  s: Json;
  required: boolean;
  nested: Json | null;
}) {
  return (
    <>
      <tr className="align-top">
        <td className="py-1 pr-3 font-mono text-xs">{field}</td>
        <td className="py-1 pr-3 text-xs">
          {nested ? (s.type === "array" ? "array of objects" : "object") : typeOf(s)}
        </td>
        <td className="py-1 pr-3 text-xs">{required ? "required" : "optional"}</td>
        <td className="py-1 text-xs text-slate-600 dark:text-slate-400">
          {[typeof s.description === "string" ? s.description : null, ...limits(s)]
            .filter(Boolean)
            .join("; ")}
        </td>
      </tr>
      {nested && <Fields schema={nested} prefix={`${field}.`} />}
    </>
  );
}

function FieldTable({ schema, caption }: { schema: Json; caption: string }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="mb-1 text-left text-sm font-medium">{caption}</caption>
        <thead className="text-xs text-slate-500">
          <tr>
            <th className="pr-3 font-medium">Field</th>
            <th className="pr-3 font-medium">Type</th>
            <th className="pr-3 font-medium">Required</th>
            <th className="font-medium">Rules</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          <Fields schema={schema} />
        </tbody>
      </table>
    </div>
  );
}

function Example({ value, label }: { value: unknown; label: string }) {
  return (
    <figure className="space-y-1">
      <figcaption className="text-xs font-medium text-slate-600 dark:text-slate-400">
        {label}
      </figcaption>
      <pre className="overflow-x-auto rounded-md bg-slate-100 p-3 text-xs dark:bg-slate-950">
        {JSON.stringify(value, null, 2)}
      </pre>
    </figure>
  );
}

export const anchorOf = (method: string, path: string) =>
  `${method}-${path.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "")}`;

function OperationCard({ method, path, op }: { method: string; path: string; op: Json }) {
  const parameters = (op.parameters ?? []) as Json[];
  const body = op.requestBody as
    | {
        content: Record<
          string,
          { schema: Json; examples?: Record<string, { summary?: string; value: unknown }> }
        >;
      }
    | undefined;
  const json = body?.content["application/json"];
  const alternatives = json ? ((json.schema.oneOf as Json[] | undefined) ?? [json.schema]) : [];
  const codes = Object.entries(op.responses as Record<string, Json>);
  return (
    <article
      id={anchorOf(method, path)}
      className="scroll-mt-4 space-y-3 border-t border-slate-200 pt-4 first:border-t-0 first:pt-0 dark:border-slate-800"
    >
      <h3 className="flex flex-wrap items-center gap-2 text-base font-semibold">
        <span
          className={`rounded px-2 py-0.5 font-mono text-xs uppercase ${METHOD_STYLE[method] ?? ""}`}
        >
          {method}
        </span>
        <code className="font-mono text-sm">/api/v1{path}</code>
        <span className="font-normal text-slate-600 dark:text-slate-400">
          — {String(op.summary)}
        </span>
      </h3>
      {String(op.description ?? "")
        .split("\n\n")
        .map((p, i) => (
          <p key={i} className="text-sm">
            <Text>{p}</Text>
          </p>
        ))}
      {parameters.length > 0 && (
        <FieldTable
          caption={
            parameters.some((p) => p.in === "query")
              ? "Parameters (path and query)"
              : "Path parameters"
          }
          schema={{
            properties: Object.fromEntries(
              parameters.map((p) => [
                p.name as string,
                { ...(p.schema as Json), description: p.description },
              ]),
            ),
            required: parameters.filter((p) => p.required).map((p) => p.name),
          }}
        />
      )}
      {alternatives.map((s, i) => (
        <FieldTable
          key={i}
          schema={s}
          caption={
            alternatives.length > 1 ? `Body, either: ${String(s.title ?? i + 1)}` : "Body (JSON)"
          }
        />
      ))}
      {body && !json && <p className="text-sm">Body: {Object.keys(body.content).join(", ")}.</p>}
      {json?.examples &&
        Object.values(json.examples).map((ex, i) => (
          <Example key={i} value={ex.value} label={`Example: ${ex.summary ?? "request"}`} />
        ))}
      <div>
        <p className="mb-1 text-sm font-medium">Answers</p>
        <ul className="space-y-0.5 text-sm">
          {codes.map(([code, r]) => {
            const ref = typeof r.$ref === "string" ? r.$ref.split("/").pop()! : null;
            return (
              <li key={code}>
                <span className="font-mono">{code}</span>{" "}
                {ref ? (
                  <a href={`#error-${ref}`} className="text-sky-700 underline dark:text-sky-400">
                    {ref.replace(/([a-z])([A-Z])/g, "$1 $2")}
                  </a>
                ) : (
                  <Text>{String(r.description)}</Text>
                )}
              </li>
            );
          })}
        </ul>
      </div>
    </article>
  );
}

export function ApiReference({ doc }: { doc: Doc }) {
  const ops = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op })),
  );
  const auth = Object.values(doc.components.securitySchemes)[0];
  return (
    <div className="space-y-6">
      <Card title="Using the API">
        <div className="space-y-2 text-sm">
          <p>
            <Text>{doc.info.description}</Text>
          </p>
          {auth?.description && (
            <p>
              <Text>{auth.description}</Text>
            </p>
          )}
          <p>
            The machine-readable description (OpenAPI 3.1) is at{" "}
            <a href="/api/v1/openapi.json" className="text-sky-700 underline dark:text-sky-400">
              /api/v1/openapi.json
            </a>
            ; load it into any OpenAPI tool to generate a client.
          </p>
        </div>
        <nav aria-label="Operations" className="mt-4 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
          {doc.tags.map((t) => (
            <div key={t.name}>
              <p className="mt-2 font-medium">{t.name}</p>
              <ul>
                {ops
                  .filter((o) => (o.op.tags as string[])[0] === t.name)
                  .map((o) => (
                    <li key={`${o.method} ${o.path}`}>
                      <a
                        href={`#${anchorOf(o.method, o.path)}`}
                        className="text-sky-700 hover:underline dark:text-sky-400"
                      >
                        <span className="font-mono text-xs uppercase">{o.method}</span> {o.path}
                      </a>
                    </li>
                  ))}
              </ul>
            </div>
          ))}
        </nav>
      </Card>
      {doc.tags.map((t) => (
        <Card key={t.name} title={t.name}>
          <div className="space-y-6">
            {ops
              .filter((o) => (o.op.tags as string[])[0] === t.name)
              .map((o) => (
                <OperationCard
                  key={`${o.method} ${o.path}`}
                  method={o.method}
                  path={o.path}
                  op={o.op}
                />
              ))}
          </div>
        </Card>
      ))}
      <Card title="Errors">
        <p className="mb-3 text-sm">
          Every error answers the same JSON shape:{" "}
          <code>{"{ error: { code, message, fields? } }"}</code>.
        </p>
        <div className="space-y-4">
          {Object.entries(doc.components.responses).map(([name, r]) => (
            <div key={name} id={`error-${name}`} className="scroll-mt-4 space-y-1">
              <h3 className="text-sm font-semibold">{name.replace(/([a-z])([A-Z])/g, "$1 $2")}</h3>
              <p className="text-sm">
                <Text>{r.description}</Text>
              </p>
              {r.content?.["application/json"]?.example !== undefined && (
                <Example value={r.content["application/json"].example} label="Example" />
              )}
            </div>
          ))}
        </div>
      </Card>
    </div>
  );
}
