-- Short hashes of what a profile's last evaluation read, per trait and per track event name
-- ({"traits": {name: hash}, "events": {name: hash}}): the next evaluation compares them to tell which inputs
-- changed and evaluates again only the segments that read those. Empty for rows written before: every
-- segment is evaluated once more for them.
ALTER TABLE segment_profiles ADD COLUMN inputs jsonb NOT NULL DEFAULT '{}';
