-- The events of a profile, indexed whole rather than only those already resolved. The partial index was
-- empty whenever it was last vacuumed right after a large import, so the planner took it for empty and
-- scanned a whole workspace's resolved events for each merged profile (its estimate only heals at the
-- next vacuum). Unresolved events now cost one more index entry at ingestion.
DROP INDEX events_profile;
CREATE INDEX events_profile ON events (workspace_id, profile_id, event_time);
