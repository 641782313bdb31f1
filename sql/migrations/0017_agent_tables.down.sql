-- 0017_agent_tables (down)
DROP TABLE agent_tool_calls;
DROP TABLE agent_messages;
DROP TABLE agent_conversations;
