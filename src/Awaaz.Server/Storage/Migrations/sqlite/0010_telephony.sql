CREATE TABLE data_protection_keys (
    id TEXT PRIMARY KEY,
    friendly_name TEXT NOT NULL,
    xml TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE telephony_connections (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners(id),
    provider TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    status TEXT NOT NULL,
    is_default INTEGER NOT NULL,
    managed_by TEXT NOT NULL,
    tata_email TEXT NULL,
    protected_secrets TEXT NOT NULL,
    has_password INTEGER NOT NULL,
    api_key_mask TEXT NULL,
    auth_token_mask TEXT NULL,
    from_number TEXT NOT NULL,
    base_url TEXT NOT NULL,
    agent_number TEXT NULL,
    settings TEXT NOT NULL,
    protected_smartflo_secret TEXT NOT NULL,
    smartflo_secret_hash TEXT NOT NULL,
    previous_secret_hash TEXT NULL,
    previous_secret_expires_at BIGINT NULL,
    health TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT NULL
);
CREATE UNIQUE INDEX ux_connections_partner_name ON telephony_connections(partner_id, name_key) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX ux_connections_secret ON telephony_connections(smartflo_secret_hash);
CREATE INDEX ix_connections_previous_secret ON telephony_connections(previous_secret_hash);
CREATE INDEX ix_connections_partner ON telephony_connections(partner_id, created_at);

CREATE TABLE phone_numbers (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners(id),
    connection_id TEXT NOT NULL REFERENCES telephony_connections(id),
    phone_number TEXT NOT NULL,
    friendly_name TEXT NULL,
    status TEXT NOT NULL,
    agent_id TEXT NULL,
    assigned_at BIGINT NULL,
    provider_number_id TEXT NULL,
    provider_alias TEXT NULL,
    provider_destination TEXT NULL,
    provider_destination_name TEXT NULL,
    provider_missing INTEGER NOT NULL,
    deactivated_by_sync INTEGER NOT NULL,
    last_synced_at BIGINT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (connection_id, phone_number)
);
CREATE INDEX ix_phone_numbers_number ON phone_numbers(phone_number);
CREATE INDEX ix_phone_numbers_partner ON phone_numbers(partner_id, created_at);
