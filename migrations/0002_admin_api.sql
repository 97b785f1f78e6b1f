-- Admin API (issue #3): idempotency keys, and indexes for the list filters and the audit log.

-- One row per successful POST/DELETE that carried an `x-request-id`, written in the same D1 batch as the
-- change it answers. A retry within 24 h replays `status` and `body` instead of writing again.
-- `body` is the JSON response as replayed: it never holds a token secret.
CREATE TABLE idempotency_keys (
  org_id TEXT NOT NULL,      -- the acting org ('' for operator calls that name none)
  actor TEXT NOT NULL,       -- token id, or 'operator'
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  key TEXT NOT NULL,         -- the x-request-id
  fingerprint TEXT NOT NULL, -- hex SHA-256 of the query and the canonical JSON body
  status INTEGER NOT NULL,
  body TEXT,                 -- JSON, secrets removed; null for 204
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  PRIMARY KEY (org_id, actor, method, path, key)
);
CREATE INDEX idempotency_by_expiry ON idempotency_keys (expires_at);

CREATE INDEX audit_by_target ON audit_events (org_id, target_id, id);
CREATE INDEX policies_by_org ON access_policies (org_id, id);
CREATE INDEX tokens_by_policy ON tokens (access_policy_id, id);
