-- The outbox as a bus: leases of partitions per consumer group, failure bookkeeping, dead letters,
-- and redelivery to one consumer group.

-- A replayed dead letter is delivered to the consumer group that failed it, not to every group.
ALTER TABLE outbox ADD COLUMN only_group text;

-- The head message of a partition that keeps failing: how often, and why.
ALTER TABLE outbox_cursors ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE outbox_cursors ADD COLUMN last_error text;

-- Live workers of each consumer group, so each can compute its fair share of partitions.
CREATE TABLE outbox_workers (
    consumer_group text NOT NULL,
    topic text NOT NULL,
    worker_id text NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (consumer_group, topic, worker_id)
);

-- Which worker processes a partition; a lease not renewed before expires_at may be taken over.
CREATE TABLE outbox_leases (
    consumer_group text NOT NULL,
    topic text NOT NULL,
    partition integer NOT NULL,
    owner text,
    expires_at timestamptz NOT NULL DEFAULT '-infinity',
    PRIMARY KEY (consumer_group, topic, partition)
);

CREATE TABLE outbox_dead_letters (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consumer_group text NOT NULL,
    topic text NOT NULL,
    partition integer NOT NULL,
    message_id bigint NOT NULL,
    workspace_id uuid NOT NULL,
    key text NOT NULL,
    payload jsonb NOT NULL,
    error text NOT NULL,
    attempts integer NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now(),
    replayed_at timestamptz
);
CREATE INDEX outbox_dead_letters_group ON outbox_dead_letters (consumer_group, topic) WHERE replayed_at IS NULL;
