#include "config.h"
/* report_sarif.c: SARIF 2.1.0 logs (rules, results, locations, fixes) */

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "analyzer/rules.h"

#define SARIF_SCHEMA \
	"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

static const char *const sarif_levels[PS_SEV__MAX] = { "note", "warning", "error" };

static struct json_object *
text_obj(const char *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "text", ps_json_string(s));
	return o;
}

static struct json_object *
region(const struct ps_finding *f, bool snippet)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "startLine", json_object_new_int((int)(f->line ? f->line : 1)));
	json_object_object_add(r, "startColumn",
	    json_object_new_int((int)(f->column ? f->column : 1)));
	json_object_object_add(r, "endLine",
	    json_object_new_int((int)(f->end_line ? f->end_line : 1)));
	json_object_object_add(r, "endColumn",
	    json_object_new_int((int)(f->end_column ? f->end_column : 1)));
	if (snippet)
		json_object_object_add(r, "snippet", text_obj(f->extent));
	return r;
}

static struct json_object *
artifact_location(const char *uri, size_t index)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "uri", ps_json_string(uri));
	json_object_object_add(o, "index", json_object_new_int((int)index));
	return o;
}

static struct json_object *
rule_descriptor(const struct ps_rule_info *r)
{
	struct json_object *o = json_object_new_object(), *cfg = json_object_new_object(),
	    *props = json_object_new_object(), *tags = json_object_new_array();

	json_object_object_add(o, "id", json_object_new_string(r->id));
	json_object_object_add(o, "name", json_object_new_string(r->id));
	json_object_object_add(o, "shortDescription", text_obj(r->title));
	json_object_object_add(o, "help", text_obj(r->suggestion));
	if (r->docs_url != NULL)
		json_object_object_add(o, "helpUri", json_object_new_string(r->docs_url));
	json_object_object_add(cfg, "level", json_object_new_string(sarif_levels[r->severity]));
	if (r->off_by_default)
		json_object_object_add(cfg, "enabled", json_object_new_boolean(0));
	json_object_object_add(o, "defaultConfiguration", cfg);
	json_object_array_add(tags, json_object_new_string(ps_category_names[r->category]));
	if (r->category == PS_CAT_SECURITY)
		json_object_array_add(tags, json_object_new_string("security"));
	json_object_object_add(props, "tags", tags);
	json_object_object_add(o, "properties", props);
	return o;
}

static struct json_object *
result(const struct ps_finding *f, const char *uri, size_t art)
{
	struct json_object *o = json_object_new_object(), *locs = json_object_new_array(),
	    *loc = json_object_new_object(), *phys = json_object_new_object(),
	    *props = json_object_new_object();
	size_t nrules;
	const struct ps_rule_info *rules = ps_rules(&nrules);

	json_object_object_add(o, "ruleId", json_object_new_string(f->rule->id));
	json_object_object_add(o, "ruleIndex", json_object_new_int((int)(f->rule - rules)));
	json_object_object_add(o, "level", json_object_new_string(sarif_levels[f->severity]));
	json_object_object_add(o, "message", text_obj(f->message));
	json_object_object_add(phys, "artifactLocation", artifact_location(uri, art));
	json_object_object_add(phys, "region", region(f, true));
	json_object_object_add(loc, "physicalLocation", phys);
	json_object_array_add(locs, loc);
	json_object_object_add(o, "locations", locs);
	if (f->fix != NULL) {
		struct json_object *fixes = json_object_new_array(), *fix = json_object_new_object(),
		    *changes = json_object_new_array(), *ch = json_object_new_object(),
		    *reps = json_object_new_array(), *rep = json_object_new_object(),
		    *ins = json_object_new_object();

		json_object_object_add(fix, "description", text_obj(f->suggestion));
		json_object_object_add(ch, "artifactLocation", artifact_location(uri, art));
		json_object_object_add(rep, "deletedRegion", region(f, false));
		json_object_object_add(ins, "text", ps_json_string(f->fix));
		json_object_object_add(rep, "insertedContent", ins);
		json_object_array_add(reps, rep);
		json_object_object_add(ch, "replacements", reps);
		json_object_array_add(changes, ch);
		json_object_object_add(fix, "artifactChanges", changes);
		json_object_array_add(fixes, fix);
		json_object_object_add(o, "fixes", fixes);
	}
	if (f->justification != NULL) {	/* suppressed in the source */
		struct json_object *sups = json_object_new_array(), *sup = json_object_new_object();

		json_object_object_add(sup, "kind", json_object_new_string("inSource"));
		if (f->justification[0] != '\0')
			json_object_object_add(sup, "justification", ps_json_string(f->justification));
		json_object_array_add(sups, sup);
		json_object_object_add(o, "suppressions", sups);
	}
	if (f->mitre != NULL) {
		json_object_put(props);
		props = ps_attack_properties(f, true);
	}
	json_object_object_add(props, "suggestion", ps_json_string(f->suggestion));
	json_object_object_add(o, "properties", props);
	return o;
}

struct json_object *
ps_report_sarif(const struct ps_analysis *const *a, const char *const *uris, size_t n)
{
	struct json_object *log = json_object_new_object(), *runs = json_object_new_array(),
	    *run = json_object_new_object(), *tool = json_object_new_object(),
	    *driver = json_object_new_object(), *rules = json_object_new_array(),
	    *results = json_object_new_array(), *arts = json_object_new_array();
	size_t nrules;
	const struct ps_rule_info *rt = ps_rules(&nrules);

	json_object_object_add(log, "$schema", json_object_new_string(SARIF_SCHEMA));
	json_object_object_add(log, "version", json_object_new_string("2.1.0"));
	json_object_object_add(driver, "name", json_object_new_string("psscript-analyzer"));
	json_object_object_add(driver, "version", json_object_new_string(PS_ANALYZER_VERSION));
	json_object_object_add(driver, "informationUri", json_object_new_string(
	    "https://learn.microsoft.com/powershell/utility-modules/psscriptanalyzer/overview"));
	for (size_t r = 0; r < nrules; r++)
		json_object_array_add(rules, rule_descriptor(&rt[r]));
	json_object_object_add(driver, "rules", rules);
	json_object_object_add(tool, "driver", driver);
	json_object_object_add(run, "tool", tool);
	for (size_t i = 0; i < n; i++) {
		struct json_object *art = json_object_new_object(), *loc = json_object_new_object(),
		    *props = json_object_new_object();
		char s[16];

		json_object_object_add(loc, "uri", ps_json_string(uris[i]));
		json_object_object_add(art, "location", loc);
		snprintf(s, sizeof(s), "%.1f", a[i]->security_score);
		json_object_object_add(props, "securityScore",
		    json_object_new_double_s(a[i]->security_score, s));
		snprintf(s, sizeof(s), "%.1f", a[i]->quality_score);
		json_object_object_add(props, "codeQualityScore",
		    json_object_new_double_s(a[i]->quality_score, s));
		snprintf(s, sizeof(s), "%.1f", a[i]->risk_score);
		json_object_object_add(props, "riskScore",
		    json_object_new_double_s(a[i]->risk_score, s));
		json_object_object_add(art, "properties", props);
		json_object_array_add(arts, art);
		for (size_t k = 0; k < a[i]->nfindings; k++)
			json_object_array_add(results, result(&a[i]->findings[k], uris[i], i));
		for (size_t k = 0; k < a[i]->nsuppressed; k++)
			json_object_array_add(results, result(&a[i]->suppressed[k], uris[i], i));
	}
	json_object_object_add(run, "artifacts", arts);
	json_object_object_add(run, "results", results);
	json_object_object_add(run, "columnKind", json_object_new_string("unicodeCodePoints"));
	json_object_array_add(runs, run);
	json_object_object_add(log, "runs", runs);
	return log;
}
