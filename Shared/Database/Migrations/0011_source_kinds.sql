-- What a source's write key may do. A browser key ships in every page that loads kinship.js, so anyone
-- may hold it: it may send tracking calls (and the pixel) but not import history. A server key stays on
-- a back-end: it may do both. Sources made before kinds existed keep what they could do.
ALTER TABLE sources ADD COLUMN kind text NOT NULL DEFAULT 'server' CHECK (kind IN ('browser', 'server'));
ALTER TABLE sources ALTER COLUMN kind DROP DEFAULT;

-- Message ids are deduplicated per source: a browser key that sends `order-1234` first must not make the
-- shop back-end's own `order-1234` a duplicate. Ids claimed before this carry their event's source.
ALTER TABLE event_message_ids ADD COLUMN source_id uuid;
UPDATE event_message_ids m SET source_id = e.source_id
FROM events e WHERE e.workspace_id = m.workspace_id AND e.received_at = m.received_at AND e.message_id = m.message_id;
-- An id whose event is gone (erased, pruned) protects nothing any more.
DELETE FROM event_message_ids WHERE source_id IS NULL;
ALTER TABLE event_message_ids ALTER COLUMN source_id SET NOT NULL;
ALTER TABLE event_message_ids DROP CONSTRAINT event_message_ids_pkey;
ALTER TABLE event_message_ids ADD PRIMARY KEY (workspace_id, source_id, message_id);
