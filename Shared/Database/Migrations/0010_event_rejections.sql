-- Events a consumer could not handle (a value it cannot open, say): each such event costs itself only,
-- never its neighbours in a message or its partition. The event stays in `events`; this row says which
-- consumer group passed it by and why, for an operator (`kinship outbox rejected`).
CREATE TABLE event_rejections (
    consumer_group text NOT NULL,
    workspace_id uuid NOT NULL,
    received_at timestamptz NOT NULL,
    message_id text NOT NULL,
    reason text NOT NULL,
    rejected_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, workspace_id, received_at, message_id)
);
CREATE INDEX event_rejections_recent ON event_rejections (rejected_at DESC);
