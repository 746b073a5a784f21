-- Which profile each event resolved to, beside the events rather than in them: events stay append-only.
-- Writing the profile back into `events` rewrote each wide event row a second time (a new row version
-- and two index entries); when identity caught up on a backlog, that first touch of each cold event page
-- was the largest part of its database work. This narrow table is appended to in resolution order.
CREATE TABLE event_profiles (
    workspace_id uuid NOT NULL,
    received_at timestamptz NOT NULL,
    message_id text NOT NULL,
    profile_id uuid NOT NULL,
    event_time timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, received_at, message_id)
) PARTITION BY RANGE (received_at);

CREATE TABLE event_profiles_default PARTITION OF event_profiles DEFAULT;

-- A profile's events in time order (unmerge replays them; merges re-point them).
CREATE INDEX event_profiles_profile ON event_profiles (workspace_id, profile_id, event_time);

-- Monthly partitions of both tables, named alike (`events_2026_11`, `event_profiles_2026_11`), so a month
-- of events and what they resolved to are created, and dropped, together.
CREATE OR REPLACE FUNCTION kinship_ensure_event_partitions(months_ahead integer DEFAULT 3) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    month_start date := date_trunc('month', now())::date;
    created integer := 0;
    parent text;
    partition_name text;
BEGIN
    FOR i IN 0..months_ahead LOOP
        FOREACH parent IN ARRAY ARRAY['events', 'event_profiles'] LOOP
            partition_name := format('%s_%s', parent, to_char(month_start, 'YYYY_MM'));
            IF to_regclass(partition_name) IS NULL THEN
                EXECUTE format(
                    'CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                    partition_name, parent, month_start, (month_start + interval '1 month')::date
                );
                created := created + 1;
            END IF;
        END LOOP;
        month_start := (month_start + interval '1 month')::date;
    END LOOP;
    RETURN created;
END
$$;

SELECT kinship_ensure_event_partitions();

-- Months before this one have no partition here: their rows go to the default partition.
INSERT INTO event_profiles (workspace_id, received_at, message_id, profile_id, event_time)
SELECT workspace_id, received_at, message_id, profile_id, event_time FROM events WHERE profile_id IS NOT NULL;

DROP INDEX events_profile;
ALTER TABLE events DROP COLUMN profile_id;
