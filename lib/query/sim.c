/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SIM state: the one mapping of +CPIN answers (27.007 8.3, vendor words) and of the SIM
 * errors of 27.007 9.2 (+CME ERROR 5-15, 40-48, 262) and 27.005 3.2.5 (+CMS ERROR 310-318) to
 * a state. Each row gives the state the diagnosis reports and the coarser one of the public
 * API (enum smsctl_sim_state), which has no place for a locked device or a blocked card seen
 * through an error code: those stay UNKNOWN there, as the SMS operations cannot act on them.
 */
#include <string.h>
#include <strings.h>

#include <smsctl/error.h>

#include "query/query.h"

/* +CPIN: words (parse_cpin()'s states). */
static void from_word(enum parse_pin_state w, struct query_sim *out)
{
	switch (w) {
	case PARSE_PIN_READY:
		out->state = QUERY_SIM_READY;
		out->pub = SMSCTL_SIM_STATE_READY;
		return;
	case PARSE_PIN_SIM_PIN2:
	case PARSE_PIN_SIM_PUK2:
		/* PIN2/PUK2: not needed for SMS, but not plainly ready either */
		out->state = QUERY_SIM_READY;
		out->pub = SMSCTL_SIM_STATE_OTHER;
		return;
	case PARSE_PIN_SIM_PIN:
		out->state = QUERY_SIM_PIN;
		out->pub = SMSCTL_SIM_STATE_PIN;
		return;
	case PARSE_PIN_SIM_PUK:
		out->state = QUERY_SIM_PUK;
		out->pub = SMSCTL_SIM_STATE_PUK;
		return;
	case PARSE_PIN_NOT_READY:
		out->state = QUERY_SIM_BUSY;
		out->pub = SMSCTL_SIM_STATE_BUSY;
		return;
	case PARSE_PIN_NOT_INSERTED:
		out->state = QUERY_SIM_ABSENT;
		out->pub = SMSCTL_SIM_STATE_ABSENT;
		return;
	case PARSE_PIN_BLOCKED:
		out->state = QUERY_SIM_BLOCKED;
		out->pub = SMSCTL_SIM_STATE_PUK;
		return;
	case PARSE_PIN_OTHER:
		out->state = QUERY_SIM_FAILURE;
		out->pub = SMSCTL_SIM_STATE_OTHER;
		return;
	default: /* PH-SIM PIN, PH-NET PIN ... */
		out->state = QUERY_SIM_LOCKED_DEVICE;
		out->pub = SMSCTL_SIM_STATE_OTHER;
		return;
	}
}

/* +CME ERROR codes (27.007 9.2.1). */
static void from_cme(int code, struct query_sim *out)
{
	out->pub = SMSCTL_SIM_STATE_UNKNOWN;
	switch (code) {
	case 10: /* SIM not inserted */
		out->state = QUERY_SIM_ABSENT;
		out->pub = SMSCTL_SIM_STATE_ABSENT;
		return;
	case 11: /* SIM PIN required */
		out->state = QUERY_SIM_PIN;
		out->pub = SMSCTL_SIM_STATE_PIN;
		return;
	case 12: /* SIM PUK required */
		out->state = QUERY_SIM_PUK;
		out->pub = SMSCTL_SIM_STATE_PUK;
		return;
	case 13: /* SIM failure */
	case 15: /* SIM wrong */
		out->state = QUERY_SIM_FAILURE;
		out->pub = SMSCTL_SIM_STATE_FAILURE;
		return;
	case 14: /* SIM busy */
		out->state = QUERY_SIM_BUSY;
		out->pub = SMSCTL_SIM_STATE_BUSY;
		return;
	case 5:	 /* PH-SIM PIN required */
	case 6:	 /* PH-FSIM PIN required */
	case 7:	 /* PH-FSIM PUK required */
	case 40: /* network personalisation PIN required */
	case 41:
	case 42:
	case 43:
	case 44:
	case 45:
	case 46:
	case 47:
	case 48:
		out->state = QUERY_SIM_LOCKED_DEVICE;
		return;
	case 262: /* SIM blocked */
		out->state = QUERY_SIM_BLOCKED;
		return;
	default:
		out->state = QUERY_SIM_FAILURE;
		return;
	}
}

/* +CMS ERROR codes (27.005 3.2.5). */
static void from_cms(int code, struct query_sim *out)
{
	out->pub = SMSCTL_SIM_STATE_UNKNOWN;
	switch (code) {
	case 310:
		out->state = QUERY_SIM_ABSENT;
		return;
	case 311:
		out->state = QUERY_SIM_PIN;
		return;
	case 312:
		out->state = QUERY_SIM_LOCKED_DEVICE;
		return;
	case 313:
	case 315:
		out->state = QUERY_SIM_FAILURE;
		return;
	case 314:
		out->state = QUERY_SIM_BUSY;
		return;
	case 316:
		out->state = QUERY_SIM_PUK;
		return;
	case 317:
	case 318:
		out->state = QUERY_SIM_READY; /* PIN2/PUK2: not needed for SMS */
		return;
	default:
		out->state = QUERY_SIM_FAILURE;
		return;
	}
}

/* A verbose error text no table knows: the words tell. */
static enum query_sim_state from_words(const char *final)
{
	if (strcasestr(final, "not inserted") || strcasestr(final, "no sim"))
		return QUERY_SIM_ABSENT;
	if (strcasestr(final, "blocked"))
		return QUERY_SIM_BLOCKED;
	if (strcasestr(final, "puk"))
		return QUERY_SIM_PUK;
	if (strcasestr(final, "pin"))
		return QUERY_SIM_PIN;
	if (strcasestr(final, "busy"))
		return QUERY_SIM_BUSY;
	return QUERY_SIM_FAILURE;
}

/* The state an error result tells, for any SIM command. */
static void from_error(const struct query_reply *r, struct query_sim *out)
{
	out->said = r->final;
	if (r->result == SMSCTL_RESULT_CME_ERROR || r->result == SMSCTL_RESULT_CMS_ERROR) {
		struct at_error e;
		int c = r->code;
		if (c < 0 && parse_error(r->final, &e) == 0)
			c = e.code;
		if (c < 0) {
			out->state = from_words(r->final);
			out->pub = SMSCTL_SIM_STATE_UNKNOWN;
		} else if (r->result == SMSCTL_RESULT_CMS_ERROR) {
			from_cms(c, out);
		} else {
			from_cme(c, out);
		}
		return;
	}
	if (r->result == SMSCTL_RESULT_ERROR)
		out->state = QUERY_SIM_FAILURE; /* pub stays UNKNOWN */
}

static void sim_clear(struct query_sim *out)
{
	out->state = QUERY_SIM_UNKNOWN;
	out->pub = SMSCTL_SIM_STATE_UNKNOWN;
	out->from_line = false;
	out->said = "";
}

void query_sim_of(const struct query_reply *r, struct query_sim *out)
{
	struct at_cpin cp;

	sim_clear(out);
	if (!r || !r->asked)
		return;
	/* "+CPIN: READY", "+CPIN: \"READY\"", "+CPIN:READY"; Wavecom without OK. */
	for (size_t i = 0; i < r->n_lines; i++) {
		if (parse_cpin(r->lines[i], &cp) != 0)
			continue;
		out->said = r->lines[i];
		out->from_line = true;
		from_word(cp.state, out);
		return;
	}
	from_error(r, out);
}

void query_sim_of_sim_command(const struct query_reply *r, struct query_sim *out)
{
	sim_clear(out);
	if (!r || !r->asked)
		return;
	if (r->result == SMSCTL_RESULT_OK) {
		out->state = QUERY_SIM_READY;
		out->pub = SMSCTL_SIM_STATE_READY;
		out->said = r->final;
		return;
	}
	from_error(r, out);
}

int query_sim(struct smsctl_modem *m, bool cimi, bool *no_final, struct query_sim *out,
	      struct query_reply *raw)
{
	struct query_reply tmp;
	struct query_reply *r = raw ? raw : &tmp;
	struct smsctl_response *resp = NULL;
	const char *cmd = cimi ? "AT+CIMI" : "AT+CPIN?";
	int rc = smsctl_modem_command(m, cmd, 0, &resp);

	query_record(r, cmd, resp, NULL);
	smsctl_response_free(resp);
	if (cimi) {
		query_sim_of_sim_command(r, out);
	} else {
		query_sim_of(r, out);
		if (rc == SMSCTL_ERR_TIMEOUT && query_line(r, "+CPIN:")) {
			/* the +CPIN: line came, the final result never does (Wavecom) */
			if (no_final)
				*no_final = true;
			rc = 0;
		}
	}
	if (rc == 0)
		return 0;
	return query_fatal(rc) ? rc : 1;
}
