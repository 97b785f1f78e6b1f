/** `keycard policies …`: access policies (scopes, realms with label selectors, allowed subnets, status). */
import { booleanValue, listValue, stringValue } from "../args.ts";
import type { Command, Context, Options } from "../command.ts";
import type { AccessPolicy, Realm } from "../../core/model.ts";
import { SCOPE_SETS, SCOPES, serviceOf } from "../../core/scopes.ts";
import { UsageError } from "../errors.ts";
import { list, time } from "../output.ts";
import { deleteCommand, getCommand, itemPath, listCommand, ORG_OPTION, orgQuery, requireChanges, showItem, type Resource } from "./resource.ts";

const policies: Resource<AccessPolicy> = {
  noun: "policies",
  kind: "access policy",
  plural: "access policies",
  path: "/api/v1/accesspolicies",
  orgScoped: true,
  columns: ["ID", "NAME", "STATUS", "SCOPES", "REALMS"],
  row: (p) => [p.id, p.name, p.status, p.scopes.join(","), p.realms.map((r) => `${r.type}:${r.identifier}`).join(",")],
  show: (p) => [
    ["id", p.id],
    ["name", p.name],
    ["display name", p.displayName],
    ["org", p.orgId],
    ["status", p.status],
    ["scopes", p.scopes.map((s) => (SCOPE_SETS[s] ? `${s} (${SCOPE_SETS[s].join(" ")})` : s)).join("\n")],
    ["realms", p.realms.map(showRealm).join("\n")],
    ["subnets", p.conditions.allowedSubnets.length === 0 ? "any" : list(p.conditions.allowedSubnets)],
    ["created", time(p.createdAt)],
    ["updated", time(p.updatedAt)],
  ],
  deletes: "and all its tokens",
};

function showRealm(r: Realm): string {
  const selectors = r.labelPolicies.map((l) => l.selector);
  return `${r.type}:${r.identifier}${selectors.length > 0 ? `  ${selectors.join(" or ")}` : ""}`;
}

const FIELDS: Options = {
  "display-name": { type: "string", value: "text", description: "a human name (defaults to the name)" },
  scope: {
    type: "string",
    multiple: true,
    value: "scope",
    description: "a scope or set, e.g. metrics:write or set:alloy-data-write; commas separate several",
  },
  realm: { type: "string", multiple: true, value: "realm", description: "stack:<id>, org:<id>, or org for the --org org" },
  "label-selector": {
    type: "string",
    multiple: true,
    value: "[realm=]selector",
    description: "limits metrics:read and logs:read in a realm, e.g. 'stack:<id>={env=\"dev\"}'; the realm may be left out when there is only one; a realm's selectors are ORed",
  },
  subnet: {
    type: "string",
    multiple: true,
    value: "cidr",
    description: "allowed client IPs, e.g. 10.0.0.0/8 or 2001:db8::/32; commas separate several; none means any IP",
  },
  status: { type: "string", value: "status", choices: ["active", "inactive"], description: "active (default) or inactive (authorizes nothing)" },
};

/** Server field paths → flags, for error details. */
const FIELD_FLAGS = {
  name: "--name",
  displayName: "--display-name",
  scopes: "--scope",
  realms: "--realm",
  "realms.*.labelPolicies": "--label-selector",
  "conditions.allowedSubnets": "--subnet",
  status: "--status",
};

/** Parses `stack:<id>`, `org:<id>`, or `org` (the acting org, from `--org`). */
export function parseRealm(text: string, org: string | undefined, flag = "--realm"): { type: "org" | "stack"; identifier: string } {
  const m = /^(org|stack)(?::([A-Za-z0-9_-]+))?$/.exec(text.trim());
  if (!m) throw new UsageError(`${flag} "${text}" is not stack:<id>, org:<id> or org`);
  const type = m[1] as "org" | "stack";
  const identifier = m[2] ?? (type === "org" ? org : undefined);
  if (!identifier) {
    throw new UsageError(type === "org" ? `${flag} org needs the org's id: write org:<id>, or pass --org <id>` : `${flag} stack needs the stack's id: stack:<id>`);
  }
  return { type, identifier };
}

/** Builds the `realms` of a policy from `--realm` and `--label-selector` values. */
export function buildRealms(realmFlags: readonly string[], selectorFlags: readonly string[], org: string | undefined): Realm[] {
  const realms: Realm[] = realmFlags.map((r) => ({ ...parseRealm(r, org), labelPolicies: [] }));
  for (const text of selectorFlags) {
    const t = text.trim();
    let realm: Realm | undefined;
    let selector: string;
    if (t.startsWith("{")) {
      if (realms.length !== 1) {
        throw new UsageError(`--label-selector '${t}' must name its realm (<realm>=${t}) when there are ${realms.length} realms`);
      }
      [realm, selector] = [realms[0], t];
    } else {
      const eq = t.indexOf("=");
      if (eq < 0) throw new UsageError(`--label-selector '${t}' is not [<realm>=]{<matchers>}, e.g. 'stack:<id>={env="dev"}'`);
      const key = parseRealm(t.slice(0, eq), org, "--label-selector");
      realm = realms.find((r) => r.type === key.type && r.identifier === key.identifier);
      if (!realm) throw new UsageError(`--label-selector names ${key.type}:${key.identifier}, which is not one of the --realm values`);
      selector = t.slice(eq + 1).trim();
    }
    realm!.labelPolicies.push({ selector });
  }
  return realms;
}

/** The body of a create or update: only the fields whose flags are present. */
export function policyBody(ctx: Pick<Context, "values" | "io">, path: readonly string[]): Record<string, unknown> {
  const v = ctx.values;
  const body: Record<string, unknown> = {};
  const name = stringValue(v, "name");
  if (name !== undefined) body.name = name;
  const displayName = stringValue(v, "display-name");
  if (displayName !== undefined) body.displayName = displayName;
  const scopes = listValue(v, "scope", true);
  if (scopes !== undefined) body.scopes = scopes;
  const realms = listValue(v, "realm");
  const selectors = listValue(v, "label-selector") ?? [];
  if (realms === undefined && selectors.length > 0) {
    throw new UsageError("--label-selector needs the policy's --realm flags too: realms are replaced as a whole", path);
  }
  if (realms !== undefined) body.realms = buildRealms(realms, selectors, stringValue(v, "org") ?? (ctx.io.env.KEYCARD_ORG || undefined));
  const subnets = listValue(v, "subnet", true);
  const clear = booleanValue(v, "clear-subnets");
  if (clear && subnets !== undefined) throw new UsageError("--clear-subnets and --subnet contradict each other", path);
  if (subnets !== undefined || clear) body.conditions = { allowedSubnets: subnets ?? [] };
  const status = stringValue(v, "status");
  if (status !== undefined) body.status = status;
  return body;
}

/** The scope catalogue, for help: services with their actions, then the sets. */
function catalogue(): string {
  const services = new Map<string, string[]>();
  for (const s of Object.keys(SCOPES)) services.set(serviceOf(s), [...(services.get(serviceOf(s)) ?? []), s.slice(serviceOf(s).length + 1)]);
  const lines = [...services].map(([service, actions]) => `  ${service}:${actions.join("|")}`);
  const sets = Object.entries(SCOPE_SETS).map(([set, members]) => `  ${set} = ${members.join(" ")}`);
  return `Scopes:\n${lines.join("\n")}\nSets:\n${sets.join("\n")}`;
}

const REALM_HELP = `Realms:
  stack:<id>   one stack (collectors send its id as the basic-auth username)
  org:<id>     every stack of the org; "org" alone means the org of --org
Label selectors are Prometheus series selectors ({env="dev", team=~"a|b"}; =, !=, =~, !~). They
limit metrics:read and logs:read only; the server checks them and names the faulty position.`;

const create: Command = {
  path: ["policies", "create"],
  summary: "Create an access policy",
  options: {
    ...ORG_OPTION,
    name: { type: "string", value: "name", description: "unique in the org, lowercase letters, digits and dashes; cannot change", required: true },
    ...FIELDS,
    scope: { ...FIELDS.scope!, required: true },
    realm: { ...FIELDS.realm!, required: true },
  },
  help: `${REALM_HELP}

${catalogue()}

Examples:
  keycard policies create --org $ORG --name alloy-prod --scope set:alloy-data-write \\
    --realm stack:$STACK --subnet 10.0.0.0/8
  keycard policies create --org $ORG --name grafana-dev --scope metrics:read,logs:read \\
    --realm stack:$STACK --label-selector '{env="dev"}'`,
  fields: FIELD_FLAGS,
  run: async (ctx) => {
    const body = policyBody(ctx, create.path);
    showItem(ctx, policies, await ctx.client.call<AccessPolicy>("POST", policies.path, { body, query: orgQuery(ctx) }));
    return 0;
  },
};

const update: Command = {
  path: ["policies", "update"],
  summary: "Change an access policy (only the fields given)",
  args: [{ name: "id", description: "the policy's id" }],
  options: {
    ...ORG_OPTION,
    ...FIELDS,
    "clear-subnets": { type: "boolean", description: "remove every allowed subnet (any client IP)" },
  },
  help: `Only the flags given change. --scope, --realm (with its --label-selector values) and --subnet
each replace the whole list. The name cannot change.

${REALM_HELP}

Examples:
  keycard policies update $POLICY --status inactive
  keycard policies update $POLICY --scope metrics:read --realm stack:$STACK --label-selector '{team="a"}'`,
  fields: FIELD_FLAGS,
  run: async (ctx) => {
    const body = policyBody(ctx, update.path);
    requireChanges(body, update.path, "--display-name, --scope, --realm, --subnet, --clear-subnets or --status");
    const query = orgQuery(ctx);
    showItem(ctx, policies, await ctx.client.call<AccessPolicy>("POST", itemPath(policies, ctx.args[0]!), { body, query }));
    return 0;
  },
};

/** The access-policy commands. */
export const policyCommands: Command[] = [listCommand(policies), getCommand(policies), create, update, deleteCommand(policies)];
