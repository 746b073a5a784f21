-- How much of a client's IP address a workspace keeps: all of it, anonymised (IPv4 /24, IPv6 /48), or none.
ALTER TABLE workspaces ADD COLUMN ip_policy text NOT NULL DEFAULT 'anonymize'
    CHECK (ip_policy IN ('none', 'anonymize', 'drop'));

-- Refused messages are listed per source, newest first.
CREATE INDEX failed_events_source ON failed_events (workspace_id, source_id, received_at DESC);
