-- The channels report cuts each profile's page and screen views into sessions: two window passes over the
-- period's views in (profile, time, message id) order. Read from the table, those views were a scan of every
-- event in the period and a sort of the views on disk, about half the report's time on the benchmark's
-- shop. This index holds them in that order with the campaign, so the passes read it as it is, without the
-- table or a sort; the planner still takes `report_events_time` and a sort where that is cheaper (a short
-- period of a long history). Views are a third of the events; the rollup writes one entry more for each.
CREATE INDEX report_events_views ON report_events (workspace_id, profile_id, event_time, (message_id COLLATE "C")) INCLUDE (campaign)
    WHERE type IN ('page', 'screen') AND profile_id IS NOT NULL;
