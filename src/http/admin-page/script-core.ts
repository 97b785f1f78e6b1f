/**
 * The first part of `app.js`: state, the DOM builder, the API client, field errors, notices and the
 * confirm dialog. Browser JavaScript kept as text (no build step); it runs inside one strict IIFE, so
 * the parts share their functions. It never writes markup: every value becomes a text node.
 */

/** Core helpers of the page script. */
export const SCRIPT_CORE = String.raw`
const SAVED = "keycard.admin";
const state = { token: "", orgId: "", orgs: [], stacks: [], policies: [], catalogue: null };

function $(id) { return document.getElementById(id); }

/** An element: attrs are attributes (false/null skipped), "text" is its text, "click" a listener. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") el.textContent = String(v);
    else if (k === "click") el.addEventListener("click", v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  add(el, children);
  return el;
}

function add(el, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) { for (const c of child) add(el, c); return; }
  el.append(typeof child === "object" ? child : document.createTextNode(String(child)));
}

function clear(el) { el.replaceChildren(); return el; }

/** A path with the acting org and extra query parameters. */
function inOrg(path, params) {
  const u = new URL(path, location.origin);
  if (state.orgId) u.searchParams.set("orgId", state.orgId);
  for (const [k, v] of Object.entries(params || {})) u.searchParams.set(k, v);
  return u.pathname + u.search;
}

/** Calls the admin API; rejects with {status, code, message, details} on anything but 2xx. */
async function api(method, path, body) {
  const headers = { authorization: "Bearer " + state.token, accept: "application/json" };
  const init = { method, headers, cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer" };
  if (body !== undefined) { headers["content-type"] = "application/json"; init.body = JSON.stringify(body); }
  let res;
  try { res = await fetch(path, init); } catch (e) { throw apiError(0, "network", "Keycard cannot be reached: " + e.message); }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (res.ok) return data;
  const message = (data && typeof data.message === "string") ? data.message : "HTTP " + res.status;
  const e = apiError(res.status, (data && data.code) || "http_" + res.status, message);
  e.details = Array.isArray(data && data.details) ? data.details : [];
  if (res.status === 401) notice("The token was refused (401). Connect again with a valid token.", "error");
  throw e;
}

function apiError(status, code, message) {
  const e = new Error(message);
  e.status = status; e.code = code; e.details = [];
  return e;
}

/** Every item of a list, following nextPage (at most 20 pages). */
async function listAll(path) {
  const items = [];
  let next = path;
  for (let i = 0; next && i < 20; i++) {
    const page = await api("GET", next);
    items.push(...page.items);
    next = page.metadata && page.metadata.pagination ? page.metadata.pagination.nextPage : null;
  }
  return items;
}

function notice(message, kind) {
  const n = $("notice");
  n.textContent = message || "";
  n.className = "notice " + (kind || "ok");
  n.hidden = !message;
}

/** The error slot of a field (data-err) in a form, or the form's own slot. */
function slot(form, key) {
  return form.querySelector("[data-err='" + key + "']") || form.querySelector("[data-err='form']");
}

/** Sets (or, with "", clears) the error of one field and marks the field invalid. */
function setErr(form, key, message) {
  const s = slot(form, key);
  if (s) s.textContent = message || "";
  const field = form.querySelector("[data-field='" + key + "']");
  if (field) {
    if (message) field.setAttribute("aria-invalid", "true");
    else field.removeAttribute("aria-invalid");
  }
  return !message;
}

/** Adds an error to a field's slot (several API details may name one field). */
function addErr(form, key, message) {
  const s = slot(form, key);
  const before = s ? s.textContent : "";
  setErr(form, key, before ? before + "\n" + message : message);
}

function clearErrors(form) {
  for (const s of form.querySelectorAll("[data-err]")) s.textContent = "";
  for (const f of form.querySelectorAll("[aria-invalid]")) f.removeAttribute("aria-invalid");
}

/**
 * Shows an API error next to the fields its details name; place(path, message) returns [key, text].
 * Without details, a 409 conflict belongs to the name; anything else to the form.
 */
function showApiError(form, e, place) {
  if (e.details && e.details.length) {
    for (const d of e.details) {
      const [key, text] = place(String(d.path || ""), String(d.message || ""));
      addErr(form, key, text);
    }
  } else if (e.status === 409 && form.querySelector("[data-err='name']")) {
    addErr(form, "name", e.message);
  } else {
    addErr(form, "form", e.message + " (" + e.code + ")");
  }
}

/** Field details map to the field named by their first path segment, else to the form. */
function placeByName(path, message) {
  const first = path.split(".")[0];
  return first ? [first, message] : ["form", message];
}

/** Disables a form's buttons while f runs. */
async function busy(form, f) {
  const buttons = [...form.querySelectorAll("button")];
  for (const b of buttons) b.disabled = true;
  try { return await f(); } finally { for (const b of buttons) b.disabled = false; }
}

/** An in-page confirmation (window.confirm where <dialog> is missing); resolves true on confirm. */
function confirmAction(title, text, okLabel) {
  const d = $("confirm");
  if (typeof d.showModal !== "function") return Promise.resolve(window.confirm(title + "\n\n" + text));
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-ok").textContent = okLabel;
  return new Promise((resolve) => {
    const done = (value) => {
      $("confirm-ok").removeEventListener("click", yes);
      $("confirm-cancel").removeEventListener("click", no);
      d.removeEventListener("cancel", cancel);
      if (d.open) d.close();
      resolve(value);
    };
    const yes = () => done(true);
    const no = () => done(false);
    const cancel = (ev) => { ev.preventDefault(); done(false); };
    $("confirm-ok").addEventListener("click", yes);
    $("confirm-cancel").addEventListener("click", no);
    d.addEventListener("cancel", cancel);
    d.showModal();
    $("confirm-cancel").focus();
  });
}

/** "2026-05-01 12:00 UTC", or a dash for null. */
function when(iso, none) {
  if (!iso) return h("span", { class: "sub", text: none || "—" });
  const d = new Date(iso);
  if (isNaN(d.getTime())) return String(iso);
  return h("time", { datetime: iso, title: iso, text: d.toISOString().slice(0, 16).replace("T", " ") + " UTC" });
}

function isExpired(t) { return Boolean(t.expiresAt) && Date.parse(t.expiresAt) <= Date.now(); }

function readSaved() {
  try { return JSON.parse(sessionStorage.getItem(SAVED) || "null"); } catch (e) { return null; }
}

function save(remember) {
  try {
    if (remember && state.token) sessionStorage.setItem(SAVED, JSON.stringify({ token: state.token, orgId: state.orgId }));
    else sessionStorage.removeItem(SAVED);
  } catch (e) { /* storage may be disabled; memory still works */ }
}
`;
