-- Unmerge and rule history: edges an operator removed stay as history, every split is recorded, every
-- rule version is kept, and a conflict names the event's anchor so history can be replayed (dry runs).

-- Which rule drew an edge: `attach` (a new identifier joined), `merge` (its profile was merged in) or
-- `same_profile` (both were already one person's); NULL for edges drawn before 0005.
ALTER TABLE identity_edges ADD COLUMN rule text, ADD COLUMN removed_at timestamptz, ADD COLUMN removed_reason text;

-- The identifier that anchored the event whose other identifier was not attached (NULL before 0005).
ALTER TABLE identity_conflicts ADD COLUMN anchor_type text, ADD COLUMN anchor_token bytea;
CREATE INDEX identity_conflicts_message ON identity_conflicts (workspace_id, message_id);

-- A profile split by an unmerge: the parts that left it, and why.
CREATE TABLE profile_splits (
    workspace_id uuid NOT NULL,
    id bigint GENERATED ALWAYS AS IDENTITY,
    profile_id uuid NOT NULL,
    new_profiles uuid[] NOT NULL,
    reason text NOT NULL,
    requested_by text NOT NULL,
    split_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX profile_splits_profile ON profile_splits (workspace_id, profile_id);

-- Every version of a workspace's identity rules (identity_rules holds the current one).
CREATE TABLE identity_rules_history (
    workspace_id uuid NOT NULL REFERENCES workspaces (id),
    version integer NOT NULL,
    rules jsonb NOT NULL,
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, version)
);
