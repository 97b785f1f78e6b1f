/** The `/admin` page's stylesheet, served as `/admin/app.css` (the CSP allows styles from 'self' only). */

/** The stylesheet. Plain CSS: system fonts, no external resource. */
export const ADMIN_CSS = `:root{--fg:#1d2330;--muted:#5b6475;--line:#d8dce4;--bg:#f4f6fa;--card:#fff;--accent:#2f6fb0;--ok:#2f8a4c;--bad:#b03a2f;--warn:#9a6a12}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
code,input,select,textarea{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
code{font-size:12px;background:#eef1f6;border-radius:3px;padding:0 .25em;overflow-wrap:anywhere}
.bar{display:flex;align-items:center;justify-content:space-between;gap:1rem;background:var(--fg);color:#fff;padding:.6rem 1.5rem}
.bar h1{font-size:18px;margin:0}.bar h1 span{font-weight:400;opacity:.7}
.who{margin:0;font-size:13px;opacity:.85}
.page{max-width:76rem;margin:0 auto;padding:1rem 1.5rem 3rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.8rem 1.2rem 1rem;margin:0 0 1rem;box-shadow:0 1px 2px rgba(0,0,0,.04)}
.card h2{font-size:16px;margin:.2rem 0 .6rem}
.head{display:flex;align-items:center;justify-content:space-between;gap:1rem;flex-wrap:wrap}
label{display:block;margin:.4rem 0;font-weight:600;font-size:13px}
label.inline,label.check{display:inline-flex;align-items:center;gap:.4rem;font-weight:400}
label.check{margin:.5rem 0}
input,select,textarea{display:block;width:100%;margin-top:.2rem;padding:.35rem .5rem;font-size:13px;border:1px solid var(--line);border-radius:4px;background:#fff;color:var(--fg);font-weight:400}
label.inline select{width:auto;min-width:16rem;margin:0}
input[type=checkbox]{display:inline-block;width:auto;margin:0}
input:focus,select:focus,textarea:focus,button:focus-visible{outline:2px solid var(--accent);outline-offset:1px}
[aria-invalid=true]{border-color:var(--bad);background:#fff7f6}
fieldset[aria-invalid=true]{background:#fff7f6}
fieldset{border:1px solid var(--line);border-radius:4px;margin:.6rem 0;padding:.4rem .8rem .6rem}
legend{font-weight:600;font-size:13px;padding:0 .3rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:0 1rem}
.actions{display:flex;gap:.5rem;margin-top:.6rem}
button{font:inherit;font-weight:600;padding:.4rem .9rem;border-radius:4px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
button:hover{filter:brightness(1.08)}button:disabled{opacity:.55;cursor:progress}
button.secondary{background:#fff;color:var(--accent)}
button.danger{background:var(--bad);border-color:var(--bad);color:#fff}
button.small{padding:.15rem .55rem;font-size:12px}
.row-form{display:flex;flex-wrap:wrap;align-items:flex-end;gap:.5rem;margin-top:.6rem}
.row-form label{flex:0 1 20rem;margin:0}.row-form .err{flex-basis:100%}
.hint{color:var(--muted);font-size:12px;margin:.2rem 0;font-weight:400;display:block}
.err{color:var(--bad);font-size:12px;margin:.15rem 0;font-weight:600;display:block;white-space:pre-line}
.err:empty{display:none}
.notice{border-radius:4px;padding:.5rem .8rem;margin:0 0 1rem;border:1px solid}
.notice.ok{background:#eef8f1;border-color:#b9dfc5;color:#1f5e33}
.notice.error{background:#fdf0ee;border-color:#efc2bc;color:#7d231b}
.list{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600;background:#fafbfd}
tr.current td{background:#f0f6fd}
tr.expired td{color:var(--muted);background:#fbf7ee}
.empty{color:var(--muted);font-style:italic;margin:.3rem 0}
.sub{color:var(--muted);font-size:12px}
.tag{display:inline-block;font:12px/1.5 ui-monospace,monospace;background:#e8eef7;color:#23466b;border-radius:3px;padding:0 .35em;margin:0 .25em .2em 0}
.tag.small{font-size:11px;background:#f3ecdc;color:var(--warn)}
.badge{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.03em;border-radius:3px;padding:0 .4em;margin-left:.3em}
.badge.expired,.badge.inactive{background:var(--bad);color:#fff}
.badge.active{background:var(--ok);color:#fff}
.scope-groups{display:grid;grid-template-columns:repeat(auto-fill,minmax(17rem,1fr));gap:.4rem .8rem}
.group{margin:0;padding:.2rem .6rem .4rem}
.group legend{font-family:ui-monospace,monospace;font-size:12px}
label.scope{display:grid;grid-template-columns:auto 1fr;gap:0 .4rem;align-items:baseline;font-weight:400;margin:.15rem 0;cursor:pointer}
label.scope .scope-name{font-family:ui-monospace,monospace;font-size:12px}
label.scope .desc{grid-column:2;color:var(--muted);font-size:11px}
label.scope .tag{grid-column:2;justify-self:start}
.selector-row{display:grid;grid-template-columns:1fr auto;gap:.2rem .5rem;align-items:center;margin:.3rem 0}
.selector-row input{margin:0}.selector-row .err{grid-column:1/-1}
.secret{border:2px solid var(--warn);background:#fffaf0;border-radius:6px;padding:.6rem 1rem;margin:0 0 1rem}
.secret h3{margin:.2rem 0;font-size:15px}
.warn{color:#6b4a0c;margin:.3rem 0}
.secret-row{display:flex;gap:.5rem;align-items:center}
.secret-row input{margin:0;font-size:14px;background:#fff}
details summary{cursor:pointer;font-weight:600;margin:.8rem 0 .2rem;color:var(--accent)}
dialog{border:1px solid var(--line);border-radius:6px;padding:1rem 1.4rem;max-width:30rem;box-shadow:0 8px 30px rgba(0,0,0,.25)}
dialog::backdrop{background:rgba(20,25,35,.45)}
dialog h3{margin:0 0 .4rem}
dialog .actions{justify-content:flex-end}
[hidden]{display:none!important}
`;
