/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Identity (smsctl_info_read) and status (smsctl_status_read) of a modem: read-only queries,
 * each parsed by lib/parse*. Nothing lasting is changed and no PIN is entered; only the
 * per-session settings echo off and numeric errors are set (sms_basic_init).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <smsctl/error.h>
#include <smsctl/sms.h>

#include "i18n.h"
#include "sms/internal.h"

#define FIELD_MAX 128

struct smsctl_info {
	char *manufacturer, *model, *revision, *imei, *iccid, *imsi, *own_number;
};

struct smsctl_status {
	enum smsctl_sim_state sim;
	int rssi_dbm; /* PARSE_DBM_UNKNOWN when unknown */
	int bars;
	int rsrp_dbm; /* PARSE_DBM_UNKNOWN */
	int rsrq_db10;
	int reg[3]; /* CS, PS, EPS; -1 unknown */
	char *oper;
	char *smsc;
	char mem[PARSE_MEM_MAX];
	int used, total;
};

/* Run a query. *r is the response on OK, else NULL. Returns 0, 1 (error result: not
 * supported or not available) or a fatal negative error. */
static int query(struct smsctl_modem *m, const char *cmd, struct smsctl_response **r)
{
	int rc = smsctl_modem_command(m, cmd, 0, r);

	if (rc == 0)
		return 0;
	smsctl_response_free(*r);
	*r = NULL;
	return query_fatal(rc) ? rc : 1;
}

/* A printable copy of an identity line: the "+CGMI: " style prefix, quotes and surrounding
 * space removed; control bytes dropped; NULL when nothing is left. */
static char *clean_text(const char *line, const char *prefix)
{
	char buf[FIELD_MAX];
	size_t n = 0, len;

	if (!line)
		return NULL;
	while (*line == ' ' || *line == '\t')
		line++;
	len = strlen(prefix);
	if (strncasecmp(line, prefix, len) == 0) {
		line += len;
		while (*line == ' ')
			line++;
	}
	for (; *line && n + 1 < sizeof(buf); line++) {
		unsigned char ch = (unsigned char)*line;
		if (ch < 0x20 || ch == 0x7f || ch == '"')
			continue;
		buf[n++] = (char)ch;
	}
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
	return n ? strdup(buf) : NULL;
}

/* The first non-empty intermediate line. */
static const char *first_line(const struct smsctl_response *r)
{
	size_t n = smsctl_response_get_line_count(r);

	for (size_t i = 0; i < n; i++) {
		const char *l = smsctl_response_get_line(r, i);
		if (l && l[strspn(l, " \t")])
			return l;
	}
	return NULL;
}

static int read_text(struct smsctl_modem *m, const char *cmd, const char *prefix, char **out)
{
	struct smsctl_response *r = NULL;
	int rc = query(m, cmd, &r);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	*out = clean_text(first_line(r), prefix);
	smsctl_response_free(r);
	return 0;
}

/* ---- identity ---- */

SMSCTL_API void smsctl_info_free(struct smsctl_info *info)
{
	if (!info)
		return;
	free(info->manufacturer);
	free(info->model);
	free(info->revision);
	free(info->imei);
	free(info->iccid);
	free(info->imsi);
	free(info->own_number);
	free(info);
}

/* Find an ICCID in the answer of one command. */
static char *iccid_from(const struct smsctl_response *r)
{
	size_t n = smsctl_response_get_line_count(r);
	struct at_iccid ic;

	for (size_t i = 0; i < n; i++) {
		const char *l = smsctl_response_get_line(r, i);
		if (!l)
			continue;
		if (parse_has_prefix(l, "+CRSM:")) {
			/* +CRSM: <sw1>,<sw2>,"<hex>": the file's bytes, BCD swapped */
			const char *q = strchr(l, '"');
			char hex[PARSE_ICCID_MAX + 8];
			size_t k = 0;
			if (!q || strncmp(l + strspn(l, " "), "+CRSM: 144,", 11) != 0)
				continue;
			for (q++; *q && *q != '"' && k + 1 < sizeof(hex); q++)
				hex[k++] = *q;
			hex[k] = '\0';
			if (parse_iccid(hex, &ic) == 0)
				return strdup(ic.iccid);
			continue;
		}
		if (parse_iccid(l, &ic) == 0)
			return strdup(ic.iccid);
	}
	return NULL;
}

static int read_iccid(struct smsctl_modem *m, const char *manufacturer, char **out)
{
	size_t n = query_iccid_count();
	bool own = false;
	const char *first = query_iccid_command(query_vendor_from(manufacturer), &own);

	/* the manufacturer's own command first, then the others in table order */
	for (size_t k = own ? 0 : 1; k <= n; k++) {
		const char *cmd = k == 0 ? first : query_iccid_command_at(k - 1);
		struct smsctl_response *r = NULL;
		if (k > 0 && own && strcmp(cmd, first) == 0)
			continue;
		int rc = query(m, cmd, &r);
		if (rc < 0)
			return rc;
		if (rc == 0)
			*out = iccid_from(r);
		smsctl_response_free(r);
		if (*out)
			return 0;
	}
	return 0;
}

static int read_lines_parsed(struct smsctl_modem *m, struct smsctl_info *info)
{
	struct smsctl_response *r = NULL;
	int rc;

	rc = query(m, "AT+CGSN", &r);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		struct at_imei im;
		size_t n = smsctl_response_get_line_count(r);
		for (size_t i = 0; i < n && !info->imei; i++)
			if (parse_cgsn(smsctl_response_get_line(r, i), &im) == 0)
				info->imei = strdup(im.imei);
		smsctl_response_free(r);
	}
	rc = read_iccid(m, info->manufacturer, &info->iccid);
	if (rc < 0)
		return rc;
	rc = query(m, "AT+CIMI", &r);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		struct at_imsi is;
		size_t n = smsctl_response_get_line_count(r);
		for (size_t i = 0; i < n && !info->imsi; i++)
			if (parse_cimi(smsctl_response_get_line(r, i), &is) == 0)
				info->imsi = strdup(is.imsi);
		smsctl_response_free(r);
	}
	rc = query(m, "AT+CNUM", &r);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		struct at_cnum cn;
		size_t n = smsctl_response_get_line_count(r);
		for (size_t i = 0; i < n && !info->own_number; i++) {
			const char *l = smsctl_response_get_line(r, i);
			if (parse_has_prefix(l, "+CNUM:") && parse_cnum(l, &cn) == 0 &&
			    cn.number[0])
				info->own_number = strdup(cn.number);
		}
		smsctl_response_free(r);
	}
	return 0;
}

SMSCTL_API int smsctl_info_read(struct smsctl_modem *m, struct smsctl_info **out)
{
	struct smsctl_info *info;
	struct sms_state *st;
	int rc;

	if (out)
		*out = NULL;
	if (!m || !out)
		return SMSCTL_ERR_INVALID;
	st = sms_state_get(m);
	if (!st)
		return SMSCTL_ERR_NOMEM;
	st->detail[0] = '\0';
	rc = sms_basic_init(m, st);
	if (rc < 0)
		return rc;
	info = calloc(1, sizeof(*info));
	if (!info)
		return SMSCTL_ERR_NOMEM;
	rc = read_text(m, "AT+CGMI", "+CGMI:", &info->manufacturer);
	if (rc == 0)
		rc = read_text(m, "AT+CGMM", "+CGMM:", &info->model);
	if (rc == 0)
		rc = read_text(m, "AT+CGMR", "+CGMR:", &info->revision);
	if (rc == 0 && info->revision) {
		/* "Revision: 1418B05SIM800C24" (SIMCom), "REVISION 03.001" (Cinterion) */
		char *r = clean_text(info->revision, "Revision:");
		if (r && strcmp(r, info->revision) == 0) {
			free(r);
			r = clean_text(info->revision, "Revision ");
		}
		if (r) {
			free(info->revision);
			info->revision = r;
		}
	}
	if (rc == 0)
		rc = read_lines_parsed(m, info);
	if (rc < 0) {
		smsctl_info_free(info);
		return rc;
	}
	*out = info;
	return 0;
}

#define INFO_GETTER(field)                                                                         \
	SMSCTL_API const char *smsctl_info_get_##field(const struct smsctl_info *info)             \
	{                                                                                          \
		return info ? info->field : NULL;                                                  \
	}

INFO_GETTER(manufacturer)
INFO_GETTER(model)
INFO_GETTER(revision)
INFO_GETTER(imei)
INFO_GETTER(iccid)
INFO_GETTER(imsi)
INFO_GETTER(own_number)

/* ---- status ---- */

static const char *const reg_names[] = {
    N_("not registered"),
    N_("registered, home network"),
    N_("searching"),
    N_("registration denied"),
    N_("unknown"),
    N_("registered, roaming"),
    N_("registered for SMS only, home network"),
    N_("registered for SMS only, roaming"),
    N_("emergency services only"),
    N_("registered, home network (CSFB not preferred)"),
    N_("registered, roaming (CSFB not preferred)"),
    N_("registered for RLOS"),
};

SMSCTL_API const char *smsctl_registration_describe(int stat)
{
	if (stat < 0 || (size_t)stat >= sizeof(reg_names) / sizeof(reg_names[0]))
		return _("unknown");
	return _(reg_names[stat]);
}

SMSCTL_API void smsctl_status_free(struct smsctl_status *st)
{
	if (!st)
		return;
	free(st->oper);
	free(st->smsc);
	free(st);
}

static void take_csq(const struct smsctl_response *r, struct smsctl_status *s)
{
	const char *l = sms_find_line(r, "+CSQ:");
	struct at_csq q;

	if (l && parse_csq(l, &q) == 0) {
		s->rssi_dbm = q.dbm;
		s->bars = q.bars;
	}
}

/* SIM state and +CSQ on one line ("AT+CPIN?;+CSQ") where the modem takes chains; the SIM
 * state through sms_query_sim() where it does not. *csq_done tells whether +CSQ was read. */
static int status_sim(struct smsctl_modem *m, struct sms_state *st, struct smsctl_status *s,
		      bool *csq_done)
{
	int state = SMSCTL_SIM_STATE_UNKNOWN;
	int rc;

	*csq_done = false;
	if (st->chain != 0 && !st->cpin_no_ok) {
		struct smsctl_response *r = NULL;
		struct at_cpin cp;
		rc = smsctl_modem_command(m, "AT+CPIN?;+CSQ", 0, &r);
		const char *l = r ? sms_find_line(r, "+CPIN:") : NULL;
		if (l && parse_cpin(l, &cp) == 0) {
			/* the chain ran (its +CSQ may have failed) */
			st->chain = 1;
			s->sim = (enum smsctl_sim_state)sms_sim_state_from_cpin(&cp);
			take_csq(r, s);
			*csq_done = rc == 0;
			smsctl_response_free(r);
			return 0;
		}
		if (r && smsctl_response_get_result(r) == SMSCTL_RESULT_CME_ERROR &&
		    sms_sim_state_from_cme(smsctl_response_get_error_code(r)) !=
			SMSCTL_SIM_STATE_UNKNOWN) {
			/* +CPIN? itself answered with a SIM error */
			s->sim = (enum smsctl_sim_state)sms_sim_state_from_cme(
			    smsctl_response_get_error_code(r));
			smsctl_response_free(r);
			return 0;
		}
		smsctl_response_free(r);
		if (query_fatal(rc))
			return rc;
		st->chain = 0; /* refused: ask the way old modems understand */
	}
	rc = sms_query_sim(m, st, &state);
	if (rc < 0)
		return rc;
	s->sim = (enum smsctl_sim_state)state;
	return 0;
}

static int status_signal(struct smsctl_modem *m, struct smsctl_status *s, bool csq_done)
{
	struct smsctl_response *r = NULL;
	int rc;

	if (!csq_done) {
		rc = query(m, "AT+CSQ", &r);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			take_csq(r, s);
			smsctl_response_free(r);
		}
	}
	rc = query(m, "AT+CESQ", &r);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		const char *l = sms_find_line(r, "+CESQ:");
		struct at_cesq q;
		if (l && parse_cesq(l, &q) == 0) {
			s->rsrp_dbm = q.rsrp_dbm;
			s->rsrq_db10 = q.rsrq_db10;
		}
		smsctl_response_free(r);
	}
	return 0;
}

static int status_reg(struct smsctl_modem *m, struct smsctl_status *s)
{
	static const char *const cmds[3][2] = {
	    {"AT+CREG?", "+CREG:"}, {"AT+CGREG?", "+CGREG:"}, {"AT+CEREG?", "+CEREG:"}};

	for (size_t i = 0; i < 3; i++) {
		struct smsctl_response *r = NULL;
		struct at_reg reg;
		int rc = query(m, cmds[i][0], &r);
		if (rc < 0)
			return rc;
		if (rc != 0)
			continue;
		const char *l = sms_find_line(r, cmds[i][1]);
		if (l && parse_reg(l, true, &reg) == 0)
			s->reg[i] = reg.stat;
		smsctl_response_free(r);
	}
	return 0;
}

static int status_sms(struct smsctl_modem *m, struct smsctl_status *s)
{
	struct smsctl_response *r = NULL;
	int rc = query(m, "AT+COPS?", &r);

	if (rc < 0)
		return rc;
	if (rc == 0) {
		const char *l = sms_find_line(r, "+COPS:");
		struct at_cops c;
		if (l && parse_cops_query(l, &c) == 0 && c.oper[0])
			s->oper = strdup(c.oper);
		smsctl_response_free(r);
	}
	rc = query(m, "AT+CSCA?", &r);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		const char *l = sms_find_line(r, "+CSCA:");
		struct at_csca c;
		if (l && parse_csca(l, &c) == 0)
			s->smsc = strdup(c.number);
		smsctl_response_free(r);
	}
	rc = query(m, "AT+CPMS?", &r);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		const char *l = sms_find_line(r, "+CPMS:");
		struct at_cpms c;
		if (l && parse_cpms(l, &c) == 0 && c.count >= 1 && c.mem[0].name[0]) {
			memcpy(s->mem, c.mem[0].name, sizeof(s->mem));
			s->used = c.mem[0].used;
			s->total = c.mem[0].total;
		}
		smsctl_response_free(r);
	}
	return 0;
}

SMSCTL_API int smsctl_status_read(struct smsctl_modem *m, struct smsctl_status **out)
{
	struct smsctl_status *s;
	struct sms_state *st;
	int rc;

	if (out)
		*out = NULL;
	if (!m || !out)
		return SMSCTL_ERR_INVALID;
	st = sms_state_get(m);
	if (!st)
		return SMSCTL_ERR_NOMEM;
	st->detail[0] = '\0';
	rc = sms_basic_init(m, st);
	if (rc < 0)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s)
		return SMSCTL_ERR_NOMEM;
	s->sim = SMSCTL_SIM_STATE_UNKNOWN;
	s->rssi_dbm = s->rsrp_dbm = PARSE_DBM_UNKNOWN;
	s->rsrq_db10 = PARSE_DBM_UNKNOWN;
	s->bars = -1;
	s->reg[0] = s->reg[1] = s->reg[2] = -1;
	s->used = s->total = -1;
	bool csq_done = false;
	rc = status_sim(m, st, s, &csq_done);
	if (rc == 0)
		rc = status_signal(m, s, csq_done);
	if (rc == 0)
		rc = status_reg(m, s);
	if (rc == 0)
		rc = status_sms(m, s);
	if (rc < 0) {
		smsctl_status_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

SMSCTL_API enum smsctl_sim_state smsctl_status_get_sim_state(const struct smsctl_status *st)
{
	return st ? st->sim : SMSCTL_SIM_STATE_UNKNOWN;
}

SMSCTL_API bool smsctl_status_get_rssi(const struct smsctl_status *st, int *dbm)
{
	if (!st || st->rssi_dbm == PARSE_DBM_UNKNOWN)
		return false;
	if (dbm)
		*dbm = st->rssi_dbm;
	return true;
}

SMSCTL_API int smsctl_status_get_bars(const struct smsctl_status *st)
{
	return st && st->bars >= 0 ? st->bars : -1;
}

SMSCTL_API bool smsctl_status_get_rsrp(const struct smsctl_status *st, int *dbm)
{
	if (!st || st->rsrp_dbm == PARSE_DBM_UNKNOWN)
		return false;
	if (dbm)
		*dbm = st->rsrp_dbm;
	return true;
}

SMSCTL_API bool smsctl_status_get_rsrq(const struct smsctl_status *st, double *db)
{
	if (!st || st->rsrq_db10 == PARSE_DBM_UNKNOWN)
		return false;
	if (db)
		*db = st->rsrq_db10 / 10.0;
	return true;
}

SMSCTL_API int smsctl_status_get_registration(const struct smsctl_status *st,
					      enum smsctl_reg_domain domain)
{
	if (!st || domain < SMSCTL_REG_CS || domain > SMSCTL_REG_EPS)
		return -1;
	return st->reg[domain - 1];
}

SMSCTL_API const char *smsctl_status_get_operator(const struct smsctl_status *st)
{
	return st ? st->oper : NULL;
}

SMSCTL_API const char *smsctl_status_get_smsc(const struct smsctl_status *st)
{
	return st ? st->smsc : NULL;
}

SMSCTL_API bool smsctl_status_get_storage(const struct smsctl_status *st, const char **mem,
					  int *used, int *total)
{
	if (!st || !st->mem[0])
		return false;
	if (mem)
		*mem = st->mem;
	if (used)
		*used = st->used;
	if (total)
		*total = st->total;
	return true;
}
