-- Data subject requests, carried out by every service that holds a person's rows.

-- The profiles a request covers (the live one and every profile merged into it), found when it was made.
ALTER TABLE privacy_requests ADD COLUMN profile_ids uuid[] NOT NULL DEFAULT '{}';

-- One row per service that must act on a request: each service marks its own step done, with what it
-- removed (table names and row counts, never the values), in the transaction that removed it. The
-- request is done when every step is.
CREATE TABLE privacy_request_steps (
    workspace_id uuid NOT NULL,
    request_id uuid NOT NULL,
    service text NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
    removed jsonb NOT NULL DEFAULT '{}',
    completed_at timestamptz,
    PRIMARY KEY (workspace_id, request_id, service),
    FOREIGN KEY (workspace_id, request_id) REFERENCES privacy_requests (workspace_id, id)
);

-- Identifiers whose data is refused at ingestion and kept out of identity resolution, as blind-index
-- tokens (never the values).
CREATE TABLE suppressed_identifiers (
    workspace_id uuid NOT NULL REFERENCES workspaces (id),
    type text NOT NULL,
    token bytea NOT NULL,
    request_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, type, token)
);

CREATE INDEX privacy_requests_recent ON privacy_requests (workspace_id, requested_at DESC);
CREATE INDEX audit_log_recent ON audit_log (workspace_id, at DESC);
