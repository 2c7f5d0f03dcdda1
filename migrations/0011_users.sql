-- People who sign in to the dashboard, their sessions, the briefing webhooks admins manage beside
-- BRIEFING_WEBHOOKS, and the audit log of admin actions. Plain tables, the same in both storage modes.
-- Every statement is idempotent so that re-running the migrations is harmless.

-- `regions` NULL means every region; only an argon2id hash of the password is kept.
CREATE TABLE IF NOT EXISTS app_user (
  user_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username      text NOT NULL,
  display_name  text NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'service_manager', 'parts_planner', 'engineer', 'viewer')),
  regions       text[],
  password_hash text NOT NULL,
  disabled_at   timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);
-- Usernames are unique whatever their case: Alice and alice are one user.
CREATE UNIQUE INDEX IF NOT EXISTS app_user_username_key ON app_user (lower(username));

-- Only a SHA-256 of the session token (the st_session cookie) is kept. expires_at slides forward with use.
CREATE TABLE IF NOT EXISTS user_session (
  token_hash bytea PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen  timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS user_session_user_idx ON user_session (user_id);
CREATE INDEX IF NOT EXISTS user_session_expires_idx ON user_session (expires_at);

-- Receivers of the daily briefing added by admins; created_by is the admin's username or key name.
CREATE TABLE IF NOT EXISTS webhook (
  webhook_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  url        text NOT NULL UNIQUE CHECK (url ~ '^https?://'),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL
);

-- Who did what to users, keys and webhooks, and when. The actor's name is kept as it was at the time.
CREATE TABLE IF NOT EXISTS audit_log (
  audit_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  actor_kind text NOT NULL CHECK (actor_kind IN ('user', 'key', 'system')),
  actor_id   text NOT NULL,
  actor_name text NOT NULL,
  action     text NOT NULL,
  target     text NOT NULL,
  detail     jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS audit_log_at_idx ON audit_log (at DESC, audit_id DESC);
