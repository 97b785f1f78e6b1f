/** The command line: words and flags in any order, help, and one usage line per mistake. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { listValue, optionIndex, parseCommandLine, suggest } from "../../src/cli/args.ts";
import { COMMANDS, GLOBAL_OPTIONS, NOUNS } from "../../src/cli/commands/index.ts";
import { UsageError } from "../../src/cli/errors.ts";
import { renderHelp } from "../../src/cli/help.ts";

const parse = (line: string[]) => parseCommandLine(line, COMMANDS, GLOBAL_OPTIONS);

describe("parseCommandLine", () => {
  const runs: [string, string[], string, Record<string, unknown>, string[]][] = [
    ["words first", ["orgs", "list", "--json"], "orgs list", { json: true }, []],
    ["global flags first", ["--url", "http://x", "orgs", "list"], "orgs list", { url: "http://x" }, []],
    ["flags between words", ["policies", "--org", "o1", "get", "p1"], "policies get", { org: "o1" }, ["p1"]],
    ["--flag=value", ["tokens", "get", "--org=o1", "t1"], "tokens get", { org: "o1" }, ["t1"]],
    ["repeatable flags", ["policies", "create", "--name", "a", "--scope", "x:y", "--scope", "z:w", "--realm", "org:o"], "policies create", { scope: ["x:y", "z:w"] }, []],
    ["a one-word command", ["authorize", "--scope", "metrics:write"], "authorize", { scope: ["metrics:write"] }, []],
    ["short flag", ["tokens", "delete", "t1", "-y"], "tokens delete", { yes: true }, ["t1"]],
    ["a value after --", ["decisions", "verify", "--", "-x"], "decisions verify", {}, ["-x"]],
  ];
  for (const [name, argv, path, values, args] of runs) {
    it(`runs: ${name}`, () => {
      const inv = parse(argv);
      assert.equal(inv.kind, "run");
      if (inv.kind !== "run") return;
      assert.equal(inv.command.path.join(" "), path);
      for (const [k, v] of Object.entries(values)) assert.deepEqual(inv.values[k], v);
      assert.deepEqual(inv.args, args);
    });
  }

  const helps: [string[], string[]][] = [
    [[], []],
    [["--help"], []],
    [["help"], []],
    [["help", "policies"], ["policies"]],
    [["policies"], ["policies"]],
    [["help", "policies", "create"], ["policies", "create"]],
    [["policies", "create", "--help"], ["policies", "create"]],
    [["tokens", "get", "-h"], ["tokens", "get"]],
    [["orgs", "get", "--nonsense", "--help"], ["orgs", "get"]],
  ];
  for (const [argv, path] of helps) {
    it(`shows help for: keycard ${argv.join(" ")}`, () => assert.deepEqual(parse(argv), { kind: "help", path }));
  }

  it("prints the version", () => assert.deepEqual(parse(["--version"]), { kind: "version" }));

  const mistakes: [string[], RegExp][] = [
    [["polcies", "list"], /^unknown command "polcies" \(did you mean policies\?\)$/],
    [["policies", "lsit"], /^unknown command "policies lsit" \(did you mean list\?\)$/],
    [["policies", "create", "--nmae", "x"], /^unknown flag --nmae for "policies create" \(did you mean --name\?\)$/],
    [["orgs", "list", "--org", "o"], /^unknown flag --org for "orgs list"$/],
    [["orgs", "create", "--name"], /^--name needs a value$/],
    [["orgs", "create", "--name", "--json"], /^--name needs a value \(write --name=<value> if it starts with "-"\)$/],
    [["orgs", "list", "--json=yes"], /^--json takes no value$/],
    [["orgs", "get"], /^"orgs get" needs <id>$/],
    [["orgs", "get", "a", "b"], /^unexpected argument "b"$/],
    [["tokens", "create", "--policy", "p"], /^"tokens create" needs --name <name>$/],
    [["policies", "create", "--name", "n", "--realm", "org:o"], /^"policies create" needs --scope <scope>$/],
    [["policies", "update", "p", "--status", "paused"], /^--status must be one of active, inactive \(got "paused"\)$/],
    [["policies", "update", "p", "--name", "renamed"], /^unknown flag --name for "policies update"/],
    [["help", "nothing"], /^no help for "nothing"$/],
    [["--bogus"], /^unknown flag --bogus$/],
  ];
  for (const [argv, message] of mistakes) {
    it(`refuses: keycard ${argv.join(" ")}`, () => {
      assert.throws(() => parse(argv), (e: unknown) => e instanceof UsageError && e.exitCode === 2 && message.test(e.message));
    });
  }
});

describe("the command table", () => {
  it("gives each flag name one type everywhere (the parser relies on it)", () => {
    assert.doesNotThrow(() => optionIndex(COMMANDS, GLOBAL_OPTIONS));
  });
  it("has every noun × verb the issue asks for", () => {
    const have = new Set(COMMANDS.map((c) => c.path.join(" ")));
    for (const noun of ["orgs", "stacks", "policies", "tokens"]) {
      for (const verb of ["list", "get", "create", "update", "delete"]) assert.ok(have.has(`${noun} ${verb}`), `${noun} ${verb}`);
    }
    for (const c of ["authorize", "decisions verify", "keys rotate"]) assert.ok(have.has(c), c);
  });
  it("documents every flag of every command in its help", () => {
    for (const c of COMMANDS) {
      const help = renderHelp(c.path, COMMANDS, GLOBAL_OPTIONS, NOUNS);
      for (const name of Object.keys({ ...c.options, ...GLOBAL_OPTIONS })) assert.match(help, new RegExp(`--${name}\\b`), `${c.path.join(" ")} --${name}`);
    }
  });
  it("lists every noun in the top help", () => {
    const help = renderHelp([], COMMANDS, GLOBAL_OPTIONS, NOUNS);
    for (const noun of new Set(COMMANDS.map((c) => c.path[0]!))) assert.match(help, new RegExp(`^  ${noun} `, "m"));
    assert.match(help, /KEYCARD_URL/);
    assert.match(help, /4 unauthenticated/);
  });
});

describe("flag values", () => {
  it("splits repeatable lists on commas when asked", () => {
    assert.deepEqual(listValue({ scope: ["a:b,c:d", " e:f "] }, "scope", true), ["a:b", "c:d", "e:f"]);
    assert.deepEqual(listValue({ sel: ['{a="1,2"}'] }, "sel"), ['{a="1,2"}']);
    assert.equal(listValue({}, "scope", true), undefined);
  });
  it("suggests only close words", () => {
    assert.equal(suggest("tokns", ["tokens", "orgs"]), " (did you mean tokens?)");
    assert.equal(suggest("zzz", ["tokens", "orgs"]), "");
  });
});
