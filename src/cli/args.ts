/**
 * The command line: `keycard <noun> <verb> [args] [flags]`, parsed by `node:util` `parseArgs` in strict
 * mode. Flags may come before or after the command words. Every fault is a `UsageError` (exit 2).
 */
import { parseArgs } from "node:util";
import type { Command, Options, OptionSpec, Values } from "./command.ts";
import { UsageError } from "./errors.ts";

/** What the command line asks for. */
export type Invocation =
  | { kind: "help"; path: readonly string[] }
  | { kind: "version" }
  | { kind: "run"; command: Command; values: Values; args: string[] };

/** Parses `argv` (without `node` and the script) against the commands and the global flags. */
export function parseCommandLine(argv: readonly string[], commands: readonly Command[], globals: Options): Invocation {
  const index = optionIndex(commands, globals);
  const { words, flags } = split(argv, index);
  if (words[0] === "help") return { kind: "help", path: helpTopic(words.slice(1), commands) };
  if (words.length === 0) {
    parse(argv, globals, []);
    return flags.has("version") && !flags.has("help") ? { kind: "version" } : { kind: "help", path: [] };
  }
  const command = commands.find((c) => c.path.every((w, i) => words[i] === w));
  if (!command) {
    const verbs = commands.filter((c) => c.path[0] === words[0]);
    if (verbs.length === 0) {
      throw new UsageError(`unknown command "${words[0]}"${suggest(words[0]!, nouns(commands))}`, []);
    }
    if (words.length === 1) return { kind: "help", path: [words[0]!] };
    const names = verbs.map((c) => c.path[1] ?? "");
    throw new UsageError(`unknown command "${words[0]} ${words[1]}"${suggest(words[1]!, names)}`, [words[0]!]);
  }
  if (flags.has("help")) return { kind: "help", path: command.path };
  const options = { ...globals, ...command.options };
  const { values, positionals } = parse(argv, options, command.path);
  const args = positionals.slice(command.path.length);
  checkArgs(command, args);
  checkOptions(command, options, values);
  return { kind: "run", command, values, args };
}

/** The help topic of `keycard help <words>`: a command, a noun, or the top. */
function helpTopic(words: readonly string[], commands: readonly Command[]): readonly string[] {
  if (words.length === 0) return [];
  const command = commands.find((c) => c.path.every((w, i) => words[i] === w));
  if (command) return command.path;
  if (commands.some((c) => c.path[0] === words[0])) return [words[0]!];
  throw new UsageError(`no help for "${words.join(" ")}"${suggest(words[0]!, nouns(commands))}`, []);
}

/**
 * Every flag name across all commands, so the command words can be found before the command is known.
 * Throws if one name has two types: the parser relies on it.
 */
export function optionIndex(commands: readonly Command[], globals: Options): Map<string, OptionSpec> {
  const index = new Map<string, OptionSpec>();
  for (const options of [globals, ...commands.map((c) => c.options)]) {
    for (const [name, spec] of Object.entries(options)) {
      const seen = index.get(name);
      if (seen && seen.type !== spec.type) throw new Error(`flag --${name} is both ${seen.type} and ${spec.type}`);
      index.set(name, spec);
      if (spec.short) index.set(`-${spec.short}`, { ...spec, short: name });
    }
  }
  return index;
}

/** The words (positionals before `--`) and the names of the flags present. */
function split(argv: readonly string[], index: Map<string, OptionSpec>): { words: string[]; flags: Set<string> } {
  const words: string[] = [];
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") break;
    if (a.startsWith("--")) {
      const name = a.slice(2).split("=")[0]!;
      flags.add(name);
      if (!a.includes("=") && index.get(name)?.type === "string") i++;
    } else if (a.startsWith("-") && a.length > 1) {
      const spec = index.get(a.slice(0, 2));
      if (spec?.short) flags.add(spec.short);
      if (a.length === 2 && spec?.type === "string") i++;
    } else {
      words.push(a);
    }
  }
  return { words, flags };
}

function parse(argv: readonly string[], options: Options, path: readonly string[]): { values: Values; positionals: string[] } {
  const config: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = {};
  for (const [name, o] of Object.entries(options)) {
    config[name] = { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) };
  }
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: config, allowPositionals: true, strict: true });
    return { values, positionals };
  } catch (e) {
    throw usageFromParseArgs(e, options, path);
  }
}

/** Turns `parseArgs`'s errors into one short line, with a suggestion for a mistyped flag. */
function usageFromParseArgs(e: unknown, options: Options, path: readonly string[]): UsageError {
  const code = (e as { code?: string }).code;
  const message = e instanceof Error ? e.message : String(e);
  const flag = /'(?:-\w, )?(--?[\w-]+)/.exec(message)?.[1] ?? "";
  const where = path.length > 0 ? ` for "${path.join(" ")}"` : "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const name = flag.replace(/^-+/, "");
    return new UsageError(`unknown flag ${flag}${where}${suggest(name, Object.keys(options), "--")}`, path);
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    if (/does not take an argument/.test(message)) return new UsageError(`${flag} takes no value`, path);
    if (/ambiguous/.test(message)) return new UsageError(`${flag} needs a value (write ${flag}=<value> if it starts with "-")`, path);
    return new UsageError(`${flag} needs a value`, path);
  }
  return new UsageError(message, path);
}

function checkArgs(command: Command, args: readonly string[]): void {
  const specs = command.args ?? [];
  const missing = specs.find((s, i) => !s.optional && args[i] === undefined);
  if (missing) throw new UsageError(`"${command.path.join(" ")}" needs <${missing.name}>`, command.path);
  if (args.length > specs.length) throw new UsageError(`unexpected argument "${args[specs.length]}"`, command.path);
}

function checkOptions(command: Command, options: Options, values: Values): void {
  for (const [name, spec] of Object.entries(options)) {
    const v = values[name];
    if (spec.required && (v === undefined || (Array.isArray(v) && v.length === 0))) {
      throw new UsageError(`"${command.path.join(" ")}" needs --${name}${spec.value ? ` <${spec.value}>` : ""}`, command.path);
    }
    if (spec.choices && typeof v === "string" && !spec.choices.includes(v)) {
      throw new UsageError(`--${name} must be one of ${spec.choices.join(", ")} (got "${v}")`, command.path);
    }
  }
}

function nouns(commands: readonly Command[]): string[] {
  return [...new Set(commands.map((c) => c.path[0]!))];
}

/** ` (did you mean X?)` when a candidate is close (a third of the word's letters, at least one). */
export function suggest(word: string, candidates: readonly string[], prefix = ""): string {
  let best: string | null = null;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best === null ? "" : ` (did you mean ${prefix}${best}?)`;
}

/** Edit distance where swapping two neighbours counts as one edit (optimal string alignment). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** A string flag's value, if given. */
export function stringValue(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

/** A boolean flag. */
export function booleanValue(values: Values, name: string): boolean {
  return values[name] === true;
}

/** A repeatable flag's values; with `comma`, each may also hold a comma-separated list. */
export function listValue(values: Values, name: string, comma = false): string[] | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const items = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string");
  return comma ? items.flatMap((x) => x.split(",")).map((x) => x.trim()).filter((x) => x !== "") : items;
}

/** A positive integer flag. */
export function intValue(values: Values, name: string, max: number): number | undefined {
  const v = stringValue(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > max) throw new UsageError(`--${name} must be a whole number from 1 to ${max} (got "${v}")`);
  return n;
}
