-- 0008_script_analysis: one analysis per script; scores on the API's 0-10 scale.
CREATE TABLE script_analysis (
	id                       SERIAL PRIMARY KEY,
	script_id                INTEGER          NOT NULL REFERENCES scripts (id) ON DELETE CASCADE,
	purpose                  TEXT,
	security_score           DOUBLE PRECISION NOT NULL,
	quality_score            DOUBLE PRECISION NOT NULL,
	risk_score               DOUBLE PRECISION NOT NULL,
	parameter_docs           JSONB            NOT NULL DEFAULT '{}',
	suggestions              JSONB            NOT NULL DEFAULT '[]',
	command_details          JSONB            NOT NULL DEFAULT '[]',
	ms_docs_references       JSONB            NOT NULL DEFAULT '[]',
	security_issues          JSONB            NOT NULL DEFAULT '[]',
	best_practice_violations JSONB            NOT NULL DEFAULT '[]',
	performance_insights     JSONB            NOT NULL DEFAULT '[]',
	potential_risks          JSONB            NOT NULL DEFAULT '[]',
	code_complexity_metrics  JSONB            NOT NULL DEFAULT '{}',
	compatibility_notes      JSONB            NOT NULL DEFAULT '[]',
	execution_summary        JSONB            NOT NULL DEFAULT '{}',
	analysis_version         VARCHAR          NOT NULL DEFAULT '1.0',
	created_at               TIMESTAMPTZ      NOT NULL DEFAULT now(),
	updated_at               TIMESTAMPTZ      NOT NULL DEFAULT now(),
	-- beyond the spec: the analysis object of API.md names who produced it
	provider                 VARCHAR(50)      NOT NULL DEFAULT 'builtin',
	CONSTRAINT script_analysis_security_score_check CHECK (security_score BETWEEN 0 AND 10),
	CONSTRAINT script_analysis_quality_score_check CHECK (quality_score BETWEEN 0 AND 10),
	CONSTRAINT script_analysis_risk_score_check CHECK (risk_score BETWEEN 0 AND 10),
	CONSTRAINT script_analysis_json_shape_check CHECK (
		jsonb_typeof(parameter_docs) = 'object'
		AND jsonb_typeof(suggestions) = 'array'
		AND jsonb_typeof(command_details) = 'array'
		AND jsonb_typeof(ms_docs_references) = 'array'
		AND jsonb_typeof(security_issues) = 'array'
		AND jsonb_typeof(best_practice_violations) = 'array'
		AND jsonb_typeof(performance_insights) = 'array'
		AND jsonb_typeof(potential_risks) = 'array'
		AND jsonb_typeof(code_complexity_metrics) = 'object'
		AND jsonb_typeof(compatibility_notes) = 'array'
		AND jsonb_typeof(execution_summary) = 'object')
);

-- The spec's idx_script_analysis_script, unique: one analysis per script
-- (the 1:1 of the spec's diagram; writers upsert ON CONFLICT (script_id)).
CREATE UNIQUE INDEX idx_script_analysis_script ON script_analysis (script_id);

CREATE TRIGGER script_analysis_set_updated_at BEFORE UPDATE ON script_analysis
	FOR EACH ROW EXECUTE FUNCTION psscript_set_updated_at();
