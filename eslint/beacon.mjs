/**
 * Beacon's own lint rules: how a lib/ verb is written (lib/VERBS.md).
 *
 * - beacon/no-raw-transaction: no `.transaction(` call; open transactions with withTransaction()
 *   from lib/context.ts, the one file allowed to call it.
 * - beacon/verb-shape: an exported verb (a function whose first parameter is an object pattern
 *   with `ctx` or `input`) that opens a transaction with withTransaction() calls a permission
 *   guard before it, and writes an audit row with recordAudit() inside it when the transaction
 *   writes. Opt-outs are comments in or just before the function, each with its reason:
 *     `verb-no-permission: <why>` and `verb-no-audit: <why>`.
 */

const DEFAULT_GUARDS = ["requirePermission", "requireSubscriberAdmin"];
// Calls on a transaction that write, and lib/ helpers that write with the tx they are given.
const WRITE_METHODS = new Set(["insert", "update", "delete"]);
const DEFAULT_WRITERS = [
  "enqueueNotification",
  "enqueueUserWarning",
  "warnOrgAdmins",
  "applyCellChanges",
  "syncCellIntervals",
  "evaluateRules",
  "applyDefaultAlertSettings",
];
const OPT_OUT = /\b(verb-no-permission|verb-no-audit)\b:?\s*(.*)/;

function calleeName(call) {
  const c = call.callee;
  if (c.type === "Identifier") return c.name;
  if (c.type === "MemberExpression" && !c.computed && c.property.type === "Identifier")
    return c.property.name;
  return null;
}

/** Every node under `node`, depth first in source order (nested functions included). */
function* walk(node, keys) {
  yield node;
  for (const key of keys[node.type] ?? []) {
    const child = node[key];
    if (Array.isArray(child)) {
      for (const c of child) if (c && typeof c.type === "string") yield* walk(c, keys);
    } else if (child && typeof child.type === "string") {
      yield* walk(child, keys);
    }
  }
}

const noRawTransaction = {
  meta: {
    type: "problem",
    docs: { description: "Open transactions with withTransaction() (lib/context.ts)" },
    messages: {
      raw: "Open the transaction with withTransaction(ctx, …) or withTransaction({ db }, …) from lib/context.ts: it joins an outer transaction and runs after-commit effects.",
    },
    schema: [],
  },
  create(context) {
    return {
      CallExpression(node) {
        const c = node.callee;
        if (
          c.type === "MemberExpression" &&
          !c.computed &&
          c.property.type === "Identifier" &&
          c.property.name === "transaction"
        ) {
          context.report({ node, messageId: "raw" });
        }
      },
    };
  },
};

function isVerbParams(fn) {
  const p = fn.params[0];
  if (!p || p.type !== "ObjectPattern") return false;
  return p.properties.some(
    (prop) =>
      prop.type === "Property" &&
      prop.key.type === "Identifier" &&
      (prop.key.name === "ctx" || prop.key.name === "input"),
  );
}

const verbShape = {
  meta: {
    type: "problem",
    docs: {
      description:
        "A verb that opens a transaction checks permission before it and audits its writes in it",
    },
    messages: {
      guard:
        "Verb '{{name}}' opens a transaction without a permission check before it: call {{guards}} first, or explain with a `verb-no-permission: <reason>` comment.",
      audit:
        "Verb '{{name}}' writes in its transaction but records no audit row there: call recordAudit(tx, …) in it, or explain with a `verb-no-audit: <reason>` comment.",
      reason: "An opt-out comment needs its reason: `{{tag}}: <why>`.",
    },
    schema: [
      {
        type: "object",
        properties: {
          guards: { type: "array", items: { type: "string" } },
          writers: { type: "array", items: { type: "string" } },
        },
        additionalProperties: false,
      },
    ],
  },
  create(context) {
    const options = context.options[0] ?? {};
    const guards = new Set(options.guards ?? DEFAULT_GUARDS);
    const writers = new Set(options.writers ?? DEFAULT_WRITERS);
    const source = context.sourceCode;
    const keys = source.visitorKeys;

    function optOuts(exported, fn) {
      const comments = [
        ...source.getCommentsBefore(exported),
        ...source
          .getAllComments()
          .filter((c) => c.range[0] >= fn.range[0] && c.range[1] <= fn.range[1]),
      ];
      const found = new Map();
      for (const c of comments) {
        for (const line of c.value.split("\n")) {
          const m = line.match(OPT_OUT);
          if (!m) continue;
          const reason = m[2].replace(/\*\/\s*$/, "").trim();
          if (reason.length < 3)
            context.report({ loc: c.loc, messageId: "reason", data: { tag: m[1] } });
          else found.set(m[1], reason);
        }
      }
      return found;
    }

    function check(fn, name, exported) {
      if (!isVerbParams(fn)) return;
      const nodes = [...walk(fn.body, keys)];
      const txCalls = nodes.filter(
        (n) => n.type === "CallExpression" && calleeName(n) === "withTransaction",
      );
      if (txCalls.length === 0) return;
      const opts = optOuts(exported, fn);
      const first = txCalls[0];

      const guarded = nodes.some(
        (n) =>
          n.type === "CallExpression" && guards.has(calleeName(n)) && n.range[1] <= first.range[0],
      );
      if (!guarded && !opts.has("verb-no-permission")) {
        context.report({
          node: first,
          messageId: "guard",
          data: { name, guards: [...guards].join(" or ") },
        });
      }

      for (const call of txCalls) {
        const body = call.arguments[1];
        if (
          !body ||
          (body.type !== "ArrowFunctionExpression" && body.type !== "FunctionExpression")
        )
          continue;
        const txName = body.params[0]?.type === "Identifier" ? body.params[0].name : "tx";
        const inner = [...walk(body.body, keys)].filter((n) => n.type === "CallExpression");
        const writes = inner.some((n) => {
          const callee = calleeName(n);
          if (n.callee.type === "Identifier") return writers.has(callee);
          // tx.insert(…), tx.update(…), tx.delete(…) (not Map#delete and the like)
          return (
            WRITE_METHODS.has(callee) &&
            n.callee.object.type === "Identifier" &&
            n.callee.object.name === txName
          );
        });
        const audited = inner.some((n) => calleeName(n) === "recordAudit");
        if (writes && !audited && !opts.has("verb-no-audit")) {
          context.report({ node: call, messageId: "audit", data: { name } });
        }
      }
    }

    return {
      "ExportNamedDeclaration > FunctionDeclaration"(fn) {
        check(fn, fn.id?.name ?? "(anonymous)", fn.parent);
      },
      "ExportNamedDeclaration > VariableDeclaration > VariableDeclarator"(decl) {
        const init = decl.init;
        if (init && (init.type === "ArrowFunctionExpression" || init.type === "FunctionExpression"))
          check(init, decl.id.name, decl.parent.parent);
      },
      "ExportDefaultDeclaration > FunctionDeclaration"(fn) {
        check(fn, fn.id?.name ?? "default", fn.parent);
      },
    };
  },
};

export default {
  meta: { name: "beacon" },
  rules: { "no-raw-transaction": noRawTransaction, "verb-shape": verbShape },
};
