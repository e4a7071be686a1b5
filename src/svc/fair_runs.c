/*
 * fair_runs.c: a fairness test run on an uploaded CSV, kept as evidence on an AI
 * system (ISO/IEC 42001 A.6.2.4 verification, AI Basic Act duties to check a system
 * before and during use).
 *
 * The CSV arrives like any evidence upload (svc_upload_*, streamed to DIR/tmp); the
 * test reads that temporary file in place (fair/mapped.c maps it), and the CSV is
 * dropped afterwards: production logs are large and often personal data, so only
 * their SHA-256 is kept, in the report (input.sha256). The report (JSON,
 * docs/fair-schema.json, with "system_id") becomes the evidence file, so it is content-addressed and
 * re-verified like every other piece of evidence.
 *
 * Memory: every json_t returned is a new reference owned by the caller.
 */
#include "svc/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REPORT_MAX ((size_t)16 << 20)

/* Puts the user's file name where a message names the temporary file. */
static void name_file(struct err *e, const char *tmp_path, const char *filename)
{
	char *at = strstr(e->message, tmp_path);
	if (!at)
		return;
	char rest[sizeof e->message];
	snprintf(rest, sizeof rest, "%s", at + strlen(tmp_path));
	*at = '\0';
	size_t used = strlen(e->message);
	snprintf(e->message + used, sizeof e->message - used, "%s%s", filename, rest);
}

int svc_fair_attach(struct store *s, const struct actor *a, const struct svc_evidence_config *cfg,
		    int64_t system_id, const struct svc_fair_request *r, const char *title, const char *risk_ids,
		    struct svc_upload *csv, json_t **out, struct err *e)
{
	json_t *sys = NULL, *report = NULL, *input = NULL, *ev = NULL;
	struct svc_upload doc;
	char sha[BLOB_HEX], name[96], date[11];
	const char *tmp = NULL;
	char *text = NULL;
	memset(&doc, 0, sizeof doc);
	*out = NULL;
	svc_today(date);
	int rc = svc_load_system(s, a, system_id, &sys, e);
	if (rc)
		goto out;
	if (!svc_system_can_edit(a, sys)) {
		rc = err_set(e, AIMS_EFORBIDDEN, "your role does not allow testing this AI system");
		goto out;
	}
	if (!csv || !csv->started) {
		err_field_code(e, 0, "file", "required", -1, "choose the CSV of predictions");
		rc = err_set(e, AIMS_EINVAL, "no file");
		goto out;
	}
	if (csv->writer.too_big) {
		rc = err_set(e, AIMS_ETOOBIG, "the file is larger than %llu bytes", cfg->max_bytes);
		goto out;
	}
	if ((rc = blob_writer_peek(&csv->writer, sha, &tmp, e)))
		goto out;
	struct svc_fair_request run = *r;
	run.path = tmp;
	if ((rc = svc_fair_run(&run, &report, e))) {
		name_file(e, tmp, csv->filename);
		goto out;
	}
	/* The engine names the file it read (the temporary one): name the user's instead. */
	json_t *in = json_object_get(report, "input");
	json_object_set_new(in, "file", json_string(csv->filename));
	json_object_set_new(in, "sha256", json_string(sha));
	json_object_set_new(report, "system_id", json_integer(system_id));
	text = json_dumps(report, JSON_INDENT(1));
	if (!text || strlen(text) > REPORT_MAX) {
		rc = err_set(e, AIMS_ETOOBIG, "the report is too large to keep");
		goto out;
	}
	snprintf(name, sizeof name, "fair-system%lld-%.12s.json", (long long)system_id, sha);
	struct svc_evidence_config doc_cfg = { cfg->dir, REPORT_MAX };
	if ((rc = svc_upload_begin(&doc, &doc_cfg, name, "application/json", e)) ||
	    (rc = svc_upload_write(&doc, text, strlen(text), e)))
		goto out;
	doc.kind = "fair_run";
	json_t *pass = json_object_get(report, "pass");
	const char *verdict = json_is_true(pass) ? "pass" : json_is_false(pass) ? "fail" : "no thresholds";
	char description[512];
	snprintf(description, sizeof description, "Fairness test of %s (SHA-256 %s, %llu bytes); thresholds: %s.",
		 csv->filename, sha, (unsigned long long)csv->writer.size, verdict);
	char default_title[300];
	snprintf(default_title, sizeof default_title, "Fairness test: %s", csv->filename);
	input = json_pack("{ss ss ss sI}", "title", title && *title ? title : default_title, "description", description,
			  "issued_on", date, "system_id", (json_int_t)system_id);
	if (risk_ids && *risk_ids)
		json_object_set_new(input, "risk_ids", json_string(risk_ids));
	if ((rc = svc_evidence_create(s, a, &doc_cfg, json_integer_value(json_object_get(sys, "org_id")), input, &doc,
				      &ev, e)))
		goto out;
	*out = json_pack("{so sO}", "evidence", ev, "report", report);
	ev = NULL;
out:
	svc_upload_release(&doc);
	free(text);
	json_decref(sys);
	json_decref(report);
	json_decref(input);
	json_decref(ev);
	return rc;
}

int svc_fair_report(struct store *s, const struct actor *a, const struct svc_evidence_config *cfg,
		    int64_t evidence_id, json_t **out, struct err *e)
{
	json_t *ev = NULL, *meta = NULL;
	int fd = -1;
	*out = NULL;
	int rc = svc_evidence_get(s, a, evidence_id, &ev, e);
	if (rc)
		return rc;
	const char *kind = json_string_value(json_object_get(ev, "kind"));
	if (!kind || strcmp(kind, "fair_run")) {
		rc = err_set(e, AIMS_ENOTFOUND, "evidence %lld is not a fairness test report", (long long)evidence_id);
		goto out;
	}
	if ((rc = svc_evidence_open(s, a, cfg, evidence_id, &fd, &meta, e)))
		goto out;
	FILE *f = fdopen(fd, "rb");
	if (!f) {
		rc = err_set(e, AIMS_EIO, "cannot read the report");
		goto out;
	}
	fd = -1;
	json_error_t jerr;
	*out = json_loadf(f, 0, &jerr);
	fclose(f);
	if (!*out)
		rc = err_set(e, AIMS_EINTEGRITY, "the stored report is not JSON: %s", jerr.text);
out:
	if (fd >= 0)
		close(fd);
	json_decref(ev);
	json_decref(meta);
	return rc;
}
