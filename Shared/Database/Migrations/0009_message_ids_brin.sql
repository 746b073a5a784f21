-- The dedup table's age index as BRIN rather than a B-tree. Ids arrive in time order and leave, whole
-- pages at a time, once older than the window, so ranges of pages hold ranges of times and the pruner's
-- `received_at < …` finds them from a summary per range. The B-tree took an entry per id at ingestion,
-- about a fortieth of the database's work per event; BRIN touches its summary only when a range closes.
DROP INDEX event_message_ids_age;
CREATE INDEX event_message_ids_age ON event_message_ids USING brin (received_at) WITH (autosummarize = on);
