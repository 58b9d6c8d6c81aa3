/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The modem routes of the HTTP API (pool-api.c); api.c lists them in its route table. */
#ifndef SMSD_POOL_API_H
#define SMSD_POOL_API_H

struct smsd_request;
struct smsd_reply;

void smsd_pool_api_list(void *app, const struct smsd_request *req, struct smsd_reply *rep);
void smsd_pool_api_get(void *app, const struct smsd_request *req, struct smsd_reply *rep);
void smsd_pool_api_enable(void *app, const struct smsd_request *req, struct smsd_reply *rep);
void smsd_pool_api_diagnose(void *app, const struct smsd_request *req, struct smsd_reply *rep);
void smsd_pool_api_disable(void *app, const struct smsd_request *req, struct smsd_reply *rep);

/* The routes, for api.c's table. */
#define SMSD_POOL_ROUTES                                                                           \
	{"GET", "/v1/modems", smsd_pool_api_list, false},                                          \
	    {"GET", "/v1/modems/{name}", smsd_pool_api_get, false},                                \
	    {"POST", "/v1/modems/{name}/enable", smsd_pool_api_enable, false},                     \
	    {"POST", "/v1/modems/{name}/diagnose", smsd_pool_api_diagnose, false},                 \
	{                                                                                          \
		"POST", "/v1/modems/{name}/disable", smsd_pool_api_disable, false                  \
	}

#endif
