/** What the admin nouns share: `list`, `get` and `delete`, the `--org` flag, paging, and showing objects. */
import { booleanValue, intValue, stringValue } from "../args.ts";
import type { Command, Context, Options } from "../command.ts";
import { CliError, TransportError, UsageError } from "../errors.ts";
import { keyValues, table } from "../output.ts";

/** The list envelope of the admin API. */
export interface Page<T> {
  items: T[];
  metadata: { pagination: { pageSize: number; pageCursor: string | null; nextPage: string | null } };
}

/** An admin resource, as the CLI shows it. */
export interface Resource<T> {
  noun: string;
  /** Singular, for messages: `access policy`. */
  kind: string;
  plural: string;
  path: string;
  /** Takes `--org` (every resource but orgs themselves). */
  orgScoped: boolean;
  columns: readonly string[];
  row: (item: T, now: number) => string[];
  show: (item: T, now: number) => [string, string][];
  listOptions?: Options;
  listQuery?: (ctx: Context) => Record<string, string | undefined>;
  /** What else a delete removes, for help and the prompt: `and all its tokens`. */
  deletes?: string;
}

/** `--org <id>`. */
export const ORG_OPTION: Options = {
  org: { type: "string", value: "id", description: "the org to act in; the operator token must name it (env KEYCARD_ORG)" },
};

const PAGE_OPTIONS: Options = {
  "page-size": { type: "string", value: "n", description: "items per page (1-1000; server default 100)" },
  "page-cursor": { type: "string", value: "cursor", description: "start at this cursor (printed when there are more)" },
  all: { type: "boolean", description: "follow every page" },
};

/** The `orgId` query of a call: `--org`, else KEYCARD_ORG. */
export function orgQuery(ctx: Context): { orgId?: string } {
  const org = stringValue(ctx.values, "org") ?? (ctx.io.env.KEYCARD_ORG || undefined);
  return org ? { orgId: org } : {};
}

/** The path of one object. */
export function itemPath<T>(r: Resource<T>, id: string): string {
  return `${r.path}/${encodeURIComponent(id)}`;
}

/** Prints one object: JSON, or its key–value view. */
export function showItem<T>(ctx: Context, r: Resource<T>, item: T): void {
  if (ctx.json) ctx.printJson(item);
  else ctx.print(keyValues(r.show(item, ctx.io.now())));
}

/** `<noun> list`. */
export function listCommand<T>(r: Resource<T>): Command {
  return {
    path: [r.noun, "list"],
    summary: `List ${r.plural}`,
    options: { ...(r.orgScoped ? ORG_OPTION : {}), ...r.listOptions, ...PAGE_OPTIONS },
    help: "One page by default; a note on stderr says when there are more. --json prints the API's list envelope.",
    run: async (ctx) => {
      const pageSize = intValue(ctx.values, "page-size", 1000);
      const all = booleanValue(ctx.values, "all");
      let cursor = stringValue(ctx.values, "page-cursor");
      const items: T[] = [];
      let page: Page<T>;
      for (;;) {
        const query = { ...(r.orgScoped ? orgQuery(ctx) : {}), ...r.listQuery?.(ctx), pageSize, pageCursor: cursor };
        page = await ctx.client.call<Page<T>>("GET", r.path, { query });
        if (!Array.isArray(page?.items)) throw new TransportError(`GET ${r.path}: the answer is not a list; check --url`);
        items.push(...page.items);
        const next = nextCursor(page);
        if (next === cursor) break;
        cursor = next;
        if (!all || cursor === undefined) break;
      }
      if (ctx.json) {
        ctx.printJson(all ? { items, metadata: { pagination: { ...page.metadata?.pagination, nextPage: null } } } : page);
        return 0;
      }
      const now = ctx.io.now();
      if (items.length === 0) ctx.note(`no ${r.plural}`);
      else ctx.print(table(r.columns, items.map((i) => r.row(i, now))));
      if (!all && cursor !== undefined) ctx.note(`more ${r.plural}: add --all, or --page-cursor ${cursor}`);
      return 0;
    },
  };
}

/** The cursor of the next page, from `nextPage`. */
export function nextCursor(page: Page<unknown>): string | undefined {
  const next = page.metadata?.pagination?.nextPage;
  if (!next) return undefined;
  return new URL(next, "http://keycard.invalid").searchParams.get("pageCursor") ?? undefined;
}

/** `<noun> get <id>`. */
export function getCommand<T>(r: Resource<T>): Command {
  return {
    path: [r.noun, "get"],
    summary: `Show one ${r.kind}`,
    args: [{ name: "id", description: `the ${r.kind}'s id` }],
    options: r.orgScoped ? ORG_OPTION : {},
    run: async (ctx) => {
      const query = r.orgScoped ? orgQuery(ctx) : {};
      showItem(ctx, r, await ctx.client.call<T>("GET", itemPath(r, ctx.args[0]!), { query }));
      return 0;
    },
  };
}

/** `<noun> delete <id>`: asks first on a terminal; elsewhere needs `--yes`. */
export function deleteCommand<T extends { name?: string }>(r: Resource<T>): Command {
  return {
    path: [r.noun, "delete"],
    summary: `Delete ${r.kind === "token" ? "(revoke) " : ""}${/^[aeiou]/.test(r.kind) ? "an" : "a"} ${r.kind}${r.deletes ? ` ${r.deletes}` : ""}`,
    args: [{ name: "id", description: `the ${r.kind}'s id` }],
    options: {
      ...(r.orgScoped ? ORG_OPTION : {}),
      yes: { type: "boolean", short: "y", description: "do not ask for confirmation (needed when stdin is not a terminal)" },
    },
    run: async (ctx) => {
      const id = ctx.args[0]!;
      const query = r.orgScoped ? orgQuery(ctx) : {};
      if (!booleanValue(ctx.values, "yes")) {
        if (!ctx.io.confirm) throw new UsageError(`not deleting without confirmation: pass --yes`, [r.noun, "delete"]);
        const item = await ctx.client.call<T>("GET", itemPath(r, id), { query });
        const label = item?.name ? `${item.name} (${id})` : id;
        if (!(await ctx.io.confirm(`Delete ${r.kind} ${label}${r.deletes ? ` ${r.deletes}` : ""}?`))) {
          throw new CliError("not deleted");
        }
      }
      await ctx.client.call("DELETE", itemPath(r, id), { query });
      if (ctx.json) ctx.printJson({ id, deleted: true });
      else ctx.print(`deleted ${r.kind} ${id}`);
      return 0;
    },
  };
}

/** Refuses an update that changes nothing. */
export function requireChanges(body: Record<string, unknown>, path: readonly string[], flags: string): void {
  if (Object.keys(body).length === 0) throw new UsageError(`nothing to update: pass ${flags}`, path);
}
