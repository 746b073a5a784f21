-- Each workspace's privacy policy: its consent categories, which category each kind of message belongs
-- to, and the key names it classifies as personal or sensitive beyond the defaults. A workspace without
-- a row has the defaults (`PrivacyPolicy.standard`). Changes are written to the audit log.
CREATE TABLE privacy_policies (
    workspace_id uuid PRIMARY KEY REFERENCES workspaces (id),
    version integer NOT NULL,
    policy jsonb NOT NULL,
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Consent refused by a person, per identifier (blind-index token, never the value) and category, as
-- segmentation concluded from the person's consent facts, and since when (the refusal's event time):
-- ingestion refuses to store events of that category dated from then on. Kept by
-- segmentation for every identifier of a profile whose consent in force refuses a category; a later grant
-- sets `refused` to false rather than deleting, so that ingestion, which reads the rows changed since its
-- last read (`changed_xid` at or after that read's snapshot xmin), sees the change.
CREATE TABLE consent_refusals (
    workspace_id uuid NOT NULL REFERENCES workspaces (id),
    type text NOT NULL,
    token bytea NOT NULL,
    category text NOT NULL,
    profile_id uuid NOT NULL,
    refused boolean NOT NULL,
    refused_at timestamptz NOT NULL,
    changed_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (workspace_id, type, token, category)
);
CREATE INDEX consent_refusals_changes ON consent_refusals (workspace_id, changed_xid);
CREATE INDEX consent_refusals_profile ON consent_refusals (workspace_id, profile_id);
