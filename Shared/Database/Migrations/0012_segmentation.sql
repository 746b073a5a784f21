-- Segmentation's own state. Identity owns `profiles`; segmentation reads it and writes only these tables.

-- What segmentation concluded about each live profile: its computed traits, its consent in force per
-- category, and the moment time alone next changes one of its answers (a window closing, a day passing),
-- when the due-time loop evaluates it again.
CREATE TABLE segment_profiles (
    workspace_id uuid NOT NULL,
    profile_id uuid NOT NULL,
    computed jsonb NOT NULL DEFAULT '{}',
    consent jsonb NOT NULL DEFAULT '{}',
    event_count integer NOT NULL DEFAULT 0,
    next_check timestamptz,
    evaluated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, profile_id)
);
CREATE INDEX segment_profiles_due ON segment_profiles (next_check) WHERE next_check IS NOT NULL;

-- The first schema's `consents` (one row per category, no history) was never written; the facts below replace it.
DROP TABLE consents;

-- Consent as versioned facts: every choice a profile's events stated, per category, kept as history; the
-- latest by the event's time is in force (and copied to `segment_profiles.consent`). Rebuilt from the
-- profile's events when its events change hands (a merge or a split), as everything here is.
CREATE TABLE consent_facts (
    workspace_id uuid NOT NULL,
    profile_id uuid NOT NULL,
    category text NOT NULL,
    granted boolean NOT NULL,
    -- `event` (a `Consent Preference Updated`) or `context` (`context.consent` of any event).
    origin text NOT NULL CHECK (origin IN ('event', 'context')),
    source_id uuid NOT NULL,
    message_id text NOT NULL,
    stated_at timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, profile_id, category, message_id)
);

-- A segment's every definition, so a membership names the version it was decided under.
ALTER TABLE segments ADD COLUMN description text NOT NULL DEFAULT '';
ALTER TABLE segments ADD COLUMN required_consent text;
ALTER TABLE segments ADD COLUMN deleted_at timestamptz;
ALTER TABLE segments DROP CONSTRAINT segments_workspace_id_name_key;
CREATE UNIQUE INDEX segments_live_name ON segments (workspace_id, name) WHERE deleted_at IS NULL;

CREATE TABLE segment_versions (
    workspace_id uuid NOT NULL,
    segment_id uuid NOT NULL,
    version integer NOT NULL,
    definition jsonb NOT NULL,
    required_consent text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, segment_id, version),
    FOREIGN KEY (workspace_id, segment_id) REFERENCES segments (workspace_id, id)
);

-- A profile's current segments, and a segment's members over time.
CREATE INDEX memberships_profile ON memberships (workspace_id, profile_id) WHERE exited_at IS NULL;
