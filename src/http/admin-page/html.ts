/**
 * The `/admin` page's markup: static, with no inline script, style or handler, so the CSP can forbid them
 * all. Every value from the API is added later by `app.js`, as text nodes.
 */

/** The page. Its forms never submit (the script handles them; the CSP has `form-action 'none'`). */
export const ADMIN_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Keycard admin</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/admin/app.css">
<script src="/admin/app.js" defer></script>
</head>
<body>
<header class="bar">
  <h1>Keycard <span>admin</span></h1>
  <p id="who" class="who">Not connected</p>
</header>
<div class="page">
<noscript><p class="notice error">This page needs JavaScript.</p></noscript>
<div id="notice" class="notice" role="status" aria-live="polite" hidden></div>

<section id="connect" class="card">
  <h2>Connect</h2>
  <form id="connect-form" novalidate autocomplete="off">
    <div class="grid">
      <label>Token
        <input id="connect-token" type="password" spellcheck="false" autocomplete="off" placeholder="kc_…" data-field="token">
      </label>
      <label>Org id
        <input id="connect-org" spellcheck="false" autocomplete="off" placeholder="optional for an org's own token" data-field="orgId">
      </label>
    </div>
    <p class="err" data-err="token"></p>
    <p class="hint">The operator token, or a Keycard token whose policy holds <code>accesspolicies:*</code> / <code>stacks:*</code>.
      It stays in this tab's memory and is sent only to this Keycard; never in a cookie.</p>
    <label class="check"><input id="connect-remember" type="checkbox"> Remember for this tab (sessionStorage: gone when the tab closes)</label>
    <p class="err" data-err="form"></p>
    <div class="actions">
      <button type="submit" id="connect-submit">Connect</button>
      <button type="button" id="forget" class="secondary">Forget token</button>
    </div>
  </form>
</section>

<main id="workspace" hidden>
  <section id="orgs" class="card">
    <div class="head">
      <h2>Orgs</h2>
      <label class="inline">Acting in <select id="org-select" aria-label="Acting org"></select></label>
    </div>
    <div id="orgs-list" class="list"></div>
    <form id="org-form" class="row-form" novalidate>
      <label>New org <input id="org-name" spellcheck="false" placeholder="acme" data-field="name"></label>
      <button type="submit">Create org</button>
      <p class="err" data-err="name"></p>
      <p class="err" data-err="form"></p>
    </form>
  </section>

  <section id="stacks" class="card">
    <h2>Stacks</h2>
    <div id="stacks-list" class="list"></div>
    <form id="stack-form" class="row-form" novalidate>
      <label>New stack <input id="stack-name" spellcheck="false" placeholder="prod-eu" data-field="name"></label>
      <button type="submit">Create stack</button>
      <p class="err" data-err="name"></p>
      <p class="err" data-err="form"></p>
    </form>
  </section>

  <section id="policies" class="card">
    <h2>Access policies</h2>
    <div id="policies-list" class="list"></div>
    <details id="policy-details" open>
      <summary>New access policy</summary>
      <form id="policy-form" novalidate>
        <div class="grid">
          <label>Name <input id="policy-name" spellcheck="false" maxlength="64" placeholder="alloy-prod" data-field="name">
            <span class="err" data-err="name"></span></label>
          <label>Display name <input id="policy-display" maxlength="128" placeholder="Alloy (prod)" data-field="displayName">
            <span class="err" data-err="displayName"></span></label>
        </div>
        <fieldset id="policy-scopes" data-field="scopes">
          <legend>Scopes</legend>
          <div id="scope-groups" class="scope-groups"></div>
          <p class="err" data-err="scopes"></p>
        </fieldset>
        <label>Realm <select id="policy-realm" data-field="realm"></select>
          <span class="err" data-err="realm"></span></label>
        <fieldset data-field="labels">
          <legend>Label selectors</legend>
          <p class="hint">Limit <code>metrics:read</code> and <code>logs:read</code> to the series one of these selectors matches,
            e.g. <code>{env="prod", team=~"obs|sre"}</code>.</p>
          <div id="selector-rows"></div>
          <button type="button" id="add-selector" class="secondary small">Add selector</button>
          <p class="err" data-err="labels"></p>
        </fieldset>
        <label>Allowed subnets
          <textarea id="policy-subnets" rows="3" spellcheck="false" placeholder="10.0.0.0/8&#10;2001:db8::/32" data-field="subnets"></textarea>
          <span class="hint">One CIDR per line (a host is /32 or /128). Empty allows any address.</span>
          <span class="err" data-err="subnets"></span></label>
        <p class="err" data-err="form"></p>
        <div class="actions"><button type="submit" id="policy-submit">Create policy</button></div>
      </form>
    </details>
  </section>

  <section id="tokens" class="card">
    <h2>Tokens</h2>
    <div id="secret" class="secret" hidden>
      <h3>Secret of the new token <span id="secret-name"></span></h3>
      <p class="warn"><strong>Copy it now: you won't see this again.</strong> Keycard keeps only its hash.</p>
      <div class="secret-row">
        <input id="secret-value" readonly spellcheck="false" aria-label="Token secret">
        <button type="button" id="secret-copy">Copy</button>
      </div>
      <p id="secret-status" class="hint" role="status"></p>
      <button type="button" id="secret-done" class="secondary small">I have stored it: hide</button>
    </div>
    <div id="tokens-list" class="list"></div>
    <details id="token-details" open>
      <summary>New token</summary>
      <form id="token-form" novalidate>
        <div class="grid">
          <label>Access policy <select id="token-policy" data-field="accessPolicyId"></select>
            <span class="err" data-err="accessPolicyId"></span></label>
          <label>Name <input id="token-name" spellcheck="false" maxlength="64" placeholder="alloy-eu-1" data-field="name">
            <span class="err" data-err="name"></span></label>
          <label>Display name <input id="token-display" maxlength="128" data-field="displayName">
            <span class="err" data-err="displayName"></span></label>
          <label>Expires (local time; empty: never) <input id="token-expires" type="datetime-local" data-field="expiresAt">
            <span class="err" data-err="expiresAt"></span></label>
        </div>
        <p class="err" data-err="form"></p>
        <div class="actions"><button type="submit" id="token-submit">Create token</button></div>
      </form>
    </details>
  </section>
</main>
</div>

<dialog id="confirm" aria-labelledby="confirm-title">
  <h3 id="confirm-title">Are you sure?</h3>
  <p id="confirm-text"></p>
  <div class="actions">
    <button type="button" id="confirm-cancel" class="secondary">Cancel</button>
    <button type="button" id="confirm-ok" class="danger">Confirm</button>
  </div>
</dialog>
</body>
</html>
`;
