/*
 * clock.c: see clock.h.
 */
#include "base/clock.h"

#include <stdio.h>

void clock_iso(time_t t, char out[CLOCK_ISO_LEN])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, CLOCK_ISO_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void clock_now_iso(char out[CLOCK_ISO_LEN])
{
	clock_iso(time(NULL), out);
}

double clock_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}
