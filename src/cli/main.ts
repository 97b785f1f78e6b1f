/** The Node entry of `keycard` (bin/keycard): wires the process into `run`. */
import { chmod, readFile, writeFile } from "node:fs/promises";
import { createInterface } from "node:readline/promises";
import { join } from "node:path";
import { run } from "./run.ts";

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return null;
    throw e;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

// `keycard … | head` closes stdout early: that is not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

const pkg = JSON.parse((await readText(join(import.meta.dirname, "..", "..", "package.json"))) ?? "{}") as { version?: string };

process.exitCode = await run({
  argv: process.argv.slice(2),
  env: process.env,
  fetch: globalThis.fetch,
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  now: () => Date.now(),
  readFile: readText,
  writeFile: async (path, text) => {
    await writeFile(path, text, { mode: 0o600 });
    await chmod(path, 0o600);
  },
  readStdin,
  ...(process.stdin.isTTY && process.stderr.isTTY ? { confirm } : {}),
  version: pkg.version ?? "0.0.0",
});
