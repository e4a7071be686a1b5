/*
 * api.h: helpers shared by the JSON API handler files.
 */
#ifndef AIMS_HTTP_API_H
#define AIMS_HTTP_API_H

#include "http/handlers.h"
#include "svc/svc.h"

/* Reads the list filters from the query string; writes a 400 and returns -1 when bad. */
int api_system_query(struct http_request *r, struct svc_system_query *q, struct http_response *res);

#endif
