/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The diagnosis object and the walk: open the port, ask the modem, record every answer.
 * The rules that turn answers into findings are in diagnose-rules.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <smsctl/diagnose.h>
#include <smsctl/error.h>
#include <smsctl/modem.h>

#include "diagnose/internal.h"
#include "i18n.h"
#include "modem-internal.h"
#include "parse/parse.h"

/* ---- Options ---- */

SMSCTL_API struct smsctl_diagnose_options *smsctl_diagnose_options_new(void)
{
	struct smsctl_diagnose_options *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->baud = 115200;
	o->timeout_ms = 10000;
	o->probe_siblings = true;
	return o;
}

SMSCTL_API void smsctl_diagnose_options_free(struct smsctl_diagnose_options *opts)
{
	if (!opts)
		return;
	if (opts->pin) {
		/* A PIN is a secret: do not leave it in freed memory. */
		volatile char *p = opts->pin;
		while (*p)
			*p++ = '\0';
		free(opts->pin);
	}
	free(opts);
}

SMSCTL_API int smsctl_diagnose_options_set_pin(struct smsctl_diagnose_options *opts,
					       const char *pin)
{
	if (!opts)
		return SMSCTL_ERR_INVALID;
	if (pin) {
		size_t n = strlen(pin);
		if (n < 4 || n > 8 || strspn(pin, "0123456789") != n)
			return SMSCTL_ERR_INVALID;
	}
	char *copy = pin ? strdup(pin) : NULL;
	if (pin && !copy)
		return SMSCTL_ERR_NOMEM;
	free(opts->pin);
	opts->pin = copy;
	return 0;
}

SMSCTL_API int smsctl_diagnose_options_set_baud(struct smsctl_diagnose_options *opts, unsigned baud)
{
	if (!opts || baud == 0)
		return SMSCTL_ERR_INVALID;
	opts->baud = baud;
	return 0;
}

SMSCTL_API int smsctl_diagnose_options_set_timeout(struct smsctl_diagnose_options *opts,
						   unsigned timeout_ms)
{
	if (!opts || timeout_ms == 0)
		return SMSCTL_ERR_INVALID;
	opts->timeout_ms = timeout_ms;
	return 0;
}

SMSCTL_API int smsctl_diagnose_options_set_trace(struct smsctl_diagnose_options *opts,
						 smsctl_trace_fn fn, void *userdata)
{
	if (!opts)
		return SMSCTL_ERR_INVALID;
	opts->trace = fn;
	opts->trace_data = userdata;
	return 0;
}

SMSCTL_API int smsctl_diagnose_options_set_probe_siblings(struct smsctl_diagnose_options *opts,
							  bool on)
{
	if (!opts)
		return SMSCTL_ERR_INVALID;
	opts->probe_siblings = on;
	return 0;
}

/* ---- The walk ---- */

struct walk {
	struct smsctl_modem *m;
	struct diag_input *in;
	const char *pin;
	bool stop;	   /* the modem stopped answering or went away */
	bool no_chain;	   /* the modem takes one extended command per line */
	bool restoring;	   /* putting the memories back: the last evidence slot may be used */
	bool cmee_pending; /* +CMEE=1 rides on the next chained line */
};

/* Query text after "AT" and the prefix of its information lines (NULL: bare lines). */
static const struct {
	const char *text;
	const char *prefix;
} qdefs[Q_N] = {
    [Q_INIT] = {"E0V1", NULL},		[Q_CGMI] = {"+CGMI", NULL},
    [Q_CFUN] = {"+CFUN?", "+CFUN:"},	[Q_CPIN] = {"+CPIN?", "+CPIN:"},
    [Q_ICCID] = {NULL, NULL},		[Q_CSQ] = {"+CSQ", "+CSQ:"},
    [Q_CESQ] = {"+CESQ", "+CESQ:"},	[Q_VSIG] = {NULL, NULL},
    [Q_CREG] = {"+CREG?", "+CREG:"},	[Q_CGREG] = {"+CGREG?", "+CGREG:"},
    [Q_CEREG] = {"+CEREG?", "+CEREG:"}, [Q_COPS] = {"+COPS?", "+COPS:"},
    [Q_CSMS] = {"+CSMS?", "+CSMS:"},	[Q_CSCA] = {"+CSCA?", "+CSCA:"},
    [Q_CPMS] = {"+CPMS?", "+CPMS:"},	[Q_CPMS_T] = {"+CPMS=?", "+CPMS:"},
    [Q_CNMI] = {"+CNMI?", "+CNMI:"},
};

static const char *q_text(const struct walk *w, enum diag_q q)
{
	if (q == Q_ICCID)
		return diag_iccid_command(w->in->vendor) + 2; /* skip "AT" */
	if (q == Q_VSIG) {
		const char *cmd = query_signal_command(w->in->vendor, NULL);
		return cmd ? cmd + 2 : "+QCSQ";
	}
	return qdefs[q].text;
}

static const char *q_prefix(const struct walk *w, enum diag_q q)
{
	if (q == Q_VSIG) {
		const char *prefix = NULL;
		query_signal_command(w->in->vendor, &prefix);
		return prefix ? prefix : "+QCSQ:";
	}
	return qdefs[q].prefix;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Copy, truncating to size (a line longer than the buffer is cut, never overflowed). */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = src ? strnlen(src, size - 1) : 0;

	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Keep the text of a line: bytes that are not text (line noise) are counted and dropped, so
 * that a noisy line is still understood and the noise is reported on its own. */
static void clean_line(struct diag_input *in, const char *line, char *out, size_t size)
{
	query_clean_line(line, out, size, &in->line_noise);
}

/* Which query in a chain a line belongs to, -1 when none. */
static int owner_of(const struct walk *w, const enum diag_q *qs, size_t n, const char *line)
{
	int bare = -1;

	for (size_t i = 0; i < n; i++) {
		const char *p = q_prefix(w, qs[i]);
		if (!p) {
			if (bare < 0 && qs[i] != Q_INIT)
				bare = (int)i;
			continue;
		}
		if (!starts_with(line, p))
			continue;
		/* +CPMS? and +CPMS=? share a prefix: the test form lists in parentheses. */
		if (qs[i] == Q_CPMS || qs[i] == Q_CPMS_T) {
			bool test = strchr(line, '(') != NULL;
			for (size_t k = 0; k < n; k++)
				if (qs[k] == (test ? Q_CPMS_T : Q_CPMS))
					return (int)k;
		}
		return (int)i;
	}
	/* An ICCID may carry its vendor's prefix (+CCID:, ^ICCID:, +QCCID:, ^SCID:). */
	return bare;
}

static void note_failure(struct walk *w, const char *cmd, int rc)
{
	if (rc == SMSCTL_ERR_GONE) {
		w->in->gone = true;
		w->stop = true;
	} else if (rc == SMSCTL_ERR_TIMEOUT) {
		w->stop = true;
	} else if (rc != SMSCTL_ERR_MODEM && rc != 0) {
		w->stop = true;
		w->in->gone = rc == SMSCTL_ERR_IO || rc == SMSCTL_ERR_STATE;
	}
	if (w->stop && !w->in->stopped_at[0])
		copy_str(w->in->stopped_at, sizeof(w->in->stopped_at), cmd);
}

/* Send the queries chained on one line ("AT+CFUN?;+CSQ") and share out the answer. A query
 * the modem did not get to (an earlier one failed) or whose lines did not come back is asked
 * again on its own. */
static void chain(struct walk *w, const enum diag_q *qs, size_t n)
{
	char cmd[256] = "AT";
	size_t len = 2;
	struct smsctl_response *resp = NULL;
	int timeout = 0;

	if (w->stop || n == 0)
		return;
	/* A modem that takes one extended command per line takes basic ones ahead of it. */
	bool basic_pair = n == 2 && qs[0] == Q_INIT;
	if (w->no_chain && n > 1 && !basic_pair) {
		for (size_t i = 0; i < n && !w->stop; i++)
			chain(w, &qs[i], 1);
		return;
	}
	if (w->cmee_pending && !w->no_chain && n > 1) {
		/* numeric errors, on the first chained line after the identity */
		len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, "+CMEE=1;");
		w->cmee_pending = false;
	}
	for (size_t i = 0; i < n; i++) {
		struct diag_reply *r = &w->in->q[qs[i]];
		char one_cmd[sizeof(r->command)];
		snprintf(one_cmd, sizeof(one_cmd), "AT%s", q_text(w, qs[i]));
		query_reply_init(r, one_cmd);
		len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, "%s%s",
					i && !basic_pair ? ";" : "", q_text(w, qs[i]));
	}
	/* Wavecom ends AT+CPIN? without OK: its +CPIN: line ends the answer (no timeout, no
	 * resynchronisation). */
	int rc = w->in->vendor == DIAG_V_WAVECOM && qs[n - 1] == Q_CPIN
		     ? modem_command_info_ends(w->m, cmd, timeout, &resp)
		     : smsctl_modem_command(w->m, cmd, timeout, &resp);
	enum smsctl_result res = resp ? smsctl_response_get_result(resp) : SMSCTL_RESULT_GONE;
	const char *final = resp ? smsctl_response_get_final(resp) : "";
	int code = resp ? smsctl_response_get_error_code(resp) : -1;

	if (res != SMSCTL_RESULT_TIMEOUT && res != SMSCTL_RESULT_GONE &&
	    res != SMSCTL_RESULT_CANCELLED && res != SMSCTL_RESULT_NONE)
		w->in->answered = true;
	for (size_t i = 0; resp && i < smsctl_response_get_line_count(resp); i++) {
		const char *line = smsctl_response_get_line(resp, i);
		char clean[DIAG_LINE_MAX];
		clean_line(w->in, line, clean, sizeof(clean));
		int o = owner_of(w, qs, n, clean);
		if (o >= 0)
			query_reply_add_line(&w->in->q[qs[o]], clean);
		if (line[0])
			w->in->answered = true;
	}

	/* An error before any line on a chained line: the modem may not chain (Wavecom). Ask
	 * one by one from now on. */
	bool any_lines = false;
	for (size_t i = 0; i < n; i++)
		any_lines |= w->in->q[qs[i]].n_lines > 0;
	if (n > 1 && !any_lines &&
	    (res == SMSCTL_RESULT_ERROR || res == SMSCTL_RESULT_CME_ERROR ||
	     res == SMSCTL_RESULT_CMS_ERROR || res == SMSCTL_RESULT_NOT_SUPPORTED ||
	     res == SMSCTL_RESULT_TOO_MANY_PARAMETERS)) {
		smsctl_response_free(resp);
		w->no_chain = true;
		for (size_t i = 0; i < n && !w->stop; i++)
			chain(w, &qs[i], 1);
		return;
	}

	/* The first query without lines is the one the final result belongs to when it is not
	 * OK; the queries after it never ran. */
	size_t failed = n;
	if (res != SMSCTL_RESULT_OK) {
		for (size_t i = 0; i < n; i++)
			if (w->in->q[qs[i]].n_lines == 0 && qs[i] != Q_INIT) {
				failed = i;
				break;
			}
		if (failed == n && res != SMSCTL_RESULT_TIMEOUT)
			failed = n - 1;
	}
	enum diag_q again[Q_N];
	size_t n_again = 0;
	for (size_t i = 0; i < n; i++) {
		struct diag_reply *r = &w->in->q[qs[i]];
		if (i < failed) {
			r->result = SMSCTL_RESULT_OK;
			/* Wavecom answers +CPIN? without OK: the lines are all there. */
			copy_str(r->final, sizeof(r->final),
				 res == SMSCTL_RESULT_OK || res == SMSCTL_RESULT_TIMEOUT ? final
											 : "OK");
			if (res == SMSCTL_RESULT_OK && r->n_lines == 0 && q_prefix(w, qs[i]) &&
			    n > 1)
				again[n_again++] = qs[i]; /* lines lost in the chain: ask alone */
		} else if (i == failed) {
			r->result = res;
			r->code = code;
			copy_str(r->final, sizeof(r->final), final);
		} else if (res == SMSCTL_RESULT_OK || res == SMSCTL_RESULT_ERROR ||
			   res == SMSCTL_RESULT_CME_ERROR || res == SMSCTL_RESULT_CMS_ERROR ||
			   res == SMSCTL_RESULT_NOT_SUPPORTED ||
			   res == SMSCTL_RESULT_TOO_MANY_PARAMETERS) {
			r->asked = false;
			again[n_again++] = qs[i];
		} else {
			r->asked = false;
		}
	}
	if (failed < n || res != SMSCTL_RESULT_OK)
		note_failure(w, cmd, rc == 0 && res != SMSCTL_RESULT_OK ? SMSCTL_ERR_MODEM : rc);
	if (res == SMSCTL_RESULT_TIMEOUT && failed == n) {
		/* everything answered but no final line (Wavecom +CPIN?): go on */
		w->stop = false;
		w->in->stopped_at[0] = '\0';
	}
	smsctl_response_free(resp);
	if (w->stop || n_again == 0)
		return;
	if (n_again == n && n > 1) {
		/* The modem does not chain: one by one. */
		for (size_t i = 0; i < n_again && !w->stop; i++)
			chain(w, &again[i], 1);
		return;
	}
	if (n == 1)
		return;
	chain(w, again, n_again);
}

static void one(struct walk *w, enum diag_q q)
{
	chain(w, &q, 1);
}

/* Send a command outside the query table and keep its answer as extra evidence.
 * @return the index in in->extra, -1 when not sent. */
static int extra(struct walk *w, const char *cmd, const char *shown)
{
	struct diag_input *in = w->in;
	struct smsctl_response *resp = NULL;

	/* the last slot is the restore's */
	if (w->stop || in->n_extra >= DIAG_MAX_EXTRA - (w->restoring ? 0 : 1))
		return -1;
	int idx = (int)in->n_extra++;
	struct diag_reply *r = &in->extra[idx];
	int rc = smsctl_modem_command(w->m, cmd, 0, &resp);
	query_record(r, shown ? shown : cmd, resp, &in->line_noise);
	if (rc != 0 && rc != SMSCTL_ERR_MODEM)
		note_failure(w, r->command, rc);
	smsctl_response_free(resp);
	return idx;
}

/* The +CPMS= arguments that put memory name at position pos (0..2), keeping the memories
 * in use before it: "\"SM\",\"ME\"". */
static void cpms_args(const struct at_cpms *cp, int pos, const char *name, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (int k = 0; k <= pos && len < size; k++)
		len += (size_t)snprintf(out + len, size - len, "%s\"%s\"", k ? "," : "",
					k == pos ? name : cp->mem[k].name);
}

/* Put the memories back as found: also after an error or a timeout in between (a modem that
 * timed out once may answer the next line), only not after it went away. Takes the last
 * evidence slot, kept free for it, so the restore is always sent and recorded. */
static void restore_memories(struct walk *w, const char *restore_args)
{
	struct diag_input *in = w->in;
	bool stop = w->stop;
	char cmd[96];

	if (in->gone)
		return;
	snprintf(cmd, sizeof(cmd), "AT+CPMS=%s", restore_args);
	w->stop = false;
	w->restoring = true;
	extra(w, cmd, NULL);
	w->restoring = false;
	w->stop = w->stop || stop;
}

/* +CPMS: read every memory the modem lists (SM, ME, MT, SR), each in the first position
 * +CPMS=? allows for it, then put the memories back as they were. */
static void read_memories(struct walk *w)
{
	struct diag_input *in = w->in;
	struct query_storage sto;
	struct at_cpms_test t;

	in->n_mem = 0;
	query_storage_of(&in->q[Q_CPMS], &sto);
	if (!sto.known)
		return;
	const struct at_cpms cp = sto.cpms;
	/* The memories in use, with their counts. */
	for (int i = 0; i < cp.count && i < 3; i++) {
		bool seen = false;
		for (size_t k = 0; k < in->n_mem; k++)
			seen |= strcmp(in->mem[k].name, cp.mem[i].name) == 0;
		if (seen || !cp.mem[i].name[0])
			continue;
		struct diag_mem *m = &in->mem[in->n_mem++];
		copy_str(m->name, sizeof(m->name), cp.mem[i].name);
		m->used = cp.mem[i].used;
		m->total = cp.mem[i].total;
		m->reply = -1;
	}
	const char *list = query_line(&in->q[Q_CPMS_T], "+CPMS:");
	if (!list || parse_cpms_test(list, &t) != 0)
		return;

	static const char *const known[] = {"SM", "ME", "MT", "SR"};
	char cmd[256] = "AT";
	size_t len = 2;
	const char *order[DIAG_MAX_MEMS];
	int pos_of[DIAG_MAX_MEMS];
	size_t n_order = 0;
	for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
		int pos = -1;
		bool seen = false;
		for (int l = 0; l < 3 && l < cp.count && pos < 0; l++)
			for (int e = 0; e < t.count[l] && e < PARSE_MEM_LIST_MAX; e++)
				if (strcmp(t.mem[l][e], known[k]) == 0) {
					pos = l;
					break;
				}
		for (size_t j = 0; j < in->n_mem; j++)
			seen |= strcmp(in->mem[j].name, known[k]) == 0;
		if (pos < 0 || seen || n_order >= DIAG_MAX_MEMS - in->n_mem)
			continue;
		char args[64];
		cpms_args(&cp, pos, known[k], args, sizeof(args));
		order[n_order] = known[k];
		pos_of[n_order++] = pos;
		if (!w->no_chain)
			len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, "%s+CPMS=%s",
						len > 2 ? ";" : "", args);
	}
	if (n_order == 0)
		return;
	/* As found: every memory in use, in its place. */
	char restore_args[64];
	cpms_args(&cp, cp.count > 3 ? 2 : cp.count - 1,
		  cp.mem[cp.count > 3 ? 2 : cp.count - 1].name, restore_args, sizeof(restore_args));

	int idx[DIAG_MAX_MEMS];
	if (w->no_chain) {
		for (size_t k = 0; k < n_order; k++) {
			char args[64];
			snprintf(cmd, sizeof(cmd), "AT+CPMS=");
			cpms_args(&cp, pos_of[k], order[k], args, sizeof(args));
			snprintf(cmd + 8, sizeof(cmd) - 8, "%s", args);
			idx[k] = extra(w, cmd, NULL);
			if (idx[k] < 0 || w->stop) {
				/* the selection may have changed: put it back */
				restore_memories(w, restore_args);
				return;
			}
		}
	} else {
		snprintf(cmd + len, sizeof(cmd) - len, ";+CPMS=%s", restore_args);
		int i1 = extra(w, cmd, NULL);
		if (i1 < 0 || w->stop) {
			restore_memories(w, restore_args);
			return;
		}
		for (size_t k = 0; k < n_order; k++)
			idx[k] = i1;
	}
	/* Each answer "+CPMS: u1,t1,u2,t2,u3,t3" gives the memory's counts at its position. */
	size_t got = 0, line_no = 0;
	for (size_t k = 0; k < n_order; k++) {
		const struct diag_reply *r = &in->extra[idx[k]];
		size_t li = w->no_chain ? 0 : line_no++;
		struct at_cpms set;
		if (li >= r->n_lines || parse_cpms(r->lines[li], &set) != 0 ||
		    set.count <= pos_of[k])
			continue;
		struct diag_mem *m = &in->mem[in->n_mem++];
		copy_str(m->name, sizeof(m->name), order[k]);
		m->used = set.mem[pos_of[k]].used;
		m->total = set.mem[pos_of[k]].total;
		m->reply = idx[k];
		got++;
	}
	const struct diag_reply *last = &in->extra[idx[n_order - 1]];
	if (w->no_chain || last->result != SMSCTL_RESULT_OK || got < n_order) {
		/* Not restored on the same line: put the memories back now. */
		restore_memories(w, restore_args);
	}
}

/* +CREG says registered (home or roaming). */
static bool registered(const struct diag_input *in)
{
	struct query_reg rg;

	query_reg_of(QUERY_REG_CS, &in->q[Q_CREG], &rg);
	return rg.known && parse_reg_is_registered(rg.reg.stat);
}

/* +CSQ gives a signal level (not 99, "not known"). */
static bool csq_known(const struct diag_input *in)
{
	struct query_csq q;

	query_csq_of(&in->q[Q_CSQ], &q);
	return q.known && q.csq.rssi != 99;
}

static void walk(struct walk *w)
{
	struct diag_input *in = w->in;

	/* Modem: answers at all? Echo off, verbose results, numeric errors; who made it. The
	 * engine routes at most four expected prefixes per line: chains stay within that. */
	static const enum diag_q init[] = {Q_INIT, Q_CGMI};
	chain(w, init, 2);
	if (w->stop)
		return;
	if (in->q[Q_INIT].result != SMSCTL_RESULT_OK || in->q[Q_CGMI].result != SMSCTL_RESULT_OK) {
		/* Not every modem takes the whole line: plain AT, then the manufacturer. */
		struct diag_reply *r = &in->q[Q_INIT];
		struct smsctl_response *resp = NULL;
		int rc = smsctl_modem_command(w->m, "AT", 0, &resp);
		query_reply_init(r, "AT");
		r->result = resp ? smsctl_response_get_result(resp) : SMSCTL_RESULT_GONE;
		copy_str(r->final, sizeof(r->final), resp ? smsctl_response_get_final(resp) : "");
		smsctl_response_free(resp);
		if (rc != 0 && rc != SMSCTL_ERR_MODEM) {
			note_failure(w, "AT", rc);
			return;
		}
		if (in->q[Q_CGMI].result != SMSCTL_RESULT_OK)
			one(w, Q_CGMI);
		if (w->stop)
			return;
	}
	in->vendor = diag_vendor_from(in->q[Q_CGMI].n_lines ? in->q[Q_CGMI].lines[0] : "");
	/* Wavecom takes one extended command per line (python-gsmmodem issue #19): no chained
	 * line to fail first. Its errors stay bare until one needs its code (+CPIN? below). */
	if (in->vendor == DIAG_V_WAVECOM)
		w->no_chain = true;
	else
		w->cmee_pending = true;

	/* Radio, signal, registration and SIM in one line; +CPIN? last, as it fails without
	 * a SIM and a failure ends the line. */
	static const enum diag_q core[] = {Q_CFUN, Q_CSQ, Q_CREG, Q_CPIN};
	if (w->no_chain) {
		/* One command per line costs a line each (Wavecom): a modem registered on the
		 * network has its radio on, +CFUN? is asked only when it is not. */
		chain(w, core + 1, 3);
		if (!w->stop && !registered(in))
			one(w, Q_CFUN);
	} else {
		chain(w, core, 4);
	}
	if (w->stop)
		return;

	/* A bare ERROR to AT+CPIN?: numeric errors are off (the modem restarted since). */
	if (in->q[Q_CPIN].asked && in->q[Q_CPIN].result == SMSCTL_RESULT_ERROR) {
		extra(w, "AT+CMEE=1", NULL);
		one(w, Q_CPIN);
		if (w->stop)
			return;
	}

	/* SIM: busy while it starts; a PIN only when the program gave one. */
	struct query_sim sim_q;
	query_sim_of(&in->q[Q_CPIN], &sim_q);
	enum query_sim_state sim = sim_q.state;
	if (sim == QUERY_SIM_BUSY) {
		query_pause_ms(w->m, 1000);
		struct diag_reply first = in->q[Q_CPIN];
		one(w, Q_CPIN);
		if (in->n_extra < DIAG_MAX_EXTRA - 1)
			in->extra[in->n_extra++] = first;
		query_sim_of(&in->q[Q_CPIN], &sim_q);
		sim = sim_q.state;
	}
	if (sim == QUERY_SIM_PIN && w->pin) {
		char cmd[32];
		/* a modem that repeats the PIN gets it masked in the evidence too */
		smsctl_modem_add_secret(w->m, w->pin);
		snprintf(cmd, sizeof(cmd), "AT+CPIN=\"%s\"", w->pin);
		in->pin_reply = extra(w, cmd, "AT+CPIN=\"****\"");
		explicit_bzero(cmd, sizeof(cmd));
		struct diag_reply first = in->q[Q_CPIN];
		if (in->n_extra < DIAG_MAX_EXTRA - 1)
			in->extra[in->n_extra++] = first;
		query_pause_ms(w->m, 200);
		one(w, Q_CPIN);
		query_sim_of(&in->q[Q_CPIN], &sim_q);
		sim = sim_q.state;
		if (sim == QUERY_SIM_READY) {
			/* The network registration starts after the PIN: look again. */
			static const enum diag_q again[] = {Q_CSQ, Q_CREG};
			chain(w, again, 2);
		}
	}
	if (w->stop)
		return;

	/* LTE registration, operator and extended signal (errors on 2G modems: last). */
	int cfun = diag_cfun(in);
	if (cfun == 1 || cfun < 0) {
		static const enum diag_q lte[] = {Q_COPS, Q_CGREG, Q_CEREG, Q_CESQ};
		if (w->no_chain) {
			/* one per line: the packet registrations only when +CREG is not
			 * registered (data only?), +CESQ only when +CSQ is not known */
			if (!registered(in)) {
				one(w, Q_CGREG);
				one(w, Q_CEREG);
			}
			if (!w->stop && !csq_known(in))
				one(w, Q_CESQ);
		} else {
			chain(w, lte, 4);
		}
		if (w->stop)
			return;
		/* +CSQ 99 and nothing from +CESQ: ask the vendor's own command. */
		struct query_cesq ce;
		query_cesq_of(&in->q[Q_CESQ], &ce);
		bool cesq_unknown = !ce.known || (ce.cesq.rsrp_dbm == PARSE_DBM_UNKNOWN &&
						  ce.cesq.rscp_dbm == PARSE_DBM_UNKNOWN &&
						  ce.cesq.rxlev_dbm == PARSE_DBM_UNKNOWN);
		if (!csq_known(in) && cesq_unknown && query_signal_command(in->vendor, NULL))
			one(w, Q_VSIG);
		if (w->stop)
			return;
	}

	/* SMS service, SMSC, storage, indications and the ICCID: all need the SIM. A SIM state
	 * the modem did not report (an OK without +CPIN:) does not stop them: each is asked
	 * and reported unknown when it cannot be read. */
	if (sim != QUERY_SIM_READY && sim != QUERY_SIM_UNKNOWN)
		return;
	static const enum diag_q sms[] = {Q_CSMS, Q_CPMS, Q_CPMS_T, Q_CNMI};
	static const enum diag_q centre[] = {Q_CSCA, Q_ICCID};
	if (w->no_chain) {
		/* One command per line: within ten lines, the SMS centre, every memory and
		 * the announcements. Left out: +CSMS? (a GSM modem that registers offers
		 * SMS), the operator's name (+COPS?) and the ICCID (smsctl info reads it). */
		static const enum diag_q needed[] = {Q_CSCA, Q_CPMS, Q_CPMS_T, Q_CNMI};
		for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]) && !w->stop; i++)
			one(w, needed[i]);
		if (!w->stop)
			read_memories(w);
		return;
	}
	chain(w, sms, 4);
	if (w->stop)
		return;
	chain(w, centre, 2);
	if (w->stop)
		return;
	read_memories(w);
}

static struct smsctl_diagnosis *diagnosis_new(const char *device)
{
	struct smsctl_diagnosis *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	/* The device as reported: a sim: PIN never reaches a health log. */
	size_t size = strlen(device ? device : "") + 1;
	d->device = malloc(size);
	if (d->device)
		modem_mask_device(device ? device : "", d->device, size);
	if (!d->device) {
		free(d);
		return NULL;
	}
	return d;
}

static int finish(struct smsctl_diagnosis *d, struct diag_input *in, struct smsctl_diagnosis **out)
{
	diag_evaluate(in, d);
	if (d->nomem) {
		smsctl_diagnosis_free(d);
		return SMSCTL_ERR_NOMEM;
	}
	diag_sort(d);
	*out = d;
	return 0;
}

int diag_run_rules(const struct diag_input *in, struct smsctl_diagnosis **out)
{
	struct smsctl_diagnosis *d = diagnosis_new(in->device);

	*out = NULL;
	if (!d)
		return SMSCTL_ERR_NOMEM;
	diag_evaluate(in, d);
	if (d->nomem) {
		smsctl_diagnosis_free(d);
		return SMSCTL_ERR_NOMEM;
	}
	diag_sort(d);
	*out = d;
	return 0;
}

static int run_on_handle(struct smsctl_modem *m, const struct smsctl_diagnose_options *opts,
			 struct diag_input *in, struct smsctl_diagnosis *d)
{
	struct walk w = {.m = m, .in = in, .pin = opts ? opts->pin : NULL};
	unsigned long before = smsctl_modem_get_command_count(m);
	unsigned long rx0 = 0, rx1 = 0;
	unsigned long noise0 = modem_get_noise(m, &rx0);

	in->opened = true;
	in->pin_given = w.pin != NULL;
	walk(&w);
	d->commands = smsctl_modem_get_command_count(m) - before;
	/* Line noise the engine dropped (the lines we got are clean). */
	unsigned long noise1 = modem_get_noise(m, &rx1);
	in->port.rx_bytes = rx1 - rx0;
	in->port.bad_bytes = noise1 - noise0;
	return 0;
}

SMSCTL_API int smsctl_modem_diagnose(struct smsctl_modem *m,
				     const struct smsctl_diagnose_options *opts,
				     struct smsctl_diagnosis **out)
{
	if (out)
		*out = NULL;
	if (!m || !out)
		return SMSCTL_ERR_INVALID;
	smsctl_i18n_init();
	struct diag_input *in = calloc(1, sizeof(*in));
	struct smsctl_diagnosis *d = diagnosis_new(smsctl_modem_get_device(m));
	if (!in || !d) {
		free(in);
		smsctl_diagnosis_free(d);
		return SMSCTL_ERR_NOMEM;
	}
	diag_input_init(in);
	modem_mask_device(smsctl_modem_get_device(m), in->device, sizeof(in->device));
	in->from_handle = true;
	run_on_handle(m, opts, in, d);
	int rc = finish(d, in, out);
	free(in);
	return rc;
}

struct trace_ctx {
	struct diag_port *port;
	smsctl_trace_fn fn;
	void *data;
};

static void trace_tap(void *userdata, enum smsctl_trace_dir dir, const char *data, size_t len)
{
	struct trace_ctx *t = userdata;

	if (t->fn)
		t->fn(t->data, dir, data, len);
}

static struct smsctl_modem_options *modem_options(const struct smsctl_diagnose_options *opts,
						  unsigned timeout_ms, struct trace_ctx *tap)
{
	struct smsctl_modem_options *mo = smsctl_modem_options_new();

	if (!mo)
		return NULL;
	if (opts && opts->baud)
		smsctl_modem_options_set_baud(mo, opts->baud);
	smsctl_modem_options_set_timeout(mo, timeout_ms);
	if (tap)
		smsctl_modem_options_set_trace(mo, trace_tap, tap);
	return mo;
}

/* Which other ttys of the same USB device answer AT (the modem was closed first). */
static void probe_siblings(const struct smsctl_diagnose_options *opts, struct diag_input *in)
{
	const char *dev = in->device;
	char names[DIAG_MAX_SIBS][64];
	struct diag_port *p = &in->port;
	char real[4096];

	if (!realpath(dev, real))
		return;
	const char *base = strrchr(real, '/');
	base = base ? base + 1 : real;
	size_t n = diag_usb_siblings("", base, names, DIAG_MAX_SIBS, p->usb_vid, p->usb_pid);
	if (opts && !opts->probe_siblings)
		return;
	for (size_t i = 0; i < n; i++) {
		char path[128];
		struct smsctl_modem *m = NULL;
		struct smsctl_modem_options *mo = modem_options(opts, 1000, NULL);
		bool ok = false;

		snprintf(path, sizeof(path), "/dev/%s", names[i]);
		if (mo && smsctl_modem_new(path, mo, &m) == 0 && smsctl_modem_open(m) == 0)
			ok = smsctl_modem_command(m, "AT", 1000, NULL) == 0;
		smsctl_modem_free(m);
		smsctl_modem_options_free(mo);
		if (ok && p->n_answering < DIAG_MAX_SIBS)
			copy_str(p->answering[p->n_answering++], 64, path);
		else if (!ok && p->n_silent < DIAG_MAX_SIBS)
			copy_str(p->silent[p->n_silent++], 64, path);
	}
}

SMSCTL_API int smsctl_diagnose_device(const char *device,
				      const struct smsctl_diagnose_options *opts,
				      struct smsctl_diagnosis **out)
{
	if (out)
		*out = NULL;
	if (!device || !*device || !out)
		return SMSCTL_ERR_INVALID;
	smsctl_i18n_init();

	struct diag_input *in = calloc(1, sizeof(*in));
	struct smsctl_diagnosis *d = diagnosis_new(device);
	struct trace_ctx tap = {0};
	struct smsctl_modem_options *mo = NULL;
	struct smsctl_modem *m = NULL;
	int rc = SMSCTL_ERR_NOMEM;

	if (!in || !d)
		goto fail;
	diag_input_init(in);
	modem_mask_device(device, in->device, sizeof(in->device));
	in->timeout_ms = opts ? opts->timeout_ms : 10000;
	tap.port = &in->port;
	tap.fn = opts ? opts->trace : NULL;
	tap.data = opts ? opts->trace_data : NULL;
	mo = modem_options(opts, in->timeout_ms, &tap);
	if (!mo)
		goto fail;
	rc = smsctl_modem_new(device, mo, &m);
	if (rc < 0)
		goto fail;

	rc = smsctl_modem_open(m);
	if (rc < 0) {
		struct diag_port *p = &in->port;
		const char *holder = NULL;
		p->open_err = rc;
		p->sys_errno = smsctl_modem_get_errno(m);
		copy_str(p->detail, sizeof(p->detail), smsctl_modem_get_error_detail(m));
		if (rc == SMSCTL_ERR_BUSY) {
			p->holder_pid = smsctl_modem_get_lock_holder(m, &holder);
			copy_str(p->holder, sizeof(p->holder), holder);
		}
		smsctl_modem_free(m);
		m = NULL;
		if (rc == SMSCTL_ERR_PERMISSION)
			diag_port_owner(device, p);
		if (rc == SMSCTL_ERR_BUSY) {
			char real[4096];
			if (realpath(device, real)) {
				char names[1][64];
				const char *base = strrchr(real, '/');
				diag_usb_siblings("", base ? base + 1 : real, names, 0, p->usb_vid,
						  p->usb_pid);
			}
		}
	} else {
		run_on_handle(m, opts, in, d);
		in->from_handle = false;
		if (!in->answered && strncmp(device, "sim:", 4) != 0) {
			smsctl_modem_free(m);
			m = NULL;
			probe_siblings(opts, in);
		}
	}
	smsctl_modem_free(m);
	smsctl_modem_options_free(mo);
	rc = finish(d, in, out);
	free(in);
	return rc;
fail:
	smsctl_modem_options_free(mo);
	smsctl_diagnosis_free(d);
	free(in);
	return rc;
}
