/*
 * asset.h: files embedded into the binary at build time (web/, migrations/).
 * tools/embed.c generates the table; each asset's data is NUL-terminated, and len
 * excludes that NUL. The table is sorted by path and ends with a NULL path.
 */
#ifndef AIMS_BASE_ASSET_H
#define AIMS_BASE_ASSET_H

#include <stddef.h>

struct asset {
	const char *path; /* e.g. "web/templates/layout.html" */
	const char *data;
	size_t len;
};

extern const struct asset asset_table[];
extern const size_t asset_count;

const struct asset *asset_find(const char *path);

#endif
