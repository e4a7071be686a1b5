/*
 * dashboard.c: the numbers on the front page: active systems by life-cycle stage and
 * by organisation, and the latest changes, all limited to what the actor can see.
 */
#include "svc/internal.h"
#include "model/vocab.h"

#include <string.h>

int svc_dashboard(struct store *s, const struct actor *a, json_t **out, struct err *e)
{
	struct svc_scope scope;
	json_t *by_stage = NULL, *by_org = NULL, *recent = NULL;
	*out = NULL;
	svc_scope_of(a, &scope);
	int rc = store_system_count_by(s, &scope.scope, "lifecycle_stage", &by_stage, e);
	if (!rc)
		rc = store_system_count_by(s, &scope.scope, "org", &by_org, e);
	if (!rc)
		rc = store_change_recent(s, &scope.scope, 10, &recent, e);
	if (rc) {
		json_decref(by_stage);
		json_decref(by_org);
		json_decref(recent);
		return rc;
	}
	/* Every stage appears, in life-cycle order, even with zero systems. */
	json_t *stages = json_array();
	json_int_t total = 0;
	for (int i = 0; vocab_lifecycle_stage.codes[i]; i++) {
		json_int_t count = 0;
		size_t k;
		json_t *row;
		json_array_foreach(by_stage, k, row)
			if (!strcmp(json_string_value(json_object_get(row, "lifecycle_stage")),
				    vocab_lifecycle_stage.codes[i]))
				count = json_integer_value(json_object_get(row, "count"));
		total += count;
		json_array_append_new(stages, json_pack("{ss sI}", "lifecycle_stage", vocab_lifecycle_stage.codes[i],
							"count", count));
	}
	json_decref(by_stage);
	size_t k;
	json_t *row;
	json_array_foreach(by_org, k, row)
		json_object_del(row, "org_path");
	json_array_foreach(recent, k, row)
		json_object_del(row, "object_type");
	*out = json_pack("{so so so sI}", "by_stage", stages, "by_org", by_org, "recent", recent, "total", total);
	return 0;
}
