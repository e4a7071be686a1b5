/*
 * asset.c: binary search over the generated, sorted asset_table.
 */
#include "base/asset.h"

#include <string.h>

const struct asset *asset_find(const char *path)
{
	size_t lo = 0, hi = asset_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(asset_table[mid].path, path);
		if (c == 0)
			return &asset_table[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
