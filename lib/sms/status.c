/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Identity (smsctl_info_read) and status (smsctl_status_read) of a modem: read-only queries,
 * each parsed by lib/parse*. Nothing lasting is changed and no PIN is entered; only the
 * per-session settings echo off and numeric errors are set (sms_basic_init).
 */
#include <stdlib.h>
#include <string.h>

#include <smsctl/error.h>
#include <smsctl/sms.h>

#include "i18n.h"
#include "sms/internal.h"

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

/* The prologue of a read: arguments checked, the SMS state of m found, its detail cleared,
 * echo off and numeric errors set. Returns 0 or a negative error. */
static int read_begin(struct smsctl_modem *m, void *out)
{
	struct sms_state *st;

	if (!m || !out)
		return SMSCTL_ERR_INVALID;
	st = sms_state_get(m);
	if (!st)
		return SMSCTL_ERR_NOMEM;
	st->detail[0] = '\0';
	return sms_basic_init(m, st);
}

/* A text value of an identity query, NULL when the modem gave none. Returns 0 or fatal. */
static int read_ident(struct smsctl_modem *m, enum query_ident what, char **out)
{
	struct query_text t;
	int rc = query_ident(m, what, &t, NULL);

	if (rc < 0)
		return rc;
	if (t.known && !(*out = strdup(t.value)))
		return SMSCTL_ERR_NOMEM;
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

SMSCTL_API int smsctl_info_read(struct smsctl_modem *m, struct smsctl_info **out)
{
	struct smsctl_info *info;
	int rc;

	if (out)
		*out = NULL;
	rc = read_begin(m, out);
	if (rc < 0)
		return rc;
	info = calloc(1, sizeof(*info));
	if (!info)
		return SMSCTL_ERR_NOMEM;
	rc = read_ident(m, QUERY_ID_MANUFACTURER, &info->manufacturer);
	if (rc == 0)
		rc = read_ident(m, QUERY_ID_MODEL, &info->model);
	if (rc == 0)
		rc = read_ident(m, QUERY_ID_REVISION, &info->revision);
	if (rc == 0)
		rc = read_ident(m, QUERY_ID_IMEI, &info->imei);
	if (rc == 0) {
		struct query_text t;
		rc = query_iccid(m, query_vendor_from(info->manufacturer), &t, NULL);
		if (rc > 0)
			rc = 0;
		if (rc == 0 && t.known && !(info->iccid = strdup(t.value)))
			rc = SMSCTL_ERR_NOMEM;
	}
	if (rc == 0)
		rc = read_ident(m, QUERY_ID_IMSI, &info->imsi);
	if (rc == 0)
		rc = read_ident(m, QUERY_ID_OWN_NUMBER, &info->own_number);
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

static void take_csq(const struct query_reply *r, struct smsctl_status *s)
{
	struct query_csq q;

	query_csq_of(r, &q);
	if (q.known) {
		s->rssi_dbm = q.csq.dbm;
		s->bars = q.csq.bars;
	}
}

/* SIM state and +CSQ on one line ("AT+CPIN?;+CSQ") where the modem takes chains; the SIM
 * state through query_sim() where it does not. *csq_done tells whether +CSQ was read. */
static int status_sim(struct smsctl_modem *m, struct sms_state *st, struct smsctl_status *s,
		      struct query_reply *r, bool *csq_done)
{
	struct query_sim sim;
	int rc;

	*csq_done = false;
	if (st->chain != 0 && !st->cpin_no_ok) {
		rc = query_ask(m, "AT+CPIN?;+CSQ", r);
		query_sim_of(r, &sim);
		if (sim.from_line) {
			/* the chain ran (its +CSQ may have failed) */
			st->chain = 1;
			s->sim = sim.pub;
			take_csq(r, s);
			*csq_done = rc == 0;
			return 0;
		}
		if (r->result == SMSCTL_RESULT_CME_ERROR && sim.pub != SMSCTL_SIM_STATE_UNKNOWN) {
			/* +CPIN? itself answered with a SIM error */
			s->sim = sim.pub;
			return 0;
		}
		if (rc < 0)
			return rc;
		st->chain = 0; /* refused: ask the way old modems understand */
	}
	rc = query_sim(m, st->chain == 0 || st->cpin_no_ok, &st->cpin_no_ok, &sim, r);
	if (rc < 0)
		return rc;
	s->sim = sim.pub;
	return 0;
}

static int status_signal(struct smsctl_modem *m, struct smsctl_status *s, struct query_reply *r,
			 bool csq_done)
{
	struct query_cesq ce;
	int rc;

	if (!csq_done) {
		rc = query_ask(m, "AT+CSQ", r);
		if (rc < 0)
			return rc;
		if (rc == 0)
			take_csq(r, s);
	}
	rc = query_cesq(m, &ce, r);
	if (rc < 0)
		return rc;
	if (ce.known) {
		s->rsrp_dbm = ce.cesq.rsrp_dbm;
		s->rsrq_db10 = ce.cesq.rsrq_db10;
	}
	return 0;
}

static int status_reg(struct smsctl_modem *m, struct smsctl_status *s, struct query_reply *r)
{
	for (int d = QUERY_REG_CS; d <= QUERY_REG_EPS; d++) {
		struct query_reg reg;
		int rc = query_reg(m, (enum query_domain)d, &reg, r);
		if (rc < 0)
			return rc;
		if (reg.known)
			s->reg[d] = reg.reg.stat;
	}
	return 0;
}

static int status_sms(struct smsctl_modem *m, struct smsctl_status *s, struct query_reply *r)
{
	struct query_operator op;
	struct query_smsc sc;
	struct query_storage sto;
	int rc = query_operator(m, &op, r);

	if (rc < 0)
		return rc;
	if (op.known && op.cops.oper[0] && !(s->oper = strdup(op.cops.oper)))
		return SMSCTL_ERR_NOMEM;
	rc = query_smsc(m, &sc, r);
	if (rc < 0)
		return rc;
	if (sc.known && !(s->smsc = strdup(sc.csca.number)))
		return SMSCTL_ERR_NOMEM;
	rc = query_storage(m, &sto, r);
	if (rc < 0)
		return rc;
	if (sto.known) {
		memcpy(s->mem, sto.cpms.mem[0].name, sizeof(s->mem));
		s->used = sto.cpms.mem[0].used;
		s->total = sto.cpms.mem[0].total;
	}
	return 0;
}

SMSCTL_API int smsctl_status_read(struct smsctl_modem *m, struct smsctl_status **out)
{
	struct smsctl_status *s;
	struct query_reply *r;
	int rc;

	if (out)
		*out = NULL;
	rc = read_begin(m, out);
	if (rc < 0)
		return rc;
	s = calloc(1, sizeof(*s));
	r = malloc(sizeof(*r)); /* the raw replies, one at a time */
	if (!s || !r) {
		free(s);
		free(r);
		return SMSCTL_ERR_NOMEM;
	}
	s->sim = SMSCTL_SIM_STATE_UNKNOWN;
	s->rssi_dbm = s->rsrp_dbm = PARSE_DBM_UNKNOWN;
	s->rsrq_db10 = PARSE_DBM_UNKNOWN;
	s->bars = -1;
	s->reg[0] = s->reg[1] = s->reg[2] = -1;
	s->used = s->total = -1;
	bool csq_done = false;
	rc = status_sim(m, sms_state_get(m), s, r, &csq_done);
	if (rc == 0)
		rc = status_signal(m, s, r, csq_done);
	if (rc == 0)
		rc = status_reg(m, s, r);
	if (rc == 0)
		rc = status_sms(m, s, r);
	free(r);
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
