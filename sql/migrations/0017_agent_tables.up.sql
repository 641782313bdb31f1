-- 0017_agent_tables: the agentic chat (the spec's add_agent_tables.sql).
-- A conversation holds ordered messages; an assistant message may request
-- tool calls (search scripts, read documentation, analyse a script), whose
-- results come back as 'tool' messages.  session_id is the API's sessionId;
-- chat_history rows of the same conversation carry it too.
CREATE TABLE agent_conversations (
	id         BIGSERIAL    PRIMARY KEY,
	session_id UUID         NOT NULL DEFAULT gen_random_uuid(),
	user_id    INTEGER      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	title      VARCHAR(255),
	model      VARCHAR(100),
	status     TEXT         NOT NULL DEFAULT 'active',
	metadata   JSONB        NOT NULL DEFAULT '{}',
	created_at TIMESTAMPTZ  NOT NULL DEFAULT now(),
	updated_at TIMESTAMPTZ  NOT NULL DEFAULT now(),
	CONSTRAINT agent_conversations_session_id_key UNIQUE (session_id),
	CONSTRAINT agent_conversations_status_check CHECK (status IN ('active', 'archived')),
	CONSTRAINT agent_conversations_metadata_check CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE INDEX idx_agent_conversations_user ON agent_conversations (user_id, updated_at);

CREATE TRIGGER agent_conversations_set_updated_at BEFORE UPDATE ON agent_conversations
	FOR EACH ROW EXECUTE FUNCTION psscript_set_updated_at();

CREATE TABLE agent_messages (
	id              BIGSERIAL   PRIMARY KEY,
	conversation_id BIGINT      NOT NULL REFERENCES agent_conversations (id) ON DELETE CASCADE,
	role            TEXT        NOT NULL,
	content         TEXT        NOT NULL DEFAULT '',
	-- for role 'tool': the provider's id of the call this message answers
	tool_call_id    VARCHAR(100),
	-- [{type: doc or script, id, title, url}] cited by an assistant message
	sources         JSONB       NOT NULL DEFAULT '[]',
	token_count     INTEGER,
	created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
	CONSTRAINT agent_messages_role_check CHECK (role IN ('system', 'user', 'assistant', 'tool')),
	CONSTRAINT agent_messages_sources_check CHECK (jsonb_typeof(sources) = 'array'),
	CONSTRAINT agent_messages_token_count_check CHECK (token_count >= 0)
);

-- Messages of a conversation in order (id order is insertion order).
CREATE INDEX idx_agent_messages_conversation ON agent_messages (conversation_id, id);

CREATE TABLE agent_tool_calls (
	id          BIGSERIAL    PRIMARY KEY,
	message_id  BIGINT       NOT NULL REFERENCES agent_messages (id) ON DELETE CASCADE,
	call_id     VARCHAR(100) NOT NULL,
	tool_name   VARCHAR(100) NOT NULL,
	arguments   JSONB        NOT NULL DEFAULT '{}',
	result      JSONB,
	status      TEXT         NOT NULL DEFAULT 'pending',
	error       TEXT,
	duration_ms INTEGER,
	created_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
	finished_at TIMESTAMPTZ,
	CONSTRAINT agent_tool_calls_message_call_key UNIQUE (message_id, call_id),
	CONSTRAINT agent_tool_calls_status_check CHECK (status IN ('pending', 'running', 'succeeded', 'failed')),
	CONSTRAINT agent_tool_calls_duration_check CHECK (duration_ms >= 0)
);
