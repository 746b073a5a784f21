-- Kinship's first schema. Never edit once released: add 0002_… instead.
-- Every table carries workspace_id and the large tables' keys lead with it, so the schema can be
-- distributed by workspace (Citus) later. Identifiers and PII are stored as blind-index tokens
-- (HMAC, bytea) and AES-GCM ciphertexts (bytea), never in clear.

CREATE TABLE workspaces (
    id uuid PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    -- The workspace's data key (encrypts event PII before a person is known) and blind-index key,
    -- each wrapped by the master key.
    data_key bytea NOT NULL,
    index_key bytea NOT NULL,
    settings jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sources (
    workspace_id uuid NOT NULL REFERENCES workspaces (id),
    id uuid NOT NULL,
    name text NOT NULL,
    write_key_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    disabled_at timestamptz,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, name)
);

CREATE TABLE api_keys (
    workspace_id uuid NOT NULL REFERENCES workspaces (id),
    id uuid NOT NULL,
    name text NOT NULL,
    role text NOT NULL CHECK (role IN ('admin', 'analyst', 'viewer')),
    key_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    PRIMARY KEY (workspace_id, id)
);

-- Events: the whole Segment message, PII values encrypted, partitioned by month of arrival.
CREATE TABLE events (
    workspace_id uuid NOT NULL,
    received_at timestamptz NOT NULL,
    message_id text NOT NULL,
    source_id uuid NOT NULL,
    type text NOT NULL CHECK (type IN ('identify', 'track', 'page', 'screen', 'group', 'alias')),
    event text,
    event_time timestamptz NOT NULL,
    profile_id uuid,
    message jsonb NOT NULL,
    PRIMARY KEY (workspace_id, received_at, message_id)
) PARTITION BY RANGE (received_at);

-- A default partition so no acknowledged event is ever refused for want of a partition.
CREATE TABLE events_default PARTITION OF events DEFAULT;

CREATE INDEX events_profile ON events (workspace_id, profile_id, event_time) WHERE profile_id IS NOT NULL;

-- The dedup index: a partitioned table cannot hold a unique key without its partition key,
-- so each workspace's message ids live here for the dedup window.
CREATE TABLE event_message_ids (
    workspace_id uuid NOT NULL,
    message_id text NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, message_id)
);
CREATE INDEX event_message_ids_age ON event_message_ids (received_at);

-- Creates the monthly partitions of events from this month to `months_ahead` months ahead.
CREATE FUNCTION kinship_ensure_event_partitions(months_ahead integer DEFAULT 3) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    month_start date := date_trunc('month', now())::date;
    created integer := 0;
    partition_name text;
BEGIN
    FOR i IN 0..months_ahead LOOP
        partition_name := format('events_%s', to_char(month_start, 'YYYY_MM'));
        IF to_regclass(partition_name) IS NULL THEN
            EXECUTE format(
                'CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)',
                partition_name, month_start, (month_start + interval '1 month')::date
            );
            created := created + 1;
        END IF;
        month_start := (month_start + interval '1 month')::date;
    END LOOP;
    RETURN created;
END
$$;

SELECT kinship_ensure_event_partitions();

-- The bus. tx_id orders messages by commit safety (see the outbox consumer); payloads are small references.
CREATE TABLE outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
    topic text NOT NULL,
    partition integer NOT NULL,
    workspace_id uuid NOT NULL,
    key text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX outbox_read ON outbox (topic, partition, tx_id, id);

CREATE TABLE outbox_cursors (
    consumer_group text NOT NULL,
    topic text NOT NULL,
    partition integer NOT NULL,
    tx_id xid8 NOT NULL DEFAULT '0',
    id bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, topic, partition)
);

CREATE TABLE profiles (
    workspace_id uuid NOT NULL REFERENCES workspaces (id),
    id uuid NOT NULL,
    -- The profile's own data key, wrapped by the master key; erasing a person destroys it.
    data_key bytea NOT NULL,
    merged_into uuid,
    -- Trait values: personal ones sealed under data_key, with source and time per key.
    traits jsonb NOT NULL DEFAULT '{}',
    computed_traits jsonb NOT NULL DEFAULT '{}',
    flags jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX profiles_merged_into ON profiles (workspace_id, merged_into) WHERE merged_into IS NOT NULL;

CREATE TABLE identities (
    workspace_id uuid NOT NULL,
    type text NOT NULL,
    token bytea NOT NULL,
    value_sealed bytea NOT NULL,
    profile_id uuid NOT NULL,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, type, token),
    FOREIGN KEY (workspace_id, profile_id) REFERENCES profiles (workspace_id, id)
);
CREATE INDEX identities_profile ON identities (workspace_id, profile_id);

CREATE TABLE segments (
    workspace_id uuid NOT NULL REFERENCES workspaces (id),
    id uuid NOT NULL,
    name text NOT NULL,
    definition jsonb NOT NULL,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, name)
);

CREATE TABLE memberships (
    workspace_id uuid NOT NULL,
    segment_id uuid NOT NULL,
    profile_id uuid NOT NULL,
    entered_at timestamptz NOT NULL,
    exited_at timestamptz,
    segment_version integer NOT NULL,
    PRIMARY KEY (workspace_id, segment_id, profile_id, entered_at),
    FOREIGN KEY (workspace_id, segment_id) REFERENCES segments (workspace_id, id)
);
CREATE UNIQUE INDEX memberships_current ON memberships (workspace_id, segment_id, profile_id) WHERE exited_at IS NULL;

-- Every message refused after authentication, sealed under the workspace data key, with its reason.
CREATE TABLE failed_events (
    workspace_id uuid NOT NULL,
    id bigint GENERATED ALWAYS AS IDENTITY,
    source_id uuid,
    received_at timestamptz NOT NULL DEFAULT now(),
    error_code text NOT NULL,
    error_message text NOT NULL,
    payload_sealed bytea NOT NULL,
    PRIMARY KEY (workspace_id, id)
);

CREATE TABLE consents (
    workspace_id uuid NOT NULL,
    profile_id uuid NOT NULL,
    category text NOT NULL,
    granted boolean NOT NULL,
    source text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, profile_id, category),
    FOREIGN KEY (workspace_id, profile_id) REFERENCES profiles (workspace_id, id)
);

CREATE TABLE privacy_requests (
    workspace_id uuid NOT NULL REFERENCES workspaces (id),
    id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('export', 'erase', 'suppress')),
    -- The subject as blind-index tokens ([{type, token}]), never in clear.
    subject jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    requested_by text NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    result jsonb,
    PRIMARY KEY (workspace_id, id)
);

CREATE TABLE audit_log (
    workspace_id uuid NOT NULL,
    id bigint GENERATED ALWAYS AS IDENTITY,
    at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL,
    action text NOT NULL,
    target text,
    details jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
