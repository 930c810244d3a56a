-- +goose Up
-- Every webhook event any host accepted, once: the event log `malipo
-- events` lists and the record a host reads after its LISTEN connection
-- dropped to show its consoles what it missed. seq is the order the events
-- committed in (hosts insert under one advisory lock); dedup_key (the
-- object's state, or the sender's id) and event_id are unique per profile,
-- so a retry IntaSend sends to the other host is no second row. body is as
-- received with its challenge redacted: no secret is ever stored.
CREATE TABLE webhook_events (
    seq         bigserial   PRIMARY KEY,
    profile     text        NOT NULL,
    dedup_key   text        NOT NULL,
    event_id    text        NOT NULL,
    type        text        NOT NULL,
    object      text        NOT NULL,
    state       text        NOT NULL,
    amount      text        NOT NULL DEFAULT '',
    currency    text        NOT NULL DEFAULT '',
    signed      boolean     NOT NULL DEFAULT false,
    headers     jsonb       NOT NULL DEFAULT '{}',
    body        text        NOT NULL,
    received_at timestamptz NOT NULL,
    received_by text        NOT NULL,
    UNIQUE (profile, dedup_key),
    UNIQUE (profile, event_id)
);
CREATE INDEX webhook_events_by_profile ON webhook_events (profile, seq);

-- +goose Down
DROP TABLE webhook_events;
