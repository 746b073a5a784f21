-- Identity resolution: the rules per workspace, every edge that joined two identifiers, every merge.

-- A workspace's rules (limits per identifier type, priority, blocked values, size alarm) and their version.
CREATE TABLE identity_rules (
    workspace_id uuid PRIMARY KEY REFERENCES workspaces (id),
    version integer NOT NULL,
    rules jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Two identifiers joined by an event, under a rule version. A profile is a connected group of them.
CREATE TABLE identity_edges (
    workspace_id uuid NOT NULL,
    id bigint GENERATED ALWAYS AS IDENTITY,
    from_type text NOT NULL,
    from_token bytea NOT NULL,
    to_type text NOT NULL,
    to_token bytea NOT NULL,
    message_id text NOT NULL,
    event_received_at timestamptz NOT NULL,
    rule_version integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX identity_edges_from ON identity_edges (workspace_id, from_type, from_token);
CREATE INDEX identity_edges_to ON identity_edges (workspace_id, to_type, to_token);
CREATE INDEX identity_edges_message ON identity_edges (workspace_id, message_id);

-- Every merge: which profile was folded into which, by which event and rule version.
CREATE TABLE profile_merges (
    workspace_id uuid NOT NULL,
    id bigint GENERATED ALWAYS AS IDENTITY,
    into_profile uuid NOT NULL,
    from_profile uuid NOT NULL,
    message_id text NOT NULL,
    rule_version integer NOT NULL,
    merged_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX profile_merges_into ON profile_merges (workspace_id, into_profile);

-- Identifiers an event could not attach (a limit or a refused merge), for the conflict log.
CREATE TABLE identity_conflicts (
    workspace_id uuid NOT NULL,
    id bigint GENERATED ALWAYS AS IDENTITY,
    profile_id uuid NOT NULL,
    type text NOT NULL,
    token bytea NOT NULL,
    reason text NOT NULL,
    message_id text NOT NULL,
    rule_version integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id)
);
