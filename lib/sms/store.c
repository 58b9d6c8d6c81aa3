/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stored messages: list (AT+CMGL), read (AT+CMGR) and delete (AT+CMGD) in each memory, in PDU
 * mode, switching the read memory with AT+CPMS only when needed and switching it back.
 * TS 27.005 3.2.2 (+CPMS), 3.5.4 (+CMGD), 4.1 (+CMGL), 4.2 (+CMGR). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/error.h>
#include <smsctl/modem.h>
#include <smsctl/pdu.h>
#include <smsctl/sms.h>

#include "at/response.h"
#include "i18n.h"
#include "parse/parse.h"
#include "sms/internal.h"
#include "sms/store.h"

/* Most entries one +CMGL answer may give (a modem with 1000 ME slots is rare; bigger
 * answers are cut there and the rest is listed next time). */
#define LIST_MAX 4096
/* Entries of one +CMGL answer read again with +CMGR when their PDU line was garbled. */
#define RETRY_MAX 64

static const char *const status_names[] = {
    [SMSCTL_SMS_UNREAD] = "unread", [SMSCTL_SMS_READ] = "read", [SMSCTL_SMS_UNSENT] = "unsent",
    [SMSCTL_SMS_SENT] = "sent",	    [SMSCTL_SMS_ALL] = "all",
};

SMSCTL_API const char *smsctl_sms_status_name(enum smsctl_sms_status status)
{
	if ((int)status < SMSCTL_SMS_UNREAD || (int)status > SMSCTL_SMS_ALL)
		return "";
	return status_names[status];
}

SMSCTL_API int smsctl_sms_status_from_name(const char *s)
{
	if (!s)
		return SMSCTL_ERR_INVALID;
	for (int i = SMSCTL_SMS_UNREAD; i <= SMSCTL_SMS_ALL; i++)
		if (strcmp(s, status_names[i]) == 0)
			return i;
	return SMSCTL_ERR_INVALID;
}

bool sms_mem_valid(const char *s)
{
	size_t n = 0;

	if (!s)
		return false;
	for (; s[n]; n++) {
		char c = s[n];

		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
		if (n + 1 >= SMS_MEM_MAX)
			return false;
	}
	return n > 0;
}

/* The library error for a CMS ERROR code (TS 27.005 3.2.5). */
static int error_for_cms(int code)
{
	switch (code) {
	case 310: /* SIM not inserted */
	case 311: /* SIM PIN required */
	case 312: /* PH-SIM PIN required */
	case 313: /* SIM failure */
	case 316: /* SIM PUK required */
	case 317: /* SIM PIN2 required */
	case 318: /* SIM PUK2 required */
		return SMSCTL_ERR_SIM;
	case 314: /* SIM busy */
		return SMSCTL_ERR_TRANSIENT;
	case 321: /* invalid memory index */
		return SMSCTL_ERR_NOT_FOUND;
	case 302: /* operation not allowed */
	case 303: /* operation not supported */
		return SMSCTL_ERR_UNSUPPORTED;
	default:
		return SMSCTL_ERR_MODEM;
	}
}

/* The library error for a CME ERROR code (TS 27.007 9.2). */
static int error_for_cme(int code)
{
	switch (code) {
	case 5:
	case 10:
	case 11:
	case 12:
	case 13:
	case 15:
	case 16:
	case 17:
	case 18:
		return SMSCTL_ERR_SIM;
	case 14: /* SIM busy */
		return SMSCTL_ERR_TRANSIENT;
	case 21: /* invalid index */
	case 22: /* not found */
		return SMSCTL_ERR_NOT_FOUND;
	case 3: /* operation not allowed */
	case 4: /* operation not supported */
		return SMSCTL_ERR_UNSUPPORTED;
	default:
		return SMSCTL_ERR_MODEM;
	}
}

int sms_command(struct smsctl_modem *m, const char *cmd, struct smsctl_response **out)
{
	struct smsctl_response *resp = NULL;
	int r;

	if (out)
		*out = NULL;
	r = smsctl_modem_command(m, cmd, 0, &resp);
	if (r == SMSCTL_ERR_MODEM && resp) {
		int code = smsctl_response_get_error_code(resp);

		switch (smsctl_response_get_result(resp)) {
		case SMSCTL_RESULT_CMS_ERROR:
			r = code >= 0 ? error_for_cms(code) : SMSCTL_ERR_MODEM;
			break;
		case SMSCTL_RESULT_CME_ERROR:
			r = code >= 0 ? error_for_cme(code) : SMSCTL_ERR_MODEM;
			break;
		default:
			break;
		}
	}
	if (out)
		*out = resp;
	else
		smsctl_response_free(resp);
	return r;
}

/* The lines of a response as an array the parsers take; NULL when there are none. */
static const char **response_lines(const struct smsctl_response *resp, size_t *n)
{
	const char **lines;

	*n = smsctl_response_get_line_count(resp);
	if (*n == 0)
		return NULL;
	lines = calloc(*n, sizeof(*lines));
	if (!lines) {
		*n = 0;
		return NULL;
	}
	for (size_t i = 0; i < *n; i++)
		lines[i] = smsctl_response_get_line(resp, i);
	return lines;
}

int sms_query_mem(struct smsctl_modem *m, int which, char *mem, size_t size)
{
	struct query_reply raw;
	struct query_storage st;
	int r = query_storage(m, &st, &raw);

	if (r < 0)
		return r;
	if (r > 0) {
		if (raw.result == SMSCTL_RESULT_CMS_ERROR && raw.code >= 0)
			return error_for_cms(raw.code);
		if (raw.result == SMSCTL_RESULT_CME_ERROR && raw.code >= 0)
			return error_for_cme(raw.code);
		return SMSCTL_ERR_MODEM;
	}
	if (!st.known || which < 0 || which > 2 || st.cpms.count <= which ||
	    !sms_mem_valid(st.cpms.mem[which].name))
		return SMSCTL_ERR_PROTOCOL;
	snprintf(mem, size, "%s", st.cpms.mem[which].name);
	return 0;
}

static int set_read_mem(struct smsctl_modem *m, const char *mem)
{
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "AT+CPMS=\"%s\"", mem);
	return sms_command(m, cmd, NULL);
}

int sms_memsel_use(struct smsctl_modem *m, struct sms_memsel *sel, const char *mem)
{
	int r;

	if (!mem || !*mem)
		return 0;
	if (!sms_mem_valid(mem))
		return SMSCTL_ERR_INVALID;
	if (!sel->known) {
		r = sms_query_mem(m, 0, sel->orig, sizeof(sel->orig));
		if (r < 0)
			return r;
		memcpy(sel->cur, sel->orig, sizeof(sel->cur));
		sel->known = true;
	}
	if (strcmp(sel->cur, mem) == 0)
		return 0;
	r = set_read_mem(m, mem);
	if (r == SMSCTL_ERR_MODEM)
		r = SMSCTL_ERR_UNSUPPORTED; /* a bare ERROR: the memory is not there */
	if (r < 0)
		return r;
	snprintf(sel->cur, sizeof(sel->cur), "%s", mem);
	return 0;
}

int sms_memsel_restore(struct smsctl_modem *m, struct sms_memsel *sel)
{
	int r;

	if (!sel->known || strcmp(sel->cur, sel->orig) == 0)
		return 0;
	r = set_read_mem(m, sel->orig);
	if (r == 0)
		memcpy(sel->cur, sel->orig, sizeof(sel->cur));
	return r;
}

static bool mems_has(char mems[][SMS_MEM_MAX], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(mems[i], name) == 0)
			return true;
	return false;
}

int sms_storages(struct smsctl_modem *m, char mems[][SMS_MEM_MAX], size_t max)
{
	struct smsctl_response *resp = NULL;
	struct at_cpms_test t;
	char all[PARSE_MEM_LIST_MAX][SMS_MEM_MAX];
	size_t n_all = 0, n = 0;
	bool found = false;
	int r = sms_command(m, "AT+CPMS=?", &resp);

	if (r == SMSCTL_ERR_GONE || r == SMSCTL_ERR_TIMEOUT || r == SMSCTL_ERR_SIM)
		goto out;
	for (size_t i = 0; i < smsctl_response_get_line_count(resp) && !found; i++) {
		const char *line = smsctl_response_get_line(resp, i);

		if (!parse_has_prefix(line, "+CPMS:") || parse_cpms_test(line, &t) < 0)
			continue;
		if (t.count[0] <= 0)
			continue;
		found = true;
		for (int k = 0; k < t.count[0] && k < PARSE_MEM_LIST_MAX; k++) {
			const char *name = t.mem[0][k];

			if (!sms_mem_valid(name) || mems_has(all, n_all, name))
				continue;
			snprintf(all[n_all++], SMS_MEM_MAX, "%s", name);
		}
	}
	if (!found) {
		/* An answer we cannot read (Wavecom's nested lists): the memory in use. */
		r = sms_query_mem(m, 0, all[0], SMS_MEM_MAX);
		if (r < 0)
			goto out;
		n_all = 1;
	}
	/* MT is SM and ME seen as one: read SM and ME when both are there, else MT alone
	 * (it covers whichever of them the modem does not list for reading). */
	bool sm = mems_has(all, n_all, "SM"), me = mems_has(all, n_all, "ME");
	bool mt = mems_has(all, n_all, "MT");

	for (size_t i = 0; i < n_all && n < max; i++) {
		const char *name = all[i];

		if (strcmp(name, "SR") == 0 || strcmp(name, "BM") == 0)
			continue; /* status reports and cell broadcasts */
		if (strcmp(name, "MT") == 0 && sm && me)
			continue;
		if (mt && !(sm && me) && (strcmp(name, "SM") == 0 || strcmp(name, "ME") == 0))
			continue;
		memcpy(mems[n++], name, SMS_MEM_MAX);
	}
	r = (int)n;
out:
	smsctl_response_free(resp);
	return r;
}

SMSCTL_API int smsctl_sms_get_storages(struct smsctl_modem *m, char ***out)
{
	char mems[SMS_MEMS_MAX][SMS_MEM_MAX];
	char **v;
	int n;

	if (!out)
		return SMSCTL_ERR_INVALID;
	*out = NULL;
	if (!m)
		return SMSCTL_ERR_INVALID;
	n = sms_storages(m, mems, SMS_MEMS_MAX);
	if (n < 0)
		return n;
	v = calloc((size_t)n + 1, sizeof(*v));
	if (!v)
		return SMSCTL_ERR_NOMEM;
	for (int i = 0; i < n; i++) {
		v[i] = strdup(mems[i]);
		if (!v[i]) {
			smsctl_sms_storages_free(v);
			return SMSCTL_ERR_NOMEM;
		}
	}
	*out = v;
	return n;
}

SMSCTL_API void smsctl_sms_storages_free(char **storages)
{
	if (!storages)
		return;
	for (char **p = storages; *p; p++)
		free(*p);
	free(storages);
}

/* ---- stored message objects ---- */

SMSCTL_API void smsctl_stored_free(struct smsctl_stored *s)
{
	if (!s)
		return;
	smsctl_pdu_free(s->pdu);
	free(s->hex);
	free(s);
}

int sms_stored_new(const char *mem, int index, int stat, const char *hex,
		   struct smsctl_stored **out)
{
	struct smsctl_stored *s;
	int r;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return SMSCTL_ERR_NOMEM;
	snprintf(s->mem, sizeof(s->mem), "%s", mem ? mem : "");
	s->index = index;
	s->status = stat >= 0 && stat <= 3 ? (enum smsctl_sms_status)(stat + 1) : 0;
	s->hex = strdup(hex);
	if (!s->hex) {
		free(s);
		return SMSCTL_ERR_NOMEM;
	}
	r = smsctl_pdu_decode_hex(hex, true, &s->pdu, &s->reason);
	if (r == SMSCTL_ERR_NOMEM) {
		smsctl_stored_free(s);
		return r;
	}
	if (r < 0 && !s->reason)
		s->reason = "the PDU does not decode";
	*out = s;
	return 0;
}

SMSCTL_API const char *smsctl_stored_get_storage(const struct smsctl_stored *s)
{
	return s ? s->mem : "";
}

SMSCTL_API int smsctl_stored_get_index(const struct smsctl_stored *s)
{
	return s ? s->index : -1;
}

SMSCTL_API enum smsctl_sms_status smsctl_stored_get_status(const struct smsctl_stored *s)
{
	return s ? s->status : 0;
}

SMSCTL_API const struct smsctl_pdu *smsctl_stored_get_pdu(const struct smsctl_stored *s)
{
	return s ? s->pdu : NULL;
}

SMSCTL_API const char *smsctl_stored_get_hex(const struct smsctl_stored *s)
{
	return s ? s->hex : "";
}

SMSCTL_API const char *smsctl_stored_get_decode_error(const struct smsctl_stored *s)
{
	return s && !s->pdu ? s->reason : NULL;
}

struct smsctl_stored_list {
	struct smsctl_stored **v;
	size_t n, cap;
};

SMSCTL_API void smsctl_stored_list_free(struct smsctl_stored_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->n; i++)
		smsctl_stored_free(list->v[i]);
	free(list->v);
	free(list);
}

SMSCTL_API size_t smsctl_stored_list_get_count(const struct smsctl_stored_list *list)
{
	return list ? list->n : 0;
}

SMSCTL_API const struct smsctl_stored *smsctl_stored_list_get(const struct smsctl_stored_list *list,
							      size_t i)
{
	if (!list || i >= list->n)
		return NULL;
	return list->v[i];
}

/* ---- operations in the current read memory ---- */

static int push(struct smsctl_stored ***v, size_t *n, size_t *cap, struct smsctl_stored *s)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct smsctl_stored **nv = realloc(*v, c * sizeof(*nv));

		if (!nv)
			return SMSCTL_ERR_NOMEM;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = s;
	return 0;
}

static int cmp_index(const void *a, const void *b)
{
	const struct smsctl_stored *x = *(struct smsctl_stored *const *)a;
	const struct smsctl_stored *y = *(struct smsctl_stored *const *)b;

	return (x->index > y->index) - (x->index < y->index);
}

/* A listing longer than we take: an error naming the limit (the caller hands nothing over). */
static int list_too_long(struct smsctl_modem *m, const char *mem, size_t limit)
{
	struct sms_state *st = sms_state_get(m);

	if (st)
		sms_set_detail(st,
			       _("the listing of memory %s has more than %zu entries (limit %zu); "
				 "delete messages, or read them one by one with smsctl read"),
			       mem && mem[0] ? mem : "?", limit, limit);
	return SMSCTL_ERR_TOO_LONG;
}

int sms_list_current(struct smsctl_modem *m, const char *mem, enum smsctl_sms_status filter,
		     struct smsctl_stored ***v, size_t *n, size_t *cap)
{
	struct smsctl_response *resp = NULL;
	const char **lines = NULL;
	size_t n_lines, pos = 0, first = *n;
	struct at_sms *e = NULL;
	int retry[RETRY_MAX];
	size_t n_retry = 0;
	char cmd[32];
	int r;

	snprintf(cmd, sizeof(cmd), "AT+CMGL=%d", (int)filter - 1);
	r = sms_command(m, cmd, &resp);
	if (r < 0)
		goto out;
	lines = response_lines(resp, &n_lines);
	if (n_lines && !lines) {
		r = SMSCTL_ERR_NOMEM;
		goto out;
	}
	e = malloc(sizeof(*e));
	if (!e) {
		r = SMSCTL_ERR_NOMEM;
		goto out;
	}
	if (resp->dropped) {
		/* The engine kept only the start of the answer: never hand over part of a
		 * listing as if it were all. */
		r = list_too_long(m, mem, n_lines);
		goto out;
	}
	for (;;) {
		struct smsctl_stored *s;
		size_t at = pos;
		int k = parse_cmgl_next(lines, n_lines, &pos, e);

		if (k == 0)
			break;
		if (k == SMSCTL_ERR_NOMEM) {
			r = k;
			goto out;
		}
		if (k < 0) {
			/* A malformed entry (noise on the line): when its header still
			 * names the index, read that one again on its own below. */
			const char *h = at < n_lines ? strstr(lines[at], "+CMGL:") : NULL;
			int idx;

			if (h && n_retry < RETRY_MAX && sscanf(h, "+CMGL: %d,", &idx) == 1 &&
			    idx >= 0)
				retry[n_retry++] = idx;
			continue;
		}
		if (e->pattern != PARSE_SMS_CMGL_PDU || e->index < 0 || !e->pdu[0])
			continue; /* text mode entries: the modem is not in PDU mode */
		if (*n - first >= LIST_MAX) {
			r = list_too_long(m, mem, LIST_MAX);
			goto out;
		}
		r = sms_stored_new(mem, e->index, e->stat, e->pdu, &s);
		if (r < 0)
			goto out;
		r = push(v, n, cap, s);
		if (r < 0) {
			smsctl_stored_free(s);
			goto out;
		}
	}
	for (size_t i = 0; i < n_retry; i++) {
		struct smsctl_stored *s = NULL;
		int k = SMSCTL_ERR_PROTOCOL;

		/* Noise is rare: a second garbled answer in a row rarer; three tries. */
		for (int attempt = 0; attempt < 3 && k == SMSCTL_ERR_PROTOCOL; attempt++)
			k = sms_read_current(m, mem, retry[i], &s);

		if (k == SMSCTL_ERR_GONE || k == SMSCTL_ERR_TIMEOUT || k == SMSCTL_ERR_NOMEM) {
			r = k;
			goto out;
		}
		if (k < 0)
			continue; /* still unreadable: it stays stored, listed next time */
		/* +CMGR just marked an unread message read: it was unread when listed. */
		if (filter != SMSCTL_SMS_ALL && s->status != filter &&
		    !(filter == SMSCTL_SMS_UNREAD && s->status == SMSCTL_SMS_READ)) {
			smsctl_stored_free(s);
			continue;
		}
		if (filter == SMSCTL_SMS_UNREAD)
			s->status = SMSCTL_SMS_UNREAD;
		r = push(v, n, cap, s);
		if (r < 0) {
			smsctl_stored_free(s);
			goto out;
		}
	}
	if (*n - first > 1)
		qsort(*v + first, *n - first, sizeof(**v), cmp_index);
	r = 0;
out:
	free(e);
	free(lines);
	smsctl_response_free(resp);
	return r;
}

int sms_read_current(struct smsctl_modem *m, const char *mem, int index, struct smsctl_stored **out)
{
	struct smsctl_response *resp = NULL;
	const char **lines = NULL;
	struct at_sms *e = NULL;
	size_t n_lines;
	char cmd[32];
	int r;

	*out = NULL;
	snprintf(cmd, sizeof(cmd), "AT+CMGR=%d", index);
	r = sms_command(m, cmd, &resp);
	if (r < 0)
		goto out;
	lines = response_lines(resp, &n_lines);
	r = SMSCTL_ERR_NOT_FOUND; /* OK alone: the index is empty */
	if (!lines)
		goto out;
	e = malloc(sizeof(*e));
	if (!e) {
		r = SMSCTL_ERR_NOMEM;
		goto out;
	}
	r = parse_cmgr(lines, n_lines, e);
	if (r < 0)
		goto out;
	/* An empty slot on some modems: "+CMGR: 0,,0" and no PDU. */
	if (e->length <= 0 || !e->pdu[0]) {
		r = SMSCTL_ERR_NOT_FOUND;
		goto out;
	}
	if (e->pattern != PARSE_SMS_CMGR_PDU) {
		r = SMSCTL_ERR_PROTOCOL;
		goto out;
	}
	r = sms_stored_new(mem, index, e->stat, e->pdu, out);
out:
	free(e);
	free(lines);
	smsctl_response_free(resp);
	return r;
}

int sms_delete_current(struct smsctl_modem *m, int index)
{
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "AT+CMGD=%d", index);
	return sms_command(m, cmd, NULL);
}

/* ---- public operations ---- */

/* Run the end of an operation: restore the memory and keep the first error. */
static int finish(struct smsctl_modem *m, struct sms_memsel *sel, int r)
{
	int rr;

	if (r == SMSCTL_ERR_GONE || r == SMSCTL_ERR_TIMEOUT)
		return r; /* nobody to restore it with */
	rr = sms_memsel_restore(m, sel);
	return r < 0 ? r : rr;
}

SMSCTL_API int smsctl_sms_list(struct smsctl_modem *m, const char *mem,
			       enum smsctl_sms_status filter, struct smsctl_stored_list **out)
{
	char mems[SMS_MEMS_MAX][SMS_MEM_MAX];
	struct sms_memsel sel = {0};
	struct smsctl_stored_list *list;
	int n_mems, r = 0;

	if (!out)
		return SMSCTL_ERR_INVALID;
	*out = NULL;
	if (!m || (int)filter < SMSCTL_SMS_UNREAD || (int)filter > SMSCTL_SMS_ALL)
		return SMSCTL_ERR_INVALID;
	if (mem && !sms_mem_valid(mem))
		return SMSCTL_ERR_INVALID;
	if (mem) {
		snprintf(mems[0], SMS_MEM_MAX, "%s", mem);
		n_mems = 1;
	} else {
		n_mems = sms_storages(m, mems, SMS_MEMS_MAX);
		if (n_mems < 0)
			return n_mems;
	}
	list = calloc(1, sizeof(*list));
	if (!list)
		return SMSCTL_ERR_NOMEM;
	for (int i = 0; i < n_mems && r == 0; i++) {
		r = sms_memsel_use(m, &sel, mems[i]);
		if (r == 0)
			r = sms_list_current(m, mems[i], filter, &list->v, &list->n, &list->cap);
		/* A memory the modem lists but will not select (SM_P on SIMCom): skip it. */
		if (r == SMSCTL_ERR_UNSUPPORTED && !mem)
			r = 0;
	}
	r = finish(m, &sel, r);
	if (r < 0) {
		smsctl_stored_list_free(list);
		return r;
	}
	*out = list;
	return list->n > (size_t)INT_MAX ? INT_MAX : (int)list->n;
}

SMSCTL_API int smsctl_sms_read(struct smsctl_modem *m, const char *mem, int index,
			       struct smsctl_stored **out)
{
	struct sms_memsel sel = {0};
	char cur[SMS_MEM_MAX];
	int r;

	if (!out)
		return SMSCTL_ERR_INVALID;
	*out = NULL;
	if (!m || index < 0 || (mem && !sms_mem_valid(mem)))
		return SMSCTL_ERR_INVALID;
	if (!mem) {
		/* The current memory, by name, so the message says where it is. */
		r = sms_query_mem(m, 0, cur, sizeof(cur));
		if (r < 0)
			return r;
		mem = cur;
	} else {
		r = sms_memsel_use(m, &sel, mem);
		if (r < 0)
			return finish(m, &sel, r);
	}
	r = sms_read_current(m, mem, index, out);
	r = finish(m, &sel, r);
	if (r < 0) {
		smsctl_stored_free(*out);
		*out = NULL;
	}
	return r;
}

SMSCTL_API int smsctl_sms_delete(struct smsctl_modem *m, const char *mem, int index)
{
	struct sms_memsel sel = {0};
	int r;

	if (!m || index < 0 || (mem && !sms_mem_valid(mem)))
		return SMSCTL_ERR_INVALID;
	r = sms_memsel_use(m, &sel, mem);
	if (r == 0)
		r = sms_delete_current(m, index);
	return finish(m, &sel, r);
}

/* Delete everything in the current memory: AT+CMGD=1,4, else one index at a time. */
static int delete_all_current(struct smsctl_modem *m, const char *mem)
{
	struct smsctl_stored **v = NULL;
	size_t n = 0, cap = 0;
	int r = sms_command(m, "AT+CMGD=1,4", NULL);

	if (r == 0 || r == SMSCTL_ERR_GONE || r == SMSCTL_ERR_TIMEOUT || r == SMSCTL_ERR_SIM)
		return r;
	r = sms_list_current(m, mem, SMSCTL_SMS_ALL, &v, &n, &cap);
	for (size_t i = 0; i < n && r == 0; i++) {
		r = sms_delete_current(m, v[i]->index);
		if (r == SMSCTL_ERR_NOT_FOUND)
			r = 0; /* gone already */
	}
	for (size_t i = 0; i < n; i++)
		smsctl_stored_free(v[i]);
	free(v);
	return r;
}

SMSCTL_API int smsctl_sms_delete_all(struct smsctl_modem *m, const char *mem)
{
	char mems[SMS_MEMS_MAX][SMS_MEM_MAX];
	struct sms_memsel sel = {0};
	int n_mems, r = 0;

	if (!m || (mem && !sms_mem_valid(mem)))
		return SMSCTL_ERR_INVALID;
	if (mem) {
		snprintf(mems[0], SMS_MEM_MAX, "%s", mem);
		n_mems = 1;
	} else {
		n_mems = sms_storages(m, mems, SMS_MEMS_MAX);
		if (n_mems < 0)
			return n_mems;
	}
	for (int i = 0; i < n_mems && r == 0; i++) {
		r = sms_memsel_use(m, &sel, mems[i]);
		if (r == 0)
			r = delete_all_current(m, mems[i]);
		if (r == SMSCTL_ERR_UNSUPPORTED && !mem)
			r = 0;
	}
	return finish(m, &sel, r);
}
