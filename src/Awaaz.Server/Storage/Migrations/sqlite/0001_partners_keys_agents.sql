CREATE TABLE partners (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    status TEXT NOT NULL,
    agent_limit INTEGER NOT NULL,
    concurrency_limit INTEGER NOT NULL,
    allowed_telephony_providers TEXT NOT NULL,
    allowed_languages TEXT NOT NULL,
    allowed_voices TEXT NULL,
    general_per_minute INTEGER NOT NULL,
    calls_per_minute INTEGER NOT NULL,
    web_sessions_per_minute INTEGER NOT NULL,
    balance_enforcement INTEGER NOT NULL,
    credits TEXT NULL,
    max_webhook_endpoints INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners(id),
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    last4 TEXT NOT NULL,
    label TEXT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NULL,
    revoked_at BIGINT NULL
);
CREATE INDEX ix_api_keys_partner ON api_keys(partner_id);

CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners(id),
    agent_name TEXT NOT NULL,
    agent_name_key TEXT NOT NULL,
    agent_type TEXT NOT NULL,
    document TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT NULL
);
CREATE UNIQUE INDEX ux_agents_partner_name ON agents(partner_id, agent_name_key) WHERE deleted_at IS NULL;
CREATE INDEX ix_agents_partner_created ON agents(partner_id, created_at DESC, id DESC);
