/*
 * clock.h: wall-clock time as RFC 3339 UTC strings ("2026-11-23T09:00:00Z"), the only
 * time format aims stores, so text order is time order.
 */
#ifndef AIMS_BASE_CLOCK_H
#define AIMS_BASE_CLOCK_H

#include <time.h>

#define CLOCK_ISO_LEN 21 /* "YYYY-MM-DDTHH:MM:SSZ" + NUL */

void clock_iso(time_t t, char out[CLOCK_ISO_LEN]);
void clock_now_iso(char out[CLOCK_ISO_LEN]);
/* Monotonic milliseconds, for durations. */
double clock_mono_ms(void);

#endif
