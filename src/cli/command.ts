/** What a `keycard` command is made of: its words, flags and arguments, and the context it runs in. */
import type { Client } from "./client.ts";

/** One flag. Every flag name has the same type in every command. */
export interface OptionSpec {
  type: "string" | "boolean";
  /** Repeatable (`--scope a --scope b`). */
  multiple?: boolean;
  short?: string;
  /** The placeholder shown in help: `--org <id>`. */
  value?: string;
  description: string;
  required?: boolean;
  choices?: readonly string[];
}

/** Flags by name. */
export type Options = Readonly<Record<string, OptionSpec>>;

/** A positional argument. */
export interface ArgSpec {
  name: string;
  description: string;
  optional?: boolean;
}

/** Parsed flag values, as `parseArgs` returns them. */
export type Values = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/** The outside world, injected: tests pass fakes, `main.ts` passes the process. */
export interface Io {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  fetch: typeof fetch;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** The file's text, or null when it does not exist. */
  readFile: (path: string) => Promise<string | null>;
  /** Writes a file readable by its owner only. */
  writeFile: (path: string, text: string) => Promise<void>;
  readStdin: () => Promise<string>;
  /** Asks a yes/no question; absent when stdin or stderr is not a terminal. */
  confirm?: (question: string) => Promise<boolean>;
  version: string;
}

/** What a command runs with. */
export interface Context {
  values: Values;
  args: readonly string[];
  io: Io;
  /** The validated Keycard base URL. */
  url: URL;
  /** The token from --token or KEYCARD_TOKEN. */
  token: string | undefined;
  json: boolean;
  client: Client;
  /** Writes a line to stdout. */
  print: (text: string) => void;
  /** Writes a line to stderr (progress, warnings, hints). */
  note: (text: string) => void;
  /** Writes a value to stdout as indented JSON. */
  printJson: (value: unknown) => void;
}

/** A command: `keycard <path…> [args] [flags]`. */
export interface Command {
  path: readonly string[];
  summary: string;
  args?: readonly ArgSpec[];
  options: Options;
  /** Notes and examples shown by `--help`. */
  help?: string;
  /** Maps API field paths (`scopes`, `realms.*.identifier`) to the flags that set them, for errors. */
  fields?: Readonly<Record<string, string>>;
  /** Runs the command; resolves to the exit code. */
  run: (ctx: Context) => Promise<number>;
}
