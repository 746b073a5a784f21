-- The dashboard's sign-ins: a session cookie's token (only its SHA-256 kept), the API key it was opened
-- with (revoking the key ends its sessions at once), its CSRF token for forms, and when it ends.
CREATE TABLE dashboard_sessions (
    token_hash bytea PRIMARY KEY,
    workspace_id uuid NOT NULL,
    api_key_id uuid NOT NULL,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    FOREIGN KEY (workspace_id, api_key_id) REFERENCES api_keys (workspace_id, id)
);
CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions (expires_at);
