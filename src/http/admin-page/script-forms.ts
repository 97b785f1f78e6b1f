/**
 * The third part of `app.js`: the forms (connect, org, stack, access policy, token), their live checks,
 * the token secret shown once, and start-up. Live checks are basic and local; the API has the last word,
 * and its field `details` are shown next to the fields they name.
 */

/** Forms of the page script. */
export const SCRIPT_FORMS = String.raw`
const NAME = /^[a-z0-9][a-z0-9-]*$/;

function nameProblem(v) {
  if (!v) return "required";
  if (v.length > 64) return "at most 64 characters";
  return NAME.test(v) ? "" : "lowercase letters, digits and dashes, starting with a letter or digit";
}

async function connect(ev) {
  ev.preventDefault();
  const form = $("connect-form");
  clearErrors(form);
  const token = $("connect-token").value.trim() || state.token;
  if (!token) { setErr(form, "token", "paste a token"); return; }
  state.token = token;
  state.orgId = $("connect-org").value.trim();
  $("who").textContent = "Connecting…";
  await busy(form, async () => {
    try { await api("GET", "/api/v1/orgs?pageSize=1"); } catch (e) {
      state.token = "";
      save(false);
      $("who").textContent = "Not connected";
      $("workspace").hidden = true;
      setErr(form, e.status === 401 ? "token" : "form", e.message + " (" + e.code + ")");
      return;
    }
    save($("connect-remember").checked);
    $("connect-token").value = "";
    $("connect-token").placeholder = "connected: paste another token to switch";
    notice("");
    hideSecret();
    $("workspace").hidden = false;
    await loadCatalogue();
    await loadOrgs();
    $("connect-org").value = state.orgId;
    save($("connect-remember").checked);
    await loadOrgData();
  });
}

function forget() {
  state.token = ""; state.orgId = ""; state.orgs = []; state.stacks = []; state.policies = [];
  save(false);
  hideSecret();
  $("connect-token").value = ""; $("connect-org").value = ""; $("connect-remember").checked = false;
  $("connect-token").placeholder = "kc_…";
  $("workspace").hidden = true;
  $("who").textContent = "Not connected";
  for (const id of ["orgs-list", "stacks-list", "policies-list", "tokens-list"]) clear($(id));
  notice("The token is forgotten.");
}

async function createNamed(ev, form, input, path, body, what, after) {
  ev.preventDefault();
  clearErrors(form);
  notice("");
  const name = input.value.trim();
  if (!name) { setErr(form, "name", "required"); return; }
  await busy(form, async () => {
    try {
      const made = await api("POST", path, body(name));
      input.value = "";
      notice(what + " " + made.name + " created (" + made.id + ").");
      await after(made);
    } catch (e) { showApiError(form, e, placeByName); }
  });
}

async function loadCatalogue() {
  if (state.catalogue) return;
  try { state.catalogue = await api("GET", "/api/v1/accesspolicies/config"); } catch (e) {
    clear($("scope-groups")).append(h("p", { class: "err", text: "Could not load the scopes: " + e.message }));
    return;
  }
  const groups = new Map();
  for (const s of state.catalogue.scopes) {
    const service = s.name.split(":")[0];
    if (!groups.has(service)) groups.set(service, []);
    groups.get(service).push(scopeBox(s.name, s.description, s.labelPolicies));
  }
  if (state.catalogue.sets.length) groups.set("sets", state.catalogue.sets.map((s) => scopeBox(s.name, "= " + s.scopes.join(", "), false)));
  const box = clear($("scope-groups"));
  for (const [service, boxes] of groups) box.append(h("fieldset", { class: "group" }, h("legend", { text: service }), boxes));
}

function scopeBox(name, description, labelled) {
  return h("label", { class: "scope", title: description },
    h("input", { type: "checkbox", value: name, "data-labels": labelled ? "1" : null }),
    h("span", { class: "scope-name", text: name }),
    h("span", { class: "desc", text: description }),
    labelled ? h("span", { class: "tag small", text: "label selectors apply" }) : null);
}

function renderRealms() {
  const select = $("policy-realm");
  const before = select.value;
  clear(select);
  if (state.orgId) select.append(h("option", { value: "org:" + state.orgId, text: "Whole org: " + orgName(state.orgId) + " (every stack)" }));
  for (const s of state.stacks) select.append(h("option", { value: "stack:" + s.id, text: "Stack: " + s.name + " (" + s.id + ")" }));
  if ([...select.options].some((o) => o.value === before)) select.value = before;
}

const checkedScopes = () => [...$("scope-groups").querySelectorAll("input:checked")].map((i) => i.value);
const labelScopeTicked = () => $("scope-groups").querySelector("input[data-labels]:checked") !== null;
const selectorInputs = () => [...$("selector-rows").querySelectorAll("input")];

function addSelectorRow() {
  const input = h("input", { type: "text", spellcheck: "false", placeholder: "{env=\"prod\"}", "aria-label": "Label selector" });
  const row = h("div", { class: "selector-row" }, input,
    h("button", { type: "button", class: "secondary small", text: "Remove", click: () => { row.remove(); renumber(); checkPolicy("labels"); } }),
    h("span", { class: "err" }));
  input.addEventListener("input", () => { checkSelector(input); checkPolicy("labels"); });
  $("selector-rows").append(row);
  renumber();
  checkPolicy("labels");
  input.focus();
}

function renumber() {
  selectorInputs().forEach((input, j) => {
    input.setAttribute("data-field", "selector-" + j);
    input.parentElement.querySelector(".err").setAttribute("data-err", "selector-" + j);
  });
}

/** A basic local look at a selector; the API parses it for real. */
function selectorProblem(text) {
  const t = text.trim();
  if (!t) return "enter a selector such as {env=\"prod\"}, or remove this row";
  const open = t.indexOf("{");
  if (open < 0 || !t.endsWith("}") || !/^[a-zA-Z_:]*\s*$/.test(t.slice(0, open))) return "a selector looks like {label=\"value\", …}";
  const inner = t.slice(open + 1, -1).trim();
  if (!inner) return "an empty selector limits nothing";
  let quotes = 0;
  for (let i = 0; i < inner.length; i++) { if (inner[i] === "\\") i++; else if (inner[i] === "\"") quotes++; }
  if (quotes % 2) return "a quoted value is not closed";
  if (!/[=!]/.test(inner)) return "each matcher needs an operator: =, !=, =~ or !~";
  return "";
}

function checkSelector(input) {
  return setErr($("policy-form"), input.getAttribute("data-field"), selectorProblem(input.value));
}

/** Non-empty lines of the subnets box, with their line numbers. */
function subnetLines() {
  return $("policy-subnets").value.split("\n").map((v, i) => ({ line: i + 1, value: v.trim() })).filter((l) => l.value);
}

const SUBNET_SHAPE = /^[0-9A-Fa-f.:]+(\/[0-9]{1,3})?$/;

const POLICY_CHECKS = {
  name: () => nameProblem($("policy-name").value.trim()),
  scopes: () => (checkedScopes().length ? "" : "tick at least one scope"),
  labels: () => (selectorInputs().length && !labelScopeTicked()
    ? "label selectors apply only to metrics:read and logs:read: tick one of them, or remove the selectors" : ""),
  subnets: () => subnetLines().filter((l) => !SUBNET_SHAPE.test(l.value) || !/[.:]/.test(l.value))
    .map((l) => "line " + l.line + ": " + JSON.stringify(l.value) + " is not an IP address or CIDR (e.g. 10.0.0.0/8)").join("\n"),
};

function checkPolicy(key) { return setErr($("policy-form"), key, POLICY_CHECKS[key]()); }

/** Where an API detail about a policy belongs: realms.0.labelPolicies.1.selector is selector row 1. */
function placePolicyError(path, message) {
  let m = /^realms\.\d+\.labelPolicies\.(\d+)/.exec(path);
  if (m) return ["selector-" + m[1], message];
  m = /^conditions\.allowedSubnets\.(\d+)/.exec(path);
  if (m) {
    const l = subnetLines()[Number(m[1])];
    return ["subnets", (l ? "line " + l.line + " (" + l.value + "): " : "") + message];
  }
  if (path.startsWith("conditions")) return ["subnets", message];
  if (path.startsWith("realms")) return ["realm", message];
  if (path.startsWith("scopes")) return ["scopes", message];
  if (path === "name" || path === "displayName") return [path, message];
  return ["form", (path ? path + ": " : "") + message];
}

async function createPolicy(ev) {
  ev.preventDefault();
  const form = $("policy-form");
  clearErrors(form);
  notice("");
  let ok = Object.keys(POLICY_CHECKS).map(checkPolicy).every(Boolean);
  for (const input of selectorInputs()) ok = checkSelector(input) && ok;
  const realm = $("policy-realm").value;
  if (!realm) ok = setErr(form, "realm", "choose the org or a stack") && ok;
  if (!ok) { addErr(form, "form", "Fix the fields marked above."); return; }
  const sep = realm.indexOf(":");
  const body = {
    name: $("policy-name").value.trim(),
    scopes: checkedScopes(),
    realms: [{ type: realm.slice(0, sep), identifier: realm.slice(sep + 1), labelPolicies: selectorInputs().map((i) => ({ selector: i.value.trim() })) }],
    conditions: { allowedSubnets: subnetLines().map((l) => l.value) },
  };
  const display = $("policy-display").value.trim();
  if (display) body.displayName = display;
  await busy(form, async () => {
    try {
      const p = await api("POST", inOrg("/api/v1/accesspolicies"), body);
      notice("Access policy " + p.name + " created (" + p.id + ").");
      form.reset();
      clear($("selector-rows"));
      await loadPolicies();
      $("token-policy").value = p.id;
    } catch (e) { showApiError(form, e, placePolicyError); }
  });
}

async function createToken(ev) {
  ev.preventDefault();
  const form = $("token-form");
  clearErrors(form);
  notice("");
  const body = { accessPolicyId: $("token-policy").value, name: $("token-name").value.trim() };
  let ok = setErr(form, "accessPolicyId", body.accessPolicyId ? "" : "choose a policy");
  ok = setErr(form, "name", nameProblem(body.name)) && ok;
  const display = $("token-display").value.trim();
  if (display) body.displayName = display;
  const expires = $("token-expires").value;
  if (expires) {
    const at = new Date(expires);
    if (isNaN(at.getTime())) ok = setErr(form, "expiresAt", "not a date and time") && ok;
    else body.expiresAt = at.toISOString();
  }
  if (!ok) return;
  await busy(form, async () => {
    try {
      const t = await api("POST", inOrg("/api/v1/tokens"), body);
      form.reset();
      $("token-policy").value = body.accessPolicyId;
      if (t.token) { showSecret(t); notice("Token " + t.name + " created: copy its secret below."); }
      else notice("Token " + t.name + " was created, but its secret was not returned: delete it and create another.", "error");
      await loadTokens();
    } catch (e) { showApiError(form, e, placeByName); }
  });
}

function showSecret(t) {
  $("secret-name").textContent = t.name;
  $("secret-value").value = t.token;
  $("secret-status").textContent = "";
  $("secret").hidden = false;
  $("secret-value").focus();
  $("secret-value").select();
}

function hideSecret() {
  $("secret-value").value = "";
  $("secret-status").textContent = "";
  $("secret").hidden = true;
}

async function copySecret() {
  const input = $("secret-value");
  try {
    if (!navigator.clipboard || !window.isSecureContext) throw new Error("no clipboard");
    await navigator.clipboard.writeText(input.value);
    $("secret-status").textContent = "Copied to the clipboard.";
  } catch (e) {
    input.focus();
    input.select();
    $("secret-status").textContent = "The clipboard is not available here: the secret is selected, press Ctrl+C (⌘C) to copy it.";
  }
}

function start() {
  $("connect-form").addEventListener("submit", connect);
  $("forget").addEventListener("click", forget);
  $("org-select").addEventListener("change", (ev) => pickOrg(ev.target.value));
  $("org-form").addEventListener("submit", (ev) => createNamed(ev, $("org-form"), $("org-name"), "/api/v1/orgs",
    (name) => ({ name }), "Org", (o) => { state.orgs.push(o); return pickOrg(o.id); }));
  $("stack-form").addEventListener("submit", (ev) => createNamed(ev, $("stack-form"), $("stack-name"), inOrg("/api/v1/stacks"),
    (name) => ({ name }), "Stack", () => loadStacks()));
  $("policy-form").addEventListener("submit", createPolicy);
  $("policy-name").addEventListener("input", () => checkPolicy("name"));
  $("scope-groups").addEventListener("change", () => { checkPolicy("scopes"); checkPolicy("labels"); });
  $("policy-subnets").addEventListener("input", () => checkPolicy("subnets"));
  $("add-selector").addEventListener("click", addSelectorRow);
  $("token-form").addEventListener("submit", createToken);
  $("token-name").addEventListener("input", () => setErr($("token-form"), "name", nameProblem($("token-name").value.trim())));
  $("secret-copy").addEventListener("click", copySecret);
  $("secret-done").addEventListener("click", hideSecret);
  const saved = readSaved();
  if (saved && typeof saved.token === "string" && saved.token) {
    $("connect-token").value = saved.token;
    $("connect-org").value = typeof saved.orgId === "string" ? saved.orgId : "";
    $("connect-remember").checked = true;
    $("connect-form").requestSubmit();
  }
}
`;
