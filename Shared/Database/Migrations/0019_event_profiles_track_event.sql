-- The name of a track event beside the profile it resolved to (NULL for other types), written by identity
-- with the row. Segment conditions on events ("did Order Completed in 30 days") find a profile's events of
-- one name in `event_profiles_profile` alone: before, every one of a profile's events was fetched from
-- `events`, whose rows carry the whole sealed message, only to read its name there. Counts, first and last
-- times now read the index only; sums, averages and property filters fetch the matching events alone.
ALTER TABLE event_profiles ADD COLUMN track_event text;

UPDATE event_profiles ep SET track_event = e.event
FROM events e
WHERE e.workspace_id = ep.workspace_id AND e.received_at = ep.received_at AND e.message_id = ep.message_id
  AND e.type = 'track';

DROP INDEX event_profiles_profile;
CREATE INDEX event_profiles_profile ON event_profiles (workspace_id, profile_id, event_time) INCLUDE (track_event);
