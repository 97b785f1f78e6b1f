/**
 * `/admin/app.js`: the page's one script, assembled from its parts into a single strict IIFE. Plain
 * browser JavaScript kept as text, so there is no build step; the browser test (test/browser) runs it.
 */
import { SCRIPT_CORE } from "./script-core.ts";
import { SCRIPT_FORMS } from "./script-forms.ts";
import { SCRIPT_LISTS } from "./script-lists.ts";

/** The script, started once the document is parsed (it is loaded with `defer`). */
export const ADMIN_JS = `"use strict";
(() => {
${SCRIPT_CORE}
${SCRIPT_LISTS}
${SCRIPT_FORMS}
start();
})();
`;
