/*
 * json_write.h: compact JSON text of a jansson value, appended to a struct buf.
 *
 * Same output as json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) (checked by
 * tests/unit/test_json_write.c against jansson itself), about five times faster:
 * jansson's encoder cost a quarter of the server time of GET /api/v1/systems/{id}
 * in the benchmark (docs/internals/dependencies.md). Strings from jansson are
 * valid UTF-8, so bytes >= 0x80 pass through unchanged.
 */
#ifndef AIMS_BASE_JSON_WRITE_H
#define AIMS_BASE_JSON_WRITE_H

#include "base/buf.h"

#include <jansson.h>

/* Returns 0, or AIMS_ETOOBIG when the buffer's limit is reached. */
int json_write(struct buf *b, const json_t *v);

#endif
