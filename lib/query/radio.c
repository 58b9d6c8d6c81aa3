/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Radio and SMS queries: registration (+CREG/+CGREG/+CEREG, 27.007 7.2, 10.1.20, 10.1.22),
 * signal (+CSQ 8.5, +CESQ 8.69, the vendors' own), operator (+COPS? 7.3), SMS centre
 * (+CSCA? 27.005 3.3.1) and storage counts (+CPMS? 27.005 3.2.2).
 */
#include <string.h>

#include <smsctl/error.h>

#include "query/query.h"

/* Ask cmd into raw (or a scratch record) and hand the reply to of() when it was OK. */
#define ASK_AND_READ(m, cmd, raw, of, out)                                                         \
	do {                                                                                       \
		struct query_reply tmp_;                                                           \
		struct query_reply *r_ = (raw) ? (raw) : &tmp_;                                    \
		int rc_ = query_ask((m), (cmd), r_);                                               \
		if (rc_ == 0)                                                                      \
			of(r_, (out));                                                             \
		return rc_;                                                                        \
	} while (0)

/* ---- registration ---- */

static const char *const reg_cmds[3][2] = {
    {"AT+CREG?", "+CREG:"}, {"AT+CGREG?", "+CGREG:"}, {"AT+CEREG?", "+CEREG:"}};

const char *query_reg_command(enum query_domain d)
{
	return (unsigned)d < 3 ? reg_cmds[d][0] : NULL;
}

void query_reg_of(enum query_domain d, const struct query_reply *r, struct query_reg *out)
{
	const char *l = (unsigned)d < 3 ? query_line(r, reg_cmds[d][1]) : NULL;

	out->known = l && parse_reg(l, true, &out->reg) == 0;
	if (!out->known)
		out->reg.stat = -1;
}

int query_reg(struct smsctl_modem *m, enum query_domain d, struct query_reg *out,
	      struct query_reply *raw)
{
	struct query_reply tmp;
	struct query_reply *r = raw ? raw : &tmp;

	out->known = false;
	out->reg.stat = -1;
	if ((unsigned)d >= 3)
		return SMSCTL_ERR_INVALID;
	int rc = query_ask(m, reg_cmds[d][0], r);
	if (rc == 0)
		query_reg_of(d, r, out);
	return rc;
}

/* ---- signal ---- */

void query_csq_of(const struct query_reply *r, struct query_csq *out)
{
	const char *l = query_line(r, "+CSQ:");

	out->known = l && parse_csq(l, &out->csq) == 0;
}

void query_cesq_of(const struct query_reply *r, struct query_cesq *out)
{
	const char *l = query_line(r, "+CESQ:");

	out->known = l && parse_cesq(l, &out->cesq) == 0;
}

void query_vsig_of(const struct query_reply *r, struct query_vsig *out)
{
	struct at_signal vs;

	out->known = false;
	out->dbm = PARSE_DBM_UNKNOWN;
	if (!r || !r->asked)
		return;
	for (size_t i = 0; i < r->n_lines && !out->known; i++)
		if (parse_signal_urc(r->lines[i], &vs) == 0 && vs.dbm != PARSE_DBM_UNKNOWN) {
			out->dbm = vs.dbm;
			out->known = true;
		}
}

static void csq_clear(struct query_csq *out)
{
	out->known = false;
}

int query_csq(struct smsctl_modem *m, struct query_csq *out, struct query_reply *raw)
{
	csq_clear(out);
	ASK_AND_READ(m, "AT+CSQ", raw, query_csq_of, out);
}

int query_cesq(struct smsctl_modem *m, struct query_cesq *out, struct query_reply *raw)
{
	out->known = false;
	ASK_AND_READ(m, "AT+CESQ", raw, query_cesq_of, out);
}

int query_vsig(struct smsctl_modem *m, enum query_vendor v, struct query_vsig *out,
	       struct query_reply *raw)
{
	const char *cmd = query_signal_command(v, NULL);

	out->known = false;
	out->dbm = PARSE_DBM_UNKNOWN;
	if (!cmd)
		return 1;
	ASK_AND_READ(m, cmd, raw, query_vsig_of, out);
}

/* ---- operator ---- */

void query_operator_of(const struct query_reply *r, struct query_operator *out)
{
	const char *l = query_line(r, "+COPS:");

	out->known = l && parse_cops_query(l, &out->cops) == 0;
}

int query_operator(struct smsctl_modem *m, struct query_operator *out, struct query_reply *raw)
{
	out->known = false;
	ASK_AND_READ(m, "AT+COPS?", raw, query_operator_of, out);
}

/* ---- SMS centre, storage ---- */

void query_smsc_of(const struct query_reply *r, struct query_smsc *out)
{
	const char *l = query_line(r, "+CSCA:");

	out->known = l && parse_csca(l, &out->csca) == 0;
}

int query_smsc(struct smsctl_modem *m, struct query_smsc *out, struct query_reply *raw)
{
	out->known = false;
	ASK_AND_READ(m, "AT+CSCA?", raw, query_smsc_of, out);
}

void query_storage_of(const struct query_reply *r, struct query_storage *out)
{
	const char *l = query_line(r, "+CPMS:");

	/* the query form names its memories; the counts of AT+CPMS=... have no names */
	out->known =
	    l && parse_cpms(l, &out->cpms) == 0 && out->cpms.count >= 1 && out->cpms.mem[0].name[0];
}

int query_storage(struct smsctl_modem *m, struct query_storage *out, struct query_reply *raw)
{
	out->known = false;
	ASK_AND_READ(m, "AT+CPMS?", raw, query_storage_of, out);
}
