/**
 * The `/docs` reference page: the OpenAPI document rendered on the server into one self-contained HTML
 * page. No script, no external resource; its only inline style is allowed by hash in a strict CSP.
 */

/** The parts of an OpenAPI 3.1 document the page reads. */
interface Doc {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, Operation | undefined> | undefined>;
  components?: { schemas?: Record<string, Schema> };
}

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: Schema; example?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>;
}

type Schema = {
  $ref?: string;
  type?: string | string[];
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  description?: string;
  example?: unknown;
  default?: unknown;
  const?: unknown;
};

const METHODS = ["get", "post", "put", "patch", "delete"];

/** The page's only style; the CSP allows it by its hash. */
export const DOCS_STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 2rem;color:#1d2330}
code,pre{font:13px/1.4 ui-monospace,monospace;background:#f2f4f8;border-radius:3px}
code{padding:0 .2em}pre{padding:.6rem;overflow:auto}
h2{border-bottom:1px solid #d8dce4;margin-top:2.5rem}h3{margin:1.8rem 0 .3rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0}td,th{border:1px solid #d8dce4;padding:.25rem .5rem;text-align:left;vertical-align:top}
.m{display:inline-block;min-width:4.2rem;text-align:center;color:#fff;border-radius:3px;font-size:12px;padding:.1rem .3rem;margin-right:.4rem}
.get{background:#2f6fb0}.post{background:#2f8a4c}.delete{background:#b03a2f}.put,.patch{background:#9a6a12}
nav ul{columns:2}small{color:#5b6475}`;

/** HTML-escapes text. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Escapes text, then renders `code` spans and **bold** as in the descriptions. */
function prose(s: string | undefined): string {
  if (!s) return "";
  return esc(s)
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>");
}

const refName = (ref: string) => ref.slice(ref.lastIndexOf("/") + 1);
const anchor = (s: string) => s.replace(/[^A-Za-z0-9]+/g, "-");

function typeOf(s: Schema | undefined): string {
  if (!s) return "any";
  if (s.$ref) return `<a href="#schema-${anchor(refName(s.$ref))}">${esc(refName(s.$ref))}</a>`;
  if (s.const !== undefined) return `<code>${esc(JSON.stringify(s.const))}</code>`;
  if (s.enum) return s.enum.map((v) => `<code>${esc(JSON.stringify(v))}</code>`).join(" | ");
  const union = s.anyOf ?? s.oneOf;
  if (union) return union.map(typeOf).join(" | ");
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : ["any"];
  return types.map((t) => (t === "array" ? `${typeOf(s.items)}[]` : t === "object" && !s.properties ? "object" : esc(t))).join(" | ");
}

function example(s: Schema | undefined, doc: Doc): unknown {
  if (!s) return undefined;
  if (s.$ref) return doc.components?.schemas?.[refName(s.$ref)]?.example;
  return s.example;
}

function parameters(op: Operation): string {
  if (!op.parameters?.length) return "";
  const rows = op.parameters.map(
    (p) =>
      `<tr><td><code>${esc(p.name)}</code>${p.required ? " <small>required</small>" : ""}</td><td>${esc(p.in)}</td>` +
      `<td>${typeOf(p.schema)}</td><td>${prose(p.description ?? p.schema?.description)}` +
      `${p.schema?.example !== undefined ? ` <small>e.g. <code>${esc(p.schema.example)}</code></small>` : ""}</td></tr>`,
  );
  return `<table><tr><th>parameter</th><th>in</th><th>type</th><th>description</th></tr>${rows.join("")}</table>`;
}

function body(op: Operation, doc: Doc): string {
  const schema = op.requestBody?.content?.["application/json"]?.schema;
  if (!schema) return "";
  const ex = example(schema, doc);
  const shown = ex === undefined ? "" : `<pre>${esc(JSON.stringify(ex, null, 2))}</pre>`;
  return `<p>Body (<code>application/json</code>): ${typeOf(schema)}</p>${shown}`;
}

function responses(op: Operation): string {
  const rows = Object.entries(op.responses ?? {}).map(([status, r]) => {
    const schema = r.content?.["application/json"]?.schema;
    return `<tr><td>${esc(status)}</td><td>${prose(r.description)}</td><td>${schema ? typeOf(schema) : ""}</td></tr>`;
  });
  return `<table><tr><th>status</th><th>meaning</th><th>body</th></tr>${rows.join("")}</table>`;
}

function operations(doc: Doc): { tag: string; id: string; method: string; path: string; op: Operation }[] {
  const out = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item?.[method];
      if (op) out.push({ tag: op.tags?.[0] ?? "other", id: anchor(`${method}${path}`), method, path, op });
    }
  }
  return out;
}

function schemas(doc: Doc): string {
  return Object.entries(doc.components?.schemas ?? {})
    .map(([name, s]) => {
      const props = Object.entries(s.properties ?? {}).map(
        ([p, ps]) =>
          `<tr><td><code>${esc(p)}</code>${s.required?.includes(p) ? " <small>required</small>" : ""}</td>` +
          `<td>${typeOf(ps)}</td><td>${prose(ps.description)}</td></tr>`,
      );
      const table = props.length ? `<table><tr><th>field</th><th>type</th><th>description</th></tr>${props.join("")}</table>` : `<p>${typeOf(s)}</p>`;
      return `<h3 id="schema-${anchor(name)}">${esc(name)}</h3>${table}`;
    })
    .join("");
}

/** Renders the whole page. */
export function renderDocs(doc: Doc): string {
  const ops = operations(doc);
  const tags = [...new Set(ops.map((o) => o.tag))];
  const nav = ops.map((o) => `<li><a href="#${o.id}">${esc(o.method.toUpperCase())} ${esc(o.path)}</a></li>`).join("");
  const sections = tags
    .map((tag) => {
      const inTag = ops.filter((o) => o.tag === tag);
      const items = inTag.map(
        (o) =>
          `<h3 id="${o.id}"><span class="m ${esc(o.method)}">${esc(o.method.toUpperCase())}</span><code>${esc(o.path)}</code></h3>` +
          `<p>${prose(o.op.summary)}</p>${o.op.description ? `<p>${prose(o.op.description)}</p>` : ""}` +
          parameters(o.op) +
          body(o.op, doc) +
          responses(o.op),
      );
      return `<h2>${esc(tag)}</h2>${items.join("")}`;
    })
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(doc.info.title)} API reference</title><style>${DOCS_STYLE}</style></head><body>
<h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1><p>${prose(doc.info.description)}</p>
<p>The machine-readable document is <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<nav><ul>${nav}</ul></nav>${sections}<h2>Schemas</h2>${schemas(doc)}</body></html>`;
}
