/**
 * The `/admin` page in headless Chromium (Debian's `/usr/bin/chromium`, driven by playwright-core), against
 * a real local Keycard (`keycard/testing`). A user pastes the operator token, creates an org, a stack, an
 * access policy and a token through the page, reads the secret shown once, and the token then passes
 * `/authorize` with the claims the form asked for; revoking it through the page's confirmation refuses it.
 *
 * Run: `node test/browser/admin-page.ts` (after `bash .ci/browser-setup.sh`). Screenshots go to a fresh
 * temporary directory, printed at the end; never into the work tree.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { chromium, type Page } from "playwright-core";
import { startKeycard, type Keycard } from "../../src/testing/index.ts";
import { eventually, quietWorkerLogs, Suite } from "./harness.ts";

/** The browser globals the page functions below touch (the project's type libraries have no DOM). */
declare const document: { cookie: string; body: { innerHTML: string } };

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const HOSTILE = `<img src=x onerror="alert('org')">`;

const suite = new Suite(45_000, 240_000);
quietWorkerLogs(suite);
const shots = mkdtempSync(join(tmpdir(), "keycard-admin-page-"));
const run = Date.now().toString(36);
const names = { org: `acme-${run}`, stack: `prod-eu-${run}`, policy: `grafana-reader-${run}`, token: `grafana-eu-1-${run}` };
const ids = { org: "", stack: "", policy: "", token: "" };
let secret = "";
const problems: string[] = [];
const nativeDialogs: string[] = [];

console.log("admin page in headless Chromium");
if (!existsSync(CHROMIUM)) {
  console.log(`  ✗ ${CHROMIUM} is missing: run \`bash .ci/browser-setup.sh\``);
  console.log("browser: 0 passed, 1 failed");
  process.exit(1);
}

let keycard!: Keycard;
let page!: Page;
await suite.step("starts a local Keycard and headless Chromium", async () => {
  keycard = await startKeycard();
  suite.onCleanup(() => keycard.stop());
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
  suite.onCleanup(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: keycard.url }).catch(() => {});
  page = await context.newPage();
  page.setDefaultTimeout(8_000);
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    // Chromium logs every 4xx answer to fetch; the suite provokes some on purpose.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(`console: ${m.text()}`);
  });
  page.on("dialog", (d) => {
    nativeDialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
});

const err = (form: string, key: string) => page.locator(`#${form} [data-err="${key}"]`);
const shot = (name: string, fullPage = true) => page.screenshot({ path: join(shots, `${name}.png`), fullPage });
const authorize = (token: string, scope: string) =>
  fetch(`${keycard.url}/authorize`, { headers: { authorization: `Basic ${btoa(`${ids.stack}:${token}`)}`, "x-keycard-scope": scope } });

await suite.step("serves /admin with the strict CSP and the security headers", async () => {
  const res = await page.goto(`${keycard.url}/admin`);
  assert.equal(res?.status(), 200);
  const h = res.headers();
  assert.match(h["content-security-policy"]!, /^default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'/);
  assert.equal(h["x-content-type-options"], "nosniff");
  assert.equal(h["referrer-policy"], "no-referrer");
  assert.equal(h["cache-control"], "no-store");
  assert.equal(await page.title(), "Keycard admin");
  await page.locator("#connect-token").waitFor();
  assert.equal(await page.locator("#workspace").isHidden(), true);
});

await suite.step("connects with the pasted operator token, remembered for this tab only", async () => {
  await page.fill("#connect-token", keycard.operatorToken);
  await page.check("#connect-remember");
  await page.click("#connect-submit");
  await page.locator("#workspace").waitFor({ state: "visible" });
  await page.locator("#who", { hasText: "Connected" }).waitFor();
  assert.equal(await page.inputValue("#connect-token"), "", "the token field is emptied");
  const stored = await page.evaluate(() => ({ session: sessionStorage.getItem("keycard.admin"), local: localStorage.length, cookie: document.cookie }));
  assert.equal(JSON.parse(stored.session!).token, keycard.operatorToken);
  assert.deepEqual([stored.local, stored.cookie], [0, ""]);
});

await suite.step("creates an org and a stack through the page", async () => {
  await page.fill("#org-name", names.org);
  await page.click("#org-form button[type=submit]");
  await page.locator("#notice", { hasText: `Org ${names.org} created` }).waitFor();
  ids.org = await eventually("the new org is the acting org", async () => {
    const v = await page.inputValue("#org-select");
    return (await page.locator("#org-select option:checked").textContent())?.startsWith(names.org) ? v : "";
  });
  await page.fill("#stack-name", names.stack);
  await page.click("#stack-form button[type=submit]");
  const row = page.locator("#stacks-list tr", { hasText: names.stack });
  ids.stack = (await row.locator("code").textContent())!.trim();
  assert.match(ids.stack, /^[A-Za-z0-9_-]+$/);
  await page.locator(`#policy-realm option[value="stack:${ids.stack}"]`).waitFor({ state: "attached" });
  const listed = await keycard.admin<{ items: { id: string }[] }>("GET", `/api/v1/stacks?orgId=${ids.org}`);
  assert.deepEqual(listed.items.map((s) => s.id), [ids.stack]);
});

await suite.step("checks the policy form live, before anything is sent", async () => {
  await page.fill("#policy-name", "Not A Name");
  await err("policy-form", "name").filter({ hasText: "lowercase letters" }).waitFor();
  assert.equal(await page.getAttribute("#policy-name", "aria-invalid"), "true");
  await page.fill("#policy-name", names.policy);
  await err("policy-form", "name").waitFor({ state: "hidden" });
  await page.check('#scope-groups input[value="metrics:write"]');
  await page.click("#add-selector");
  await err("policy-form", "labels").filter({ hasText: "apply only to metrics:read and logs:read" }).waitFor();
  await page.check('#scope-groups input[value="metrics:read"]');
  await err("policy-form", "labels").waitFor({ state: "hidden" });
  await page.fill("#selector-rows input >> nth=0", "env=prod");
  await err("policy-form", "selector-0").filter({ hasText: "looks like" }).waitFor();
  await page.fill("#policy-subnets", "10.0.0.0/8\nsomewhere");
  await err("policy-form", "subnets").filter({ hasText: 'line 2: "somewhere" is not an IP address or CIDR' }).waitFor();
});

await suite.step("shows the API's field-level errors next to the fields (a bad CIDR, a selector that limits nothing)", async () => {
  await page.fill("#selector-rows input >> nth=0", '{env="prod"}');
  await page.click("#add-selector");
  await page.fill("#selector-rows input >> nth=1", '{env=~".*"}');
  await page.selectOption("#policy-realm", `stack:${ids.stack}`);
  await page.fill("#policy-subnets", "127.0.0.0/8\n10.0.0.0/33");
  const before = await keycard.admin<{ items: unknown[] }>("GET", `/api/v1/accesspolicies?orgId=${ids.org}`);
  await page.click("#policy-submit");
  await err("policy-form", "subnets").filter({ hasText: /^line 2 \(10\.0\.0\.0\/33\): .+/ }).waitFor();
  await err("policy-form", "selector-1").filter({ hasText: "matches every series" }).waitFor();
  assert.equal(await page.getAttribute("#policy-subnets", "aria-invalid"), "true");
  assert.equal(await err("policy-form", "selector-0").textContent(), "", "the good selector has no error");
  assert.equal(await err("policy-form", "name").textContent(), "");
  await shot("1-policy-field-errors");
  const after = await keycard.admin<{ items: unknown[] }>("GET", `/api/v1/accesspolicies?orgId=${ids.org}`);
  assert.equal(after.items.length, before.items.length, "nothing was created");
});

await suite.step("creates the access policy through the page", async () => {
  await page.click("#selector-rows .selector-row >> nth=1 >> button");
  assert.equal(await page.locator("#selector-rows input").count(), 1);
  await page.fill("#policy-subnets", "127.0.0.0/8\n::1/128");
  await page.fill("#policy-display", `Grafana reader <b>${run}</b>`);
  await page.click("#policy-submit");
  await page.locator("#notice", { hasText: `Access policy ${names.policy} created` }).waitFor();
  const row = page.locator("#policies-list tr", { hasText: names.policy });
  ids.policy = (await row.locator(".sub code").textContent())!.trim();
  assert.match((await row.textContent())!, /metrics:readmetrics:write.*stack prod-eu.*\{env="prod"\}.*127\.0\.0\.0\/8::1\/128.*active/);
  assert.equal(await row.locator("b").count(), 0, "the display name is text, not markup");
  const p = await keycard.admin<Record<string, unknown>>("GET", `/api/v1/accesspolicies/${ids.policy}?orgId=${ids.org}`);
  assert.deepEqual([p.scopes, p.realms, p.conditions], [
    ["metrics:read", "metrics:write"],
    [{ type: "stack", identifier: ids.stack, labelPolicies: [{ selector: '{env="prod"}' }] }],
    { allowedSubnets: ["127.0.0.0/8", "::1/128"] },
  ]);
});

await suite.step("creates a token through the page and shows its secret once, with a copy button", async () => {
  assert.equal(await page.inputValue("#token-policy"), ids.policy, "the new policy is preselected");
  await page.fill("#token-name", names.token);
  await page.click("#token-submit");
  await page.locator("#secret").waitFor({ state: "visible" });
  secret = await page.inputValue("#secret-value");
  assert.match(secret, /^kc_[0-9A-Za-z]{38}$/);
  assert.match((await page.locator("#secret").textContent())!, /you won't see this again/);
  await page.click("#secret-copy");
  const status = await page.locator("#secret-status").filter({ hasText: /Copied|selected/ }).textContent();
  if (status!.startsWith("Copied")) assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
  await page.locator("#tokens-list tr", { hasText: names.token }).waitFor();
  await shot("2-token-secret");
  const listed = await keycard.admin<{ items: { id: string; name: string }[] }>("GET", `/api/v1/tokens?orgId=${ids.org}&name=${names.token}`);
  ids.token = listed.items[0]!.id;
});

await suite.step("the secret from the page passes /authorize with the claims the form asked for", async () => {
  const res = await authorize(secret, "metrics:read");
  assert.equal(res.status, 200, await res.clone().text());
  const jwks = createRemoteJWKSet(new URL(`${keycard.url}/.well-known/jwks.json`));
  const { payload } = await jwtVerify(res.headers.get("x-keycard-decision")!, jwks, { issuer: keycard.url, typ: "kc-decision+jwt" });
  assert.deepEqual(
    { sub: payload.sub, org: payload.org, stack: payload.stack, pol: payload.pol, scope: payload.scope, labels: payload.labels },
    { sub: ids.token, org: ids.org, stack: ids.stack, pol: ids.policy, scope: "metrics:read", labels: ['{env="prod"}'] },
  );
  assert.ok(["127.0.0.1", "::1"].includes(String(payload.ip)), `the client IP ${String(payload.ip)} is inside the allowed subnets`);
  const denied = await authorize(secret, "logs:read");
  assert.deepEqual([denied.status, denied.headers.get("x-keycard-reason")], [403, "scope_denied"]);
});

await suite.step("hides the secret for good once the user is done", async () => {
  await page.click("#secret-done");
  await page.locator("#secret").waitFor({ state: "hidden" });
  assert.equal(await page.inputValue("#secret-value"), "");
  assert.equal((await page.content()).includes(secret), false);
});

await suite.step("after a reload, reconnects from sessionStorage and lists use and expiry", async () => {
  const soon = await keycard.admin<{ id: string }>("POST", `/api/v1/tokens?orgId=${ids.org}`, {
    accessPolicyId: ids.policy,
    name: `short-lived-${run}`,
    expiresAt: new Date(Date.now() + 1_500).toISOString(),
  });
  assert.ok(soon.id);
  await new Promise((r) => setTimeout(r, 1_600));
  await eventually("the token's last use is listed", async () => {
    await page.reload();
    const row = page.locator("#tokens-list tr", { hasText: names.token });
    await row.waitFor();
    const [first, last] = [await row.locator("td").nth(3).textContent(), await row.locator("td").nth(4).textContent()];
    return /UTC$/.test(first!) && /UTC$/.test(last!);
  });
  const expired = page.locator("#tokens-list tr.expired", { hasText: `short-lived-${run}` });
  assert.equal(await expired.locator(".badge.expired").textContent(), "expired");
  assert.equal(await page.locator("#tokens-list tr.expired").count(), 1);
});

await suite.step("renders hostile names as text", async () => {
  await keycard.admin("POST", "/api/v1/orgs", { name: HOSTILE });
  await page.reload();
  await page.locator("#orgs-list td", { hasText: HOSTILE }).waitFor();
  assert.equal(await page.locator("#orgs-list img").count(), 0);
  assert.equal(await page.locator("#org-select option", { hasText: HOSTILE }).count(), 1);
});

await suite.step("revoke asks for confirmation; cancel keeps the token, confirm refuses it at once", async () => {
  const revoke = page.locator("#tokens-list tr", { hasText: names.token }).getByRole("button", { name: "Revoke" });
  await revoke.click();
  await page.locator("#confirm").waitFor({ state: "visible" });
  assert.match((await page.locator("#confirm-text").textContent())!, /refused from now on/);
  assert.equal(await page.locator("#confirm-title").textContent(), `Revoke token ${names.token}?`);
  await shot("3-revoke-confirm", false);
  await page.click("#confirm-cancel");
  await page.locator("#confirm").waitFor({ state: "hidden" });
  assert.equal((await authorize(secret, "metrics:read")).status, 200, "cancel revoked nothing");
  await revoke.click();
  await page.click("#confirm-ok");
  await page.locator("#notice", { hasText: `Token ${names.token} revoked` }).waitFor();
  await page.locator("#tokens-list tr", { hasText: names.token }).waitFor({ state: "detached" });
  const res = await authorize(secret, "metrics:read");
  assert.deepEqual([res.status, res.headers.get("x-keycard-reason")], [401, "invalid_token"]);
  await shot("4-after-revoke");
});

await suite.step("an org's own admin token works without an org id, and without being remembered", async () => {
  const admin = await keycard.createPolicyAndToken({
    orgId: ids.org,
    scopes: ["accesspolicies:read", "accesspolicies:write", "accesspolicies:delete", "stacks:read", "metrics:read", "metrics:write"],
  });
  await page.fill("#connect-token", admin.token);
  await page.fill("#connect-org", "");
  await page.uncheck("#connect-remember");
  await page.click("#connect-submit");
  await page.locator("#who", { hasText: `acting in ${names.org}` }).waitFor();
  await page.locator("#policies-list tr", { hasText: names.policy }).waitFor();
  assert.equal(await page.inputValue("#org-select"), ids.org);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("keycard.admin")), null);
  await page.fill("#org-name", `not-allowed-${run}`);
  await page.click("#org-form button[type=submit]");
  await err("org-form", "form").filter({ hasText: "(forbidden)" }).waitFor();
});

await suite.step("forget clears the token from the tab", async () => {
  await page.click("#forget");
  await page.locator("#workspace").waitFor({ state: "hidden" });
  assert.equal(await page.evaluate(() => sessionStorage.getItem("keycard.admin")), null);
  await page.reload();
  assert.equal(await page.locator("#workspace").isHidden(), true);
  assert.equal(await page.inputValue("#connect-token"), "");
});

await suite.step("no script error, CSP violation or native dialog along the way", async () => {
  assert.deepEqual(problems, []);
  assert.deepEqual(nativeDialogs, []);
});

await suite.step("the CSP's Trusted Types make the browser refuse markup from a string", async () => {
  const outcome = await page.evaluate(() => {
    try {
      document.body.innerHTML = "<b>injected</b>";
      return "written";
    } catch (e) {
      return (e as Error).name;
    }
  });
  assert.equal(outcome, "TypeError");
  assert.equal(await page.locator("b", { hasText: "injected" }).count(), 0);
});

console.log(`  screenshots: ${shots}`);
await suite.finish();
