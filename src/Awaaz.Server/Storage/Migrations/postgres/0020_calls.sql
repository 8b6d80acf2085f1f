CREATE TABLE calls (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL UNIQUE,
    partner_id TEXT NOT NULL REFERENCES partners(id),
    agent_id TEXT NOT NULL,
    agent_name TEXT NOT NULL,
    agent_snapshot TEXT NOT NULL,
    connection_id TEXT NOT NULL REFERENCES telephony_connections(id),
    direction TEXT NOT NULL,
    dial_mode TEXT NULL,
    from_number TEXT NOT NULL,
    to_number TEXT NOT NULL,
    customer_key TEXT NOT NULL,
    variables TEXT NOT NULL,
    status TEXT NOT NULL,
    disposition TEXT NULL,
    answered_by TEXT NULL,
    end_reason TEXT NULL,
    error_message TEXT NULL,
    dial_state TEXT NOT NULL,
    dial_claimed_at BIGINT NULL,
    provider_call_id TEXT NULL,
    provider_uuid TEXT NULL,
    ref_id TEXT NULL,
    stream_sid TEXT NULL,
    stream_call_sid TEXT NULL,
    billsec INTEGER NULL,
    hangup_cause TEXT NULL,
    hangup_cause_code INTEGER NULL,
    provider_stop_reason TEXT NULL,
    provider_recording_url TEXT NULL,
    provider_answered_at BIGINT NULL,
    hangup_requested_at BIGINT NULL,
    hangup_reason TEXT NULL,
    cancel_requested BOOLEAN NOT NULL,
    max_duration_secs INTEGER NOT NULL,
    ring_timeout_secs INTEGER NOT NULL,
    owner_node TEXT NULL,
    owner_heartbeat_at BIGINT NULL,
    transcript TEXT NOT NULL,
    recording_path TEXT NULL,
    created_at BIGINT NOT NULL,
    ringing_at BIGINT NULL,
    started_at BIGINT NULL,
    ended_at BIGINT NULL,
    stream_ended_at BIGINT NULL,
    stream_end TEXT NULL,
    evidence TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX ix_calls_partner_created ON calls(partner_id, created_at DESC, id DESC);
CREATE INDEX ix_calls_partner_status ON calls(partner_id, status);
CREATE INDEX ix_calls_connection_status ON calls(connection_id, status, created_at);
CREATE INDEX ix_calls_dial_state ON calls(dial_state);
CREATE INDEX ix_calls_ref_id ON calls(ref_id);

-- Every Smartflo id bound to a call (full form and numeric core), per connection.
CREATE TABLE call_provider_ids (
    connection_id TEXT NOT NULL,
    value TEXT NOT NULL,
    call_id TEXT NOT NULL REFERENCES calls(id),
    PRIMARY KEY (connection_id, value)
);

CREATE TABLE stream_tokens (
    token_hash TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL,
    call_id TEXT NULL,
    resolver_inputs TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    consumed_at BIGINT NULL
);
CREATE INDEX ix_stream_tokens_call ON stream_tokens(call_id);

-- Raw panel webhooks, stored before they are acknowledged, processed asynchronously.
CREATE TABLE lifecycle_events (
    id TEXT PRIMARY KEY,
    connection_id TEXT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    call_id TEXT NULL,
    payload TEXT NOT NULL,
    content_type TEXT NULL,
    received_at BIGINT NOT NULL,
    processed_at BIGINT NULL,
    matched BOOLEAN NOT NULL,
    attempts INTEGER NOT NULL
);
CREATE INDEX ix_lifecycle_unprocessed ON lifecycle_events(processed_at, received_at);
CREATE INDEX ix_lifecycle_unmatched ON lifecycle_events(matched, received_at);
