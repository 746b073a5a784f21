-- What identity's size rules read of every profile in every batch, kept on the profile: its identifiers
-- per type and the merges into it. Counting them from `identities` and `profile_merges` each time was
-- the larger part of reading a batch's profiles. Identity writes them whenever they change, in the
-- same transaction as the identifiers and merges they count.
ALTER TABLE profiles
    ADD COLUMN identity_counts jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN merge_count integer NOT NULL DEFAULT 0;

UPDATE profiles p SET identity_counts = c.counts
FROM (
    SELECT workspace_id, profile_id, jsonb_object_agg(type, n) AS counts
    FROM (SELECT workspace_id, profile_id, type, count(*)::int AS n FROM identities GROUP BY 1, 2, 3) AS per_type
    GROUP BY 1, 2
) AS c
WHERE p.workspace_id = c.workspace_id AND p.id = c.profile_id;

UPDATE profiles p SET merge_count = m.n
FROM (SELECT workspace_id, into_profile, count(*)::int AS n FROM profile_merges GROUP BY 1, 2) AS m
WHERE p.workspace_id = m.workspace_id AND p.id = m.into_profile;
