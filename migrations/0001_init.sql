-- Keycard schema. D1 is the source of truth; docs/STORAGE.md documents every table and KV key.
-- Timestamps are ISO-8601 UTC text (sortable). JSON columns hold arrays/objects as written by the API.
-- Ids are UUIDv7: time-ordered, so cursor pagination by id is stable under concurrent inserts.

CREATE TABLE orgs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE stacks (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (org_id, name)
);

CREATE TABLE access_policies (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  name TEXT NOT NULL,
  display_name TEXT NOT NULL,
  scopes TEXT NOT NULL,      -- JSON array of scope strings, sets as written
  realms TEXT NOT NULL,      -- JSON array of {type, identifier, labelPolicies:[{selector}]}
  conditions TEXT NOT NULL,  -- JSON {allowedSubnets: [cidr]}
  status TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (org_id, name)
);

CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  access_policy_id TEXT NOT NULL REFERENCES access_policies(id) ON DELETE CASCADE,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  name TEXT NOT NULL,
  display_name TEXT NOT NULL,
  token_hash TEXT NOT NULL,  -- hex SHA-256 of the token; the token itself is never stored
  expires_at TEXT,
  first_used_at TEXT,
  last_used_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (access_policy_id, name)
);
CREATE UNIQUE INDEX tokens_by_hash ON tokens (token_hash);
CREATE INDEX tokens_by_org ON tokens (org_id, id);

CREATE TABLE audit_events (
  id TEXT PRIMARY KEY,
  org_id TEXT,               -- null for operator actions outside any org
  actor TEXT NOT NULL,       -- token id, or 'operator'
  action TEXT NOT NULL,      -- e.g. accesspolicy.create
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  before TEXT,               -- JSON, secrets removed
  after TEXT,                -- JSON, secrets removed
  request_id TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX audit_by_org ON audit_events (org_id, id);
