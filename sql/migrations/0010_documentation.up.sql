-- 0010_documentation: crawled PowerShell documentation, one row per URL.
CREATE TABLE documentation (
	id                  SERIAL PRIMARY KEY,
	title               VARCHAR(500)  NOT NULL,
	url                 VARCHAR(2048) NOT NULL,
	content             TEXT,
	summary             TEXT,
	source              VARCHAR(100)  NOT NULL DEFAULT 'Microsoft Learn',
	content_type        VARCHAR(50)   NOT NULL DEFAULT 'article',
	category            VARCHAR(100)  NOT NULL DEFAULT 'General',
	tags                JSONB         NOT NULL DEFAULT '[]',
	extracted_commands  JSONB         NOT NULL DEFAULT '[]',
	extracted_functions JSONB         NOT NULL DEFAULT '[]',
	extracted_modules   JSONB         NOT NULL DEFAULT '[]',
	metadata            JSONB         NOT NULL DEFAULT '{}',
	crawled_at          TIMESTAMPTZ   NOT NULL DEFAULT now(),
	last_updated        TIMESTAMPTZ,
	created_at          TIMESTAMPTZ   NOT NULL DEFAULT now(),
	updated_at          TIMESTAMPTZ   NOT NULL DEFAULT now(),
	CONSTRAINT documentation_url_key UNIQUE (url),
	CONSTRAINT documentation_url_check CHECK (url <> ''),
	CONSTRAINT documentation_json_shape_check CHECK (
		jsonb_typeof(tags) = 'array'
		AND jsonb_typeof(extracted_commands) = 'array'
		AND jsonb_typeof(extracted_functions) = 'array'
		AND jsonb_typeof(extracted_modules) = 'array'
		AND jsonb_typeof(metadata) = 'object')
);

CREATE TRIGGER documentation_set_updated_at BEFORE UPDATE ON documentation
	FOR EACH ROW EXECUTE FUNCTION psscript_set_updated_at();
