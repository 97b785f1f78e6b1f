/** Help text, generated from the command specs so it cannot drift from the parser. */
import type { Command, Options } from "./command.ts";

const ENVIRONMENT = `Environment:
  KEYCARD_URL    Keycard's base URL (default http://127.0.0.1:8787, as npm start serves it)
  KEYCARD_TOKEN  the token to call with: the operator token, or a token with admin scopes
  KEYCARD_ORG    the default for --org`;

const EXIT_CODES = "Exit status: 0 success, 1 error (or a denied authorize), 2 bad usage, 4 unauthenticated (401).";

/** Help for the top, a noun, or a command. */
export function renderHelp(path: readonly string[], commands: readonly Command[], globals: Options, nouns: Readonly<Record<string, string>>): string {
  const command = path.length > 0 ? commands.find((c) => c.path.join(" ") === path.join(" ")) : undefined;
  if (command) return commandHelp(command, globals);
  if (path.length === 1) return nounHelp(path[0]!, commands, nouns);
  return topHelp(commands, globals, nouns);
}

function topHelp(commands: readonly Command[], globals: Options, nouns: Readonly<Record<string, string>>): string {
  const rows = Object.entries(nouns).map(([noun, about]) => {
    const verbs = commands.filter((c) => c.path[0] === noun && c.path.length > 1).map((c) => c.path[1]);
    return [noun, verbs.join("|"), about];
  });
  return [
    "keycard: manage Keycard orgs, stacks, access policies and tokens; test and verify decisions.",
    "",
    "Usage: keycard <command> [<subcommand>] [args] [flags]",
    "",
    "Commands:",
    columns(rows.map(([n, v, a]) => [`  ${n}`, v!, a!])),
    "",
    "Global flags:",
    flagLines(globals),
    "",
    ENVIRONMENT,
    "",
    EXIT_CODES,
    "Run 'keycard help <command>' (or add --help) for a command's flags and examples.",
  ].join("\n");
}

function nounHelp(noun: string, commands: readonly Command[], nouns: Readonly<Record<string, string>>): string {
  const mine = commands.filter((c) => c.path[0] === noun);
  return [
    `${nouns[noun] ?? noun}`,
    "",
    "Commands:",
    columns(mine.map((c) => [`  ${usage(c)}`, c.summary])),
    "",
    `Run 'keycard help ${noun} <subcommand>' for its flags and examples.`,
  ].join("\n");
}

function commandHelp(c: Command, globals: Options): string {
  const parts = [`Usage: ${usage(c)}`, "", c.summary + "."];
  if (c.args && c.args.length > 0) parts.push("", "Arguments:", columns(c.args.map((a) => [`  <${a.name}>`, a.description])));
  if (Object.keys(c.options).length > 0) parts.push("", "Flags:", flagLines(c.options));
  parts.push("", "Global flags:", flagLines(globals));
  if (c.help) parts.push("", c.help);
  return parts.join("\n");
}

/** `keycard policies create --name <name> --scope <scope>... [flags]`. */
export function usage(c: Command): string {
  const args = (c.args ?? []).map((a) => (a.optional ? `[<${a.name}>]` : `<${a.name}>`));
  const required = Object.entries(c.options)
    .filter(([, o]) => o.required)
    .map(([name, o]) => `--${name} <${o.value ?? "value"}>${o.multiple ? "..." : ""}`);
  return ["keycard", ...c.path, ...args, ...required, "[flags]"].join(" ");
}

function flagLines(options: Options): string {
  return columns(
    Object.entries(options).map(([name, o]) => {
      const short = o.short ? `-${o.short}, ` : "";
      const value = o.type === "string" ? ` <${o.value ?? "value"}>` : "";
      const note = [o.required ? "required" : "", o.multiple ? "repeatable" : ""].filter(Boolean).join(", ");
      return [`  ${short}--${name}${value}`, `${o.description}${note ? ` [${note}]` : ""}`];
    }),
  );
}

function columns(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => (i < r.length - 1 ? cell.padEnd(widths[i]!) : cell)).join("  ").trimEnd()).join("\n");
}
