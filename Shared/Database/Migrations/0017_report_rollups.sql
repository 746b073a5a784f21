-- Reporting's rollup of the events: one narrow row per stored event with the few values the reports read,
-- already taken out of the message. A report over `events` reads each wide row's whole sealed message
-- (detoasted, parsed as JSON) to use a name, a time and one or two properties; over this table it reads a
-- few dozen bytes per event and no JSON. The rows are kept per event, not summed per day or per profile, so every
-- report keeps its exact definition (sessions, funnels, carts and orders need each event's time and order),
-- and a merge or a split only re-points `profile_id`.
--
-- Reporting's worker keeps it from the outbox (`ReportRollupWriter`): `events` adds a row as soon as an event
-- is stored (no profile yet), `resolutions` sets the profile identity attached it to, and a merge or a split
-- on `profiles` re-reads the profiles of the rows of the profiles it names. Every write is an idempotent
-- upsert from `events` and `event_profiles` as they are, so a message handled twice changes nothing.
--
-- `workspace_id` leads the primary key (the schema stays shardable by workspace) and `profile_id` is indexed
-- with it, so a person's rows are found, re-pointed and erased cheaply.
CREATE TABLE report_events (
    workspace_id uuid NOT NULL,
    received_at timestamptz NOT NULL,
    message_id text NOT NULL,
    event_time timestamptz NOT NULL,
    -- NULL while identity has not resolved the event.
    profile_id uuid,
    type text NOT NULL,
    event text,
    -- Orders (`Order Completed`, `Order Cancelled`, `Order Refunded`): 'order:' || order_id when it is a
    -- string, else 'message:' || message_id, as the revenue trait keys them.
    order_key text,
    -- The event's money in satang: an order event's `total`; a `Product Added`'s price × quantity; a
    -- `Checkout Started`'s `value`, else the sum of its products' lines.
    value_satang bigint,
    -- A page or screen view's campaign (`source/medium`, `source` alone, NULL without a source).
    campaign text,
    -- E-mail events: `campaign_id` as a report shows it, and `campaign_name` when it is a string.
    email_campaign text,
    email_campaign_name text,
    -- `Survey Responded`: `nps_score` when it is a JSON number.
    nps_score numeric,
    -- `Ticket Opened` and `Ticket Resolved`: `ticket_id` when it is a string, `category` and `channel` as a
    -- report shows them.
    ticket_id text,
    ticket_category text,
    ticket_channel text,
    PRIMARY KEY (workspace_id, received_at, message_id)
);

-- Reports read a workspace's period in event time, or one kind of event (orders, e-mails, tickets) whenever.
CREATE INDEX report_events_time ON report_events (workspace_id, event_time);
CREATE INDEX report_events_event ON report_events (workspace_id, event, event_time) WHERE type = 'track';
CREATE INDEX report_events_profile ON report_events (workspace_id, profile_id) WHERE profile_id IS NOT NULL;

-- A JSON number as integer satang (hundredths, rounded half away from zero); 0 when it is no number or beyond
-- a billion baht, exactly as the reports' `ReportSQL.satang` and the computed traits' `Satang` read money.
CREATE FUNCTION kinship_report_satang(jsonb) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN jsonb_typeof($1) = 'number' AND abs(($1 #>> '{}')::numeric) <= 1000000000
                THEN round(($1 #>> '{}')::numeric * 100)::bigint ELSE 0 END
$$;

-- A product line's value in satang: price × quantity (its whole part, 1 when missing), as `ReportSQL.lineSatang`.
CREATE FUNCTION kinship_report_line_satang(jsonb) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT kinship_report_satang($1->'price')
           * CASE WHEN jsonb_typeof($1->'quantity') = 'number'
                  THEN least(greatest(trunc(($1->>'quantity')::numeric), 0), 10000)::bigint ELSE 1 END
$$;

-- A property's value as a report shows it, as `ReportSQL.displayText`: its text, `(none)` when missing or
-- null, `(sealed)` for a personal value stored encrypted.
CREATE FUNCTION kinship_report_text(jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN $1 IS NULL OR jsonb_typeof($1) = 'null' THEN '(none)'
                WHEN jsonb_typeof($1) = 'object' AND $1 ? '$sealed' THEN '(sealed)'
                ELSE $1 #>> '{}' END
$$;

-- The rollup row of each stored event, from `events` and `event_profiles` as they are now: what the worker
-- upserts, and what a test or a repair compares `report_events` with.
CREATE VIEW report_event_rows AS
SELECT e.workspace_id, e.received_at, e.message_id, e.event_time, ep.profile_id, e.type, e.event,
       CASE WHEN e.type = 'track' AND e.event IN ('Order Completed', 'Order Cancelled', 'Order Refunded')
            THEN CASE WHEN jsonb_typeof(e.message->'properties'->'order_id') = 'string'
                      THEN 'order:' || (e.message->'properties'->>'order_id')
                      ELSE 'message:' || e.message_id END
       END AS order_key,
       CASE WHEN e.type <> 'track' THEN NULL
            WHEN e.event IN ('Order Completed', 'Order Cancelled', 'Order Refunded')
                THEN kinship_report_satang(e.message->'properties'->'total')
            WHEN e.event = 'Product Added' THEN kinship_report_line_satang(e.message->'properties')
            WHEN e.event = 'Checkout Started' THEN
                CASE WHEN jsonb_typeof(e.message->'properties'->'value') = 'number'
                     THEN kinship_report_satang(e.message->'properties'->'value')
                     ELSE (SELECT coalesce(sum(kinship_report_line_satang(line)), 0)::bigint
                           FROM jsonb_array_elements(CASE WHEN jsonb_typeof(e.message->'properties'->'products') = 'array'
                                                          THEN e.message->'properties'->'products' ELSE '[]'::jsonb END) AS line)
                END
       END AS value_satang,
       CASE WHEN e.type IN ('page', 'screen')
                 AND jsonb_typeof(e.message->'context'->'campaign'->'source') = 'string'
                 AND e.message->'context'->'campaign'->>'source' <> ''
            THEN (e.message->'context'->'campaign'->>'source')
                 || CASE WHEN jsonb_typeof(e.message->'context'->'campaign'->'medium') = 'string'
                              AND e.message->'context'->'campaign'->>'medium' <> ''
                         THEN '/' || (e.message->'context'->'campaign'->>'medium') ELSE '' END
       END AS campaign,
       CASE WHEN e.type = 'track' AND e.event IN ('Email Delivered', 'Email Opened', 'Email Link Clicked', 'Email Bounced', 'Unsubscribed')
            THEN kinship_report_text(e.message->'properties'->'campaign_id')
       END AS email_campaign,
       CASE WHEN e.type = 'track' AND e.event IN ('Email Delivered', 'Email Opened', 'Email Link Clicked', 'Email Bounced', 'Unsubscribed')
                 AND jsonb_typeof(e.message->'properties'->'campaign_name') = 'string'
            THEN e.message->'properties'->>'campaign_name'
       END AS email_campaign_name,
       CASE WHEN e.type = 'track' AND e.event = 'Survey Responded' AND jsonb_typeof(e.message->'properties'->'nps_score') = 'number'
            THEN (e.message->'properties'->>'nps_score')::numeric
       END AS nps_score,
       CASE WHEN e.type = 'track' AND e.event IN ('Ticket Opened', 'Ticket Resolved') AND jsonb_typeof(e.message->'properties'->'ticket_id') = 'string'
            THEN e.message->'properties'->>'ticket_id'
       END AS ticket_id,
       CASE WHEN e.type = 'track' AND e.event IN ('Ticket Opened', 'Ticket Resolved')
            THEN kinship_report_text(e.message->'properties'->'category')
       END AS ticket_category,
       CASE WHEN e.type = 'track' AND e.event IN ('Ticket Opened', 'Ticket Resolved')
            THEN kinship_report_text(e.message->'properties'->'channel')
       END AS ticket_channel
FROM events e
LEFT JOIN event_profiles ep
    ON ep.workspace_id = e.workspace_id AND ep.received_at = e.received_at AND ep.message_id = e.message_id;

-- The events stored before this migration.
INSERT INTO report_events SELECT * FROM report_event_rows;
