/** The scope catalogue of `GET /api/v1/accesspolicies/config`, in Grafana's `AccessPoliciesConfig` shape. */
import { LABEL_SCOPES, SCOPE_SETS, SCOPES } from "../../core/scopes.ts";

/** One scope of the catalogue. */
export interface CatalogueScope {
  name: string;
  description: string;
  /** True when a realm's label policies can limit this scope. */
  labelPolicies: boolean;
}

/** The catalogue: scopes with descriptions, sets with their members, and the realm types. */
export interface Catalogue {
  scopes: CatalogueScope[];
  sets: { name: string; scopes: string[] }[];
  /** The realm types; `identifier` says what a realm of the type names. */
  realms: { type: "org" | "stack"; identifier: string; description: string }[];
}

/** Builds the catalogue from the scope definitions of the core. */
export function catalogue(): Catalogue {
  return {
    scopes: Object.entries(SCOPES).map(([name, description]) => ({ name, description, labelPolicies: LABEL_SCOPES.has(name) })),
    sets: Object.entries(SCOPE_SETS).map(([name, scopes]) => ({ name, scopes: [...scopes] })),
    realms: [
      { type: "org", identifier: "org id", description: "The whole org: every stack in it, present and future." },
      { type: "stack", identifier: "stack id", description: "One stack of the org." },
    ],
  };
}
