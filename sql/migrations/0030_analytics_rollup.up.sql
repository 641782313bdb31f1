-- 0030_analytics_rollup (issue 18): what the analytics read, kept by triggers, so an uncached
-- summary no longer scans the wide scripts and script_analysis rows (content, search vector,
-- JSONB) and groups every rule count of every visible script on each request (10,000 scripts:
-- docs/analytics.md has the query times before and after).
--
-- analytics_scripts: one narrow row a script (its visibility, category, UTC creation date,
-- analysis date and scores), the scripts the visibility rule filters for every part.
CREATE TABLE analytics_scripts (
	script_id      INTEGER PRIMARY KEY REFERENCES scripts (id) ON DELETE CASCADE,
	user_id        INTEGER NOT NULL,	-- 0: no owner
	is_public      BOOLEAN NOT NULL,
	category_id    INTEGER,
	created_on     DATE    NOT NULL,
	analysed_on    DATE,
	security_score DOUBLE PRECISION,
	risk_score     DOUBLE PRECISION
);

-- analytics_rule_totals: the findings a rule has in the scripts of one owner, visibility and
-- category (0: none). Writers only ever INSERT signed changes (no shared row is updated, so
-- analyses written at once never wait for or deadlock on each other);
-- psscript_analytics_compact() folds the new rows into one a group before a read (a
-- re-analysis adds its rule counts out and in again: the fold drops what nets to nothing).
CREATE TABLE analytics_rule_totals (
	user_id     INTEGER NOT NULL,
	is_public   BOOLEAN NOT NULL,
	category_id INTEGER NOT NULL,
	rule_id     TEXT    NOT NULL,
	occurrences BIGINT  NOT NULL,
	scripts     BIGINT  NOT NULL,
	compacted   BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX idx_analytics_rule_totals_new ON analytics_rule_totals (rule_id) WHERE NOT compacted;

-- A script's rule counts moved out of (sign -1) or into (+1) its group.
CREATE FUNCTION psscript_analytics_rules_move(sid INTEGER, uid INTEGER, pub BOOLEAN, cat INTEGER,
	sign INTEGER) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO analytics_rule_totals (user_id, is_public, category_id, rule_id, occurrences, scripts)
	SELECT COALESCE(uid, 0), pub, COALESCE(cat, 0), rule_id, sign * occurrences, sign
	FROM analysis_rule_counts WHERE script_id = sid;
$$;

CREATE FUNCTION psscript_analytics_script() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO analytics_scripts (script_id, user_id, is_public, category_id, created_on)
		VALUES (NEW.id, COALESCE(NEW.user_id, 0), NEW.is_public, NEW.category_id,
			(NEW.created_at AT TIME ZONE 'UTC')::date);
		RETURN NULL;
	ELSIF TG_OP = 'UPDATE' THEN
		UPDATE analytics_scripts SET user_id = COALESCE(NEW.user_id, 0), is_public = NEW.is_public,
			category_id = NEW.category_id, created_on = (NEW.created_at AT TIME ZONE 'UTC')::date
		WHERE script_id = NEW.id;
		-- the rule counts cannot change meanwhile: their writer takes a share lock on this
		-- row first (psscript_analytics_analysis)
		IF OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.is_public <> NEW.is_public
		    OR OLD.category_id IS DISTINCT FROM NEW.category_id THEN
			PERFORM psscript_analytics_rules_move(NEW.id, OLD.user_id, OLD.is_public, OLD.category_id, -1);
			PERFORM psscript_analytics_rules_move(NEW.id, NEW.user_id, NEW.is_public, NEW.category_id, 1);
		END IF;
		RETURN NULL;
	END IF;
	-- BEFORE DELETE: the rule counts are still there (the cascade drops them afterwards)
	PERFORM psscript_analytics_rules_move(OLD.id, OLD.user_id, OLD.is_public, OLD.category_id, -1);
	RETURN OLD;
END;
$$;

CREATE TRIGGER scripts_analytics_insert AFTER INSERT ON scripts
	FOR EACH ROW EXECUTE FUNCTION psscript_analytics_script();
CREATE TRIGGER scripts_analytics_update AFTER UPDATE ON scripts
	FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.is_public IS DISTINCT FROM NEW.is_public
		OR OLD.category_id IS DISTINCT FROM NEW.category_id OR OLD.created_at IS DISTINCT FROM NEW.created_at)
	EXECUTE FUNCTION psscript_analytics_script();
CREATE TRIGGER scripts_analytics_delete BEFORE DELETE ON scripts
	FOR EACH ROW EXECUTE FUNCTION psscript_analytics_script();

-- An analysis written: its rule counts out of the totals before 0026's trigger replaces them
-- (argument -1) and back in after it (1), then its scores and date. Triggers of an event fire
-- in the order of their names: script_analysis_1_... < script_analysis_rule_counts <
-- script_analysis_z_... The share lock on the script (which db_analysis_store takes first)
-- makes a concurrent change of its owner, visibility or category (which moves its rule counts)
-- or its deletion wait for this analysis or this analysis for it, and both triggers read what
-- was committed last.
CREATE FUNCTION psscript_analytics_analysis() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	s record;
BEGIN
	SELECT user_id, is_public, category_id INTO s FROM scripts WHERE id = NEW.script_id FOR SHARE;
	IF FOUND THEN
		PERFORM psscript_analytics_rules_move(NEW.script_id, s.user_id, s.is_public, s.category_id,
			TG_ARGV[0]::int);
	END IF;
	IF TG_ARGV[0] = '1' THEN
		UPDATE analytics_scripts SET analysed_on = (NEW.updated_at AT TIME ZONE 'UTC')::date,
			security_score = NEW.security_score, risk_score = NEW.risk_score
		WHERE script_id = NEW.script_id;
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER script_analysis_1_analytics_out AFTER INSERT OR UPDATE ON script_analysis
	FOR EACH ROW EXECUTE FUNCTION psscript_analytics_analysis('-1');
CREATE TRIGGER script_analysis_z_analytics_in AFTER INSERT OR UPDATE ON script_analysis
	FOR EACH ROW EXECUTE FUNCTION psscript_analytics_analysis('1');

-- Folds the rows written since the last call into one a group (the totals do not change:
-- a reader's snapshot sees either the parts or their sum). One caller at a time; a caller
-- that finds another at work leaves it to it.
CREATE FUNCTION psscript_analytics_compact() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM analytics_rule_totals WHERE NOT compacted)
	    OR NOT pg_try_advisory_xact_lock(hashtext('psscript_analytics_compact')) THEN
		RETURN;
	END IF;
	WITH g AS (SELECT DISTINCT user_id, is_public, category_id, rule_id
		FROM analytics_rule_totals WHERE NOT compacted),
	d AS (DELETE FROM analytics_rule_totals t USING g
		WHERE t.user_id = g.user_id AND t.is_public = g.is_public
		AND t.category_id = g.category_id AND t.rule_id = g.rule_id
		RETURNING t.user_id, t.is_public, t.category_id, t.rule_id, t.occurrences, t.scripts)
	INSERT INTO analytics_rule_totals (user_id, is_public, category_id, rule_id, occurrences, scripts, compacted)
	SELECT user_id, is_public, category_id, rule_id, sum(occurrences), sum(scripts), true
	FROM d GROUP BY user_id, is_public, category_id, rule_id
	HAVING sum(occurrences) <> 0 OR sum(scripts) <> 0;
END;
$$;

INSERT INTO analytics_scripts (script_id, user_id, is_public, category_id, created_on, analysed_on,
	security_score, risk_score)
SELECT s.id, COALESCE(s.user_id, 0), s.is_public, s.category_id, (s.created_at AT TIME ZONE 'UTC')::date,
	(sa.updated_at AT TIME ZONE 'UTC')::date, sa.security_score, sa.risk_score
FROM scripts s LEFT JOIN script_analysis sa ON sa.script_id = s.id;

INSERT INTO analytics_rule_totals (user_id, is_public, category_id, rule_id, occurrences, scripts, compacted)
SELECT COALESCE(s.user_id, 0), s.is_public, COALESCE(s.category_id, 0), rc.rule_id, sum(rc.occurrences),
	count(*), true
FROM analysis_rule_counts rc JOIN scripts s ON s.id = rc.script_id
GROUP BY 1, 2, 3, 4;
