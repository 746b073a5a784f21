-- The data map's rollup: per workspace, hour of event time, place, key and kind of event, how many values
-- the stored events carried there, how many of them sealed, how many looked like an e-mail or a phone
-- number in clear, and the first and last event time. Reading every key of every stored message took the
-- data map 12.5 s over 90 days of a 10,000-customer shop; it now sums a few rows per key and hour.
--
-- Reporting's worker adds an event's keys when it first writes the event's `report_events` row (an upsert
-- that inserted, not one that found the row), in the same statement, so an event counts once however many of
-- its messages come. The counts are of values received: an erasure removes the person's events and
-- `report_events` rows, not these sums, which name no one.

-- The keys an event's message holds at the three places traits and properties arrive.
CREATE FUNCTION kinship_report_event_fields(message jsonb) RETURNS TABLE (place text, key text, value jsonb)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 'properties', f.key, f.value
    FROM jsonb_each(CASE WHEN jsonb_typeof(message->'properties') = 'object' THEN message->'properties' ELSE '{}'::jsonb END) AS f
    UNION ALL
    SELECT 'traits', f.key, f.value
    FROM jsonb_each(CASE WHEN jsonb_typeof(message->'traits') = 'object' THEN message->'traits' ELSE '{}'::jsonb END) AS f
    UNION ALL
    SELECT 'context.traits', f.key, f.value
    FROM jsonb_each(CASE WHEN jsonb_typeof(message->'context'->'traits') = 'object' THEN message->'context'->'traits' ELSE '{}'::jsonb END) AS f
$$;

-- A value stored sealed (`{"$sealed": …}`).
CREATE FUNCTION kinship_report_sealed(value jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT jsonb_typeof(value) = 'object' AND value ? '$sealed'
$$;

-- A string in clear that looks like an e-mail address or a phone number by its text, whatever its key.
CREATE FUNCTION kinship_report_looks_personal(value jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT jsonb_typeof(value) = 'string'
       AND (value #>> '{}' ~* '^[^@[:space:]]+@[^@[:space:]]+\.[a-z]{2,}$' OR value #>> '{}' ~ '^(\+|0)[0-9][0-9 ().-]{7,16}$')
$$;

-- Each stored event's keys, one row per key, with what the data map sums.
CREATE VIEW report_data_key_rows AS
SELECT e.workspace_id, e.received_at, e.message_id, e.event_time, f.place, f.key,
       e.type || ':' || coalesce(e.event, '') AS kind_of_event,
       kinship_report_sealed(f.value) AS sealed, kinship_report_looks_personal(f.value) AS looks_personal
FROM events e
CROSS JOIN LATERAL kinship_report_event_fields(e.message) AS f;

CREATE TABLE report_data_keys (
    workspace_id uuid NOT NULL,
    -- The hour of the events' time (`date_bin`, whole UTC hours whatever the session's time zone).
    hour timestamptz NOT NULL,
    place text NOT NULL,
    key text NOT NULL,
    -- The events' type and name, `track:Order Completed`, `identify:`: the privacy policy's consent category
    -- of each kind is worked out when the map is read.
    kind_of_event text NOT NULL,
    value_count bigint NOT NULL,
    sealed_count bigint NOT NULL,
    looks_personal_count bigint NOT NULL,
    first_seen timestamptz NOT NULL,
    last_seen timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, hour, place, key, kind_of_event)
);

-- The events rolled up before this migration.
INSERT INTO report_data_keys
SELECT f.workspace_id, date_bin('1 hour', f.event_time, '2000-01-01T00:00:00Z'), f.place, f.key, f.kind_of_event,
       count(*), count(*) FILTER (WHERE f.sealed), count(*) FILTER (WHERE f.looks_personal), min(f.event_time), max(f.event_time)
FROM report_events r
JOIN report_data_key_rows f ON f.workspace_id = r.workspace_id AND f.received_at = r.received_at AND f.message_id = r.message_id
GROUP BY 1, 2, 3, 4, 5;
