/**
 * The second part of `app.js`: the lists of orgs, stacks, access policies and tokens, the acting-org
 * picker, and deleting a policy or revoking a token after a confirmation.
 */

/** List views of the page script. */
export const SCRIPT_LISTS = String.raw`
function table(container, headers, rows, empty) {
  clear(container);
  if (!rows.length) { container.append(h("p", { class: "empty", text: empty })); return; }
  container.append(h("table", null,
    h("thead", null, h("tr", null, headers.map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", null, rows)));
}

function listFailed(container, e) {
  clear(container).append(h("p", { class: "err", text: "Could not load: " + e.message + " (" + e.code + ")" }));
}

function orgName(id) {
  const o = state.orgs.find((x) => x.id === id);
  return o ? o.name : id;
}

async function loadOrgs() {
  const box = $("orgs-list");
  try { state.orgs = await listAll("/api/v1/orgs?pageSize=1000"); } catch (e) { state.orgs = []; listFailed(box, e); }
  if (!state.orgId && state.orgs.length) state.orgId = state.orgs[0].id;
  renderOrgs();
}

function renderOrgs() {
  const rows = state.orgs.map((o) => h("tr", { class: o.id === state.orgId ? "current" : null },
    h("td", null, h("strong", { text: o.name })),
    h("td", null, h("code", { text: o.id })),
    h("td", null, when(o.createdAt)),
    h("td", null, o.id === state.orgId ? h("span", { class: "sub", text: "acting" })
      : h("button", { type: "button", class: "secondary small", text: "Act in", click: () => pickOrg(o.id) }))));
  if (state.orgs.length || !$("orgs-list").querySelector(".err")) {
    table($("orgs-list"), ["Name", "Id", "Created", ""], rows, "No org yet: create one below.");
  }
  const select = clear($("org-select"));
  const ids = state.orgs.map((o) => o.id);
  if (state.orgId && !ids.includes(state.orgId)) select.append(h("option", { value: state.orgId, text: state.orgId }));
  if (!state.orgId) select.append(h("option", { value: "", text: "the token's own org" }));
  for (const o of state.orgs) select.append(h("option", { value: o.id, text: o.name + " (" + o.id + ")" }));
  select.value = state.orgId;
  $("who").textContent = "Connected · acting in " + (state.orgId ? orgName(state.orgId) : "the token's own org");
}

async function pickOrg(id) {
  state.orgId = id;
  $("connect-org").value = id;
  save($("connect-remember").checked);
  hideSecret();
  renderOrgs();
  await loadOrgData();
}

async function loadOrgData() {
  await Promise.all([loadStacks(), loadPolicies()]);
  await loadTokens();
}

async function loadStacks() {
  const box = $("stacks-list");
  try { state.stacks = await listAll(inOrg("/api/v1/stacks", { pageSize: "1000" })); } catch (e) { state.stacks = []; listFailed(box, e); renderRealms(); return; }
  table(box, ["Name", "Id", "Created"], state.stacks.map((s) => h("tr", null,
    h("td", null, h("strong", { text: s.name })),
    h("td", null, h("code", { text: s.id })),
    h("td", null, when(s.createdAt)))), "No stack in this org yet.");
  renderRealms();
}

function stackName(id) {
  const s = state.stacks.find((x) => x.id === id);
  return s ? s.name : id;
}

function realmCell(r) {
  const label = r.type === "org" ? "org " + orgName(r.identifier) : "stack " + stackName(r.identifier);
  return h("div", null, h("span", { text: label }),
    r.labelPolicies.map((lp) => h("div", null, h("code", { text: lp.selector }))));
}

async function loadPolicies() {
  const box = $("policies-list");
  try { state.policies = await listAll(inOrg("/api/v1/accesspolicies", { pageSize: "1000" })); } catch (e) { state.policies = []; listFailed(box, e); renderPolicyPicker(); return; }
  table(box, ["Policy", "Scopes", "Realms", "Allowed subnets", "Status", ""], state.policies.map((p) => h("tr", null,
    h("td", null, h("strong", { text: p.displayName || p.name }), p.displayName !== p.name ? h("div", { class: "sub", text: p.name }) : null,
      h("div", { class: "sub" }, h("code", { text: p.id }))),
    h("td", null, p.scopes.map((s) => h("span", { class: "tag", text: s }))),
    h("td", null, p.realms.map(realmCell)),
    h("td", null, p.conditions.allowedSubnets.length ? p.conditions.allowedSubnets.map((c) => h("div", null, h("code", { text: c })))
      : h("span", { class: "sub", text: "any address" })),
    h("td", null, h("span", { class: "badge " + (p.status === "active" ? "active" : "inactive"), text: p.status })),
    h("td", null, h("button", { type: "button", class: "danger small", text: "Delete", "aria-label": "Delete policy " + p.name, click: () => deletePolicy(p) })))),
  "No access policy in this org yet.");
  renderPolicyPicker();
}

function renderPolicyPicker() {
  const select = $("token-policy");
  const before = select.value;
  clear(select).append(h("option", { value: "", text: state.policies.length ? "choose a policy" : "create a policy first" }));
  for (const p of state.policies) select.append(h("option", { value: p.id, text: (p.displayName || p.name) + " (" + p.scopes.join(", ") + ")" }));
  if (state.policies.some((p) => p.id === before)) select.value = before;
}

async function loadTokens() {
  const box = $("tokens-list");
  let tokens;
  try { tokens = await listAll(inOrg("/api/v1/tokens", { pageSize: "1000", includeExpired: "true" })); } catch (e) { listFailed(box, e); return; }
  const policyName = (id) => { const p = state.policies.find((x) => x.id === id); return p ? p.displayName || p.name : id; };
  table(box, ["Token", "Policy", "Expires", "First used", "Last used", "Created", ""], tokens.map((t) => {
    const expired = isExpired(t);
    return h("tr", { class: expired ? "expired" : null, "data-token": t.name },
      h("td", null, h("strong", { text: t.displayName || t.name }), t.displayName !== t.name ? h("div", { class: "sub", text: t.name }) : null),
      h("td", null, policyName(t.accessPolicyId)),
      h("td", null, when(t.expiresAt, "never"), expired ? h("span", { class: "badge expired", text: "expired" }) : null),
      h("td", null, when(t.firstUsedAt, "never")),
      h("td", null, when(t.lastUsedAt, "never")),
      h("td", null, when(t.createdAt)),
      h("td", null, h("button", { type: "button", class: "danger small", text: "Revoke", "aria-label": "Revoke token " + t.name, click: () => revokeToken(t) })));
  }), "No token in this org yet.");
}

async function revokeToken(t) {
  const sure = await confirmAction("Revoke token " + t.name + "?",
    "Every request with this token is refused from now on. This cannot be undone.", "Revoke");
  if (!sure) return;
  try {
    await api("DELETE", inOrg("/api/v1/tokens/" + encodeURIComponent(t.id)));
    notice("Token " + t.name + " revoked.");
  } catch (e) { notice("Could not revoke " + t.name + ": " + e.message, "error"); }
  await loadTokens();
}

async function deletePolicy(p) {
  const sure = await confirmAction("Delete access policy " + p.name + "?",
    "Its tokens are deleted with it, and every request with them is refused from now on. This cannot be undone.", "Delete");
  if (!sure) return;
  try {
    await api("DELETE", inOrg("/api/v1/accesspolicies/" + encodeURIComponent(p.id)));
    notice("Access policy " + p.name + " and its tokens deleted.");
  } catch (e) { notice("Could not delete " + p.name + ": " + e.message, "error"); }
  await loadPolicies();
  await loadTokens();
}
`;
