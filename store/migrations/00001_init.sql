-- +goose Up
-- The payout journal: every event of every batch, in the order the hosts
-- appended them under the journal's advisory lock (seq is that order).
CREATE TABLE journal_events (
    seq     bigserial PRIMARY KEY,
    journal text        NOT NULL,
    body    text        NOT NULL,
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX journal_events_by_journal ON journal_events (journal, seq);

-- One row per batch: its state, so a transition is one conditional UPDATE,
-- and the lease a host holds while it reads the batch's status.
CREATE TABLE payout_batches (
    journal     text        NOT NULL,
    tracking_id text        NOT NULL,
    state       text        NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text        NOT NULL DEFAULT '',
    poll_after  timestamptz,
    polled_by   text        NOT NULL DEFAULT '',
    PRIMARY KEY (journal, tracking_id)
);

-- Drafts, per journal and per user ('' is the journal's own).
CREATE TABLE payout_drafts (
    journal    text        NOT NULL,
    owner      text        NOT NULL,
    id         text        NOT NULL,
    body       text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (journal, owner, id)
);

-- The audit log: one signed hash chain for every host. line is the record
-- exactly as signed; n is its place in the chain.
CREATE TABLE audit_log (
    n    bigint PRIMARY KEY,
    line text   NOT NULL,
    sig  text   NOT NULL
);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE payout_drafts;
DROP TABLE payout_batches;
DROP TABLE journal_events;
