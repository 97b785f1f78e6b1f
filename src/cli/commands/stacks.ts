/** `keycard stacks …`: the sets of services inside an org; collectors name them as the basic-auth user. */
import { stringValue } from "../args.ts";
import type { Command } from "../command.ts";
import type { Stack } from "../../core/model.ts";
import { time } from "../output.ts";
import { deleteCommand, getCommand, itemPath, listCommand, ORG_OPTION, orgQuery, requireChanges, showItem, type Resource } from "./resource.ts";

const stacks: Resource<Stack> = {
  noun: "stacks",
  kind: "stack",
  plural: "stacks",
  path: "/api/v1/stacks",
  orgScoped: true,
  columns: ["ID", "NAME", "ORG", "CREATED"],
  row: (s) => [s.id, s.name, s.orgId, time(s.createdAt)],
  show: (s) => [
    ["id", s.id],
    ["name", s.name],
    ["org", s.orgId],
    ["created", time(s.createdAt)],
    ["updated", time(s.updatedAt)],
  ],
};

const create: Command = {
  path: ["stacks", "create"],
  summary: "Create a stack in an org",
  options: { ...ORG_OPTION, name: { type: "string", value: "name", description: "the stack's name, unique in its org", required: true } },
  help: "Example:\n  keycard stacks create --org $ORG --name prod-eu",
  fields: { name: "--name", orgId: "--org" },
  run: async (ctx) => {
    const { orgId } = orgQuery(ctx);
    const body = { name: stringValue(ctx.values, "name"), ...(orgId ? { orgId } : {}) };
    showItem(ctx, stacks, await ctx.client.call<Stack>("POST", stacks.path, { body }));
    return 0;
  },
};

const update: Command = {
  path: ["stacks", "update"],
  summary: "Rename a stack",
  args: [{ name: "id", description: "the stack's id" }],
  options: { ...ORG_OPTION, name: { type: "string", value: "name", description: "the new name" } },
  fields: { name: "--name" },
  run: async (ctx) => {
    const body: Record<string, unknown> = {};
    const name = stringValue(ctx.values, "name");
    if (name !== undefined) body.name = name;
    requireChanges(body, update.path, "--name");
    showItem(ctx, stacks, await ctx.client.call<Stack>("POST", itemPath(stacks, ctx.args[0]!), { body, query: orgQuery(ctx) }));
    return 0;
  },
};

/** The stack commands. */
export const stackCommands: Command[] = [listCommand(stacks), getCommand(stacks), create, update, deleteCommand(stacks)];
