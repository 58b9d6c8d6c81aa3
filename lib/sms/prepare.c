/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Making a modem predictable for SMS work: echo off, numeric errors, PDU mode, SIM unlocked.
 *
 * The cold path is one command line, "ATE0;+CMEE=1;+CPIN?;+CMGF=0": the +CPIN answer comes
 * before +CMGF, so even when PDU mode fails (SIM locked) the SIM state is known. A modem that
 * refuses the chain gets the commands one by one. What was done is remembered on the handle
 * (smsctl_modem_set_data()) so that a second call sends nothing; a reboot noticed through
 * its URCs (RDY, ^SYSSTART, +CPIN: NOT READY) forgets it.
 *
 * The PIN is written only inside AT+CPIN="..." (which the engine masks in traces) and never
 * copied into a detail string.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <smsctl/codes.h>
#include <smsctl/error.h>
#include <smsctl/sms.h>

#include "i18n.h"
#include "sms/internal.h"

/* How long a SIM that is busy or still starting gets, in all. */
#define SIM_WAIT_MS	6000u
#define SIM_POLL_MIN_MS 200u
#define PIN_MIN_DIGITS	4
#define PIN_MAX_DIGITS	8
/* How long the AT after a first command that timed out may take (see first_command()). */
#define PROBE_MS 2000

/* The key of the SMS layer's data on a handle. */
static const char state_key;

void sms_set_detail(struct sms_state *st, const char *fmt, ...)
{
	va_list ap;

	if (!st)
		return;
	va_start(ap, fmt);
	vsnprintf(st->detail, sizeof(st->detail), fmt, ap);
	va_end(ap);
}

void sms_state_reset(struct sms_state *st)
{
	if (!st)
		return;
	st->basic = false;
	st->prepared = false;
	st->probed = false;
}

static void on_boot_urc(void *userdata, const char *line, const char *pdu)
{
	struct sms_state *st = userdata;
	struct at_cpin cp;

	(void)pdu;
	if (parse_has_prefix(line, "+CPIN:")) {
		/* "+CPIN: READY" after an unlock is no news; anything else is a SIM restart */
		if (parse_cpin(line, &cp) == 0 && cp.state == PARSE_PIN_READY)
			return;
	}
	sms_state_reset(st);
}

static void state_free(void *data)
{
	struct sms_state *st = data;

	for (size_t i = 0; i < sizeof(st->boot_urc) / sizeof(st->boot_urc[0]); i++)
		if (st->boot_urc[i] > 0)
			smsctl_modem_remove_urc_handler(st->m, st->boot_urc[i]);
	free(st);
}

struct sms_state *sms_state_get(struct smsctl_modem *m)
{
	static const char *const boot_prefixes[] = {"RDY", "^SYSSTART", "+CPIN:"};
	struct sms_state *st = smsctl_modem_get_data(m, &state_key);

	if (st)
		return st;
	st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->m = m;
	st->chain = -1;
	st->basic_chain = -1;
	for (size_t i = 0; i < sizeof(boot_prefixes) / sizeof(boot_prefixes[0]); i++)
		st->boot_urc[i] =
		    smsctl_modem_add_urc_handler(m, boot_prefixes[i], false, on_boot_urc, st);
	if (smsctl_modem_set_data(m, &state_key, st, state_free) < 0) {
		state_free(st);
		return NULL;
	}
	return st;
}

const char *sms_find_line(const struct smsctl_response *resp, const char *prefix)
{
	size_t n = smsctl_response_get_line_count(resp);

	for (size_t i = 0; i < n; i++) {
		const char *l = smsctl_response_get_line(resp, i);
		if (l && parse_has_prefix(l, prefix))
			return l;
	}
	return NULL;
}

static int simple(struct smsctl_modem *m, const char *cmd, struct smsctl_response **out)
{
	return smsctl_modem_command(m, cmd, 0, out);
}

int sms_basic_init(struct smsctl_modem *m, struct sms_state *st)
{
	struct smsctl_response *r = NULL;
	int rc;

	if (st->basic)
		return 0;
	/* one basic and one extended command: also modems that take only one extended
	 * command per line (Wavecom) accept this, so it says nothing about longer chains */
	if (st->basic_chain != 0) {
		rc = simple(m, "ATE0;+CMEE=1", &r);
		smsctl_response_free(r);
		if (rc == 0) {
			st->basic_chain = 1;
			st->basic = true;
			return 0;
		}
		if (query_fatal(rc))
			return rc;
		st->basic_chain = 0;
	}
	rc = simple(m, "ATE0", NULL);
	if (query_fatal(rc))
		return rc;
	rc = simple(m, "AT+CMEE=1", NULL);
	if (query_fatal(rc))
		return rc;
	/* a modem without +CMEE still works; its errors stay bare */
	st->basic = true;
	return 0;
}

/* One SIM state query (query_sim()). Modems that refuse chained commands are old ones
 * (Wavecom) whose AT+CPIN? answer ends without OK: for them AT+CIMI tells the same (OK when
 * ready, CME 10-14 otherwise) without waiting for a timeout. *state is a smsctl_sim_state. */
static int sim_once(struct smsctl_modem *m, struct sms_state *st, int *state)
{
	struct query_sim sim;
	int rc = query_sim(m, st->chain == 0 || st->cpin_no_ok, &st->cpin_no_ok, &sim, NULL);

	*state = (int)sim.pub;
	return rc < 0 ? rc : 0;
}

/* Ask the SIM state, waiting while it is busy or starting (bounded). */
static int wait_sim(struct smsctl_modem *m, struct sms_state *st, int *state)
{
	unsigned long long end = query_now_ms() + SIM_WAIT_MS;
	unsigned pause = SIM_POLL_MIN_MS;

	for (;;) {
		int rc = sim_once(m, st, state);
		if (rc < 0)
			return rc;
		if (*state != SMSCTL_SIM_STATE_BUSY || query_now_ms() + pause > end)
			return 0;
		query_pause_ms(m, pause);
		pause *= 2;
	}
}

static bool valid_pin(const char *pin)
{
	size_t n = strlen(pin);

	if (n < PIN_MIN_DIGITS || n > PIN_MAX_DIGITS)
		return false;
	for (size_t i = 0; i < n; i++)
		if (pin[i] < '0' || pin[i] > '9')
			return false;
	return true;
}

static int sim_error(struct sms_state *st, int state)
{
	st->sim_state = state;
	switch (state) {
	case SMSCTL_SIM_STATE_PIN:
		sms_set_detail(st, "%s", _("the SIM asks for its PIN; none was given"));
		break;
	case SMSCTL_SIM_STATE_PUK:
		sms_set_detail(st, "%s",
			       _("the SIM is blocked and asks for its PUK; unblock it in a phone"));
		break;
	case SMSCTL_SIM_STATE_ABSENT:
		sms_set_detail(st, "%s", _("no SIM card is inserted"));
		break;
	case SMSCTL_SIM_STATE_FAILURE:
		sms_set_detail(st, "%s", _("the SIM card failed (SIM failure)"));
		break;
	case SMSCTL_SIM_STATE_BUSY:
		sms_set_detail(st, "%s", _("the SIM stayed busy; try again later"));
		return SMSCTL_ERR_TRANSIENT;
	default:
		sms_set_detail(st, "%s", _("the SIM is not ready"));
		break;
	}
	return SMSCTL_ERR_SIM;
}

/* Enter the PIN, then wait until the SIM says READY. */
static int unlock(struct smsctl_modem *m, struct sms_state *st, const char *pin)
{
	struct smsctl_response *r = NULL;
	char cmd[32];
	int rc, state;

	/* A modem that repeats the PIN gets it masked everywhere. */
	rc = smsctl_modem_add_secret(m, pin);
	if (rc < 0)
		return rc;
	snprintf(cmd, sizeof(cmd), "AT+CPIN=\"%s\"", pin);
	rc = simple(m, cmd, &r);
	explicit_bzero(cmd, sizeof(cmd));
	if (rc < 0) {
		int code = r ? smsctl_response_get_error_code(r) : -1;
		enum smsctl_result res = r ? smsctl_response_get_result(r) : SMSCTL_RESULT_NONE;
		smsctl_response_free(r);
		if (query_fatal(rc))
			return rc;
		if (res == SMSCTL_RESULT_CME_ERROR && code == 16) {
			sms_set_detail(st, "%s",
				       _("the SIM refused the PIN (incorrect password); it was not "
					 "tried again, to spare the remaining attempts"));
			return SMSCTL_ERR_SIM;
		}
		if (res == SMSCTL_RESULT_CME_ERROR && code == 12)
			return sim_error(st, SMSCTL_SIM_STATE_PUK);
		sms_set_detail(st, _("the SIM refused the PIN (%s)"),
			       code >= 0 ? smsctl_cme_error_describe(code) : _("error"));
		return SMSCTL_ERR_SIM;
	}
	smsctl_response_free(r);
	rc = wait_sim(m, st, &state);
	if (rc < 0)
		return rc;
	if (state == SMSCTL_SIM_STATE_PIN) {
		sms_set_detail(st, "%s", _("the SIM still asks for its PIN after it was entered"));
		return SMSCTL_ERR_SIM;
	}
	if (state != SMSCTL_SIM_STATE_READY && state != SMSCTL_SIM_STATE_UNKNOWN)
		return sim_error(st, state);
	return 0;
}

/* AT+CMGF=0, retried briefly while the SIM or the SMS service is still starting. */
static int pdu_mode(struct smsctl_modem *m, struct sms_state *st)
{
	unsigned long long end = query_now_ms() + SIM_WAIT_MS;
	unsigned pause = SIM_POLL_MIN_MS;

	for (;;) {
		struct smsctl_response *r = NULL;
		int rc = simple(m, "AT+CMGF=0", &r);
		const char *final = r ? smsctl_response_get_final(r) : "";
		smsctl_response_free(r);
		if (rc == 0 || query_fatal(rc))
			return rc;
		if (query_now_ms() + pause > end) {
			sms_set_detail(
			    st, _("the modem refuses PDU mode (AT+CMGF=0 answered '%s')"), final);
			return SMSCTL_ERR_UNSUPPORTED;
		}
		query_pause_ms(m, pause);
		pause *= 2;
	}
}

/* The first command sent on a handle. When it gets no answer the port may have been left at
 * the `>` prompt by a program killed while sending or storing a message: the modem then takes
 * every line as PDU text and answers nothing until Ctrl-Z or ESC (TS 27.005 3.5.1). The
 * engine resynchronises before the next command (ESC, which cancels the prompt, a guard
 * time, AT); one short AT tells whether the modem is back, and the command is sent once
 * more. A modem that stays silent costs PROBE_MS more, and the second try then ends at once
 * with the first one's error. Once until the modem goes away or restarts. */
static int first_command(struct smsctl_modem *m, struct sms_state *st, const char *cmd,
			 struct smsctl_response **out)
{
	int rc = simple(m, cmd, out);

	if (rc != SMSCTL_ERR_TIMEOUT || st->probed)
		return rc;
	st->probed = true;
	smsctl_response_free(*out);
	*out = NULL;
	(void)smsctl_modem_command(m, "AT", PROBE_MS, NULL);
	return simple(m, cmd, out);
}

SMSCTL_API int smsctl_sms_prepare(struct smsctl_modem *m, const char *pin)
{
	struct smsctl_response *r = NULL;
	struct sms_state *st;
	bool pdu_done = false;
	int rc, state = SMSCTL_SIM_STATE_UNKNOWN;

	if (!m)
		return SMSCTL_ERR_INVALID;
	if (pin && !valid_pin(pin))
		return SMSCTL_ERR_INVALID;
	st = sms_state_get(m);
	if (!st)
		return SMSCTL_ERR_NOMEM;
	st->detail[0] = '\0';
	if (st->prepared)
		return 0;

	if (st->chain != 0) {
		/* one line: the SIM state comes before PDU mode, so it is known even when
		 * +CMGF fails because the SIM is locked */
		const char *cmd = st->basic ? "AT+CPIN?;+CMGF=0" : "ATE0;+CMEE=1;+CPIN?;+CMGF=0";
		struct query_reply *raw = malloc(sizeof(*raw));
		struct query_sim sim;
		if (!raw)
			return SMSCTL_ERR_NOMEM;
		rc = first_command(m, st, cmd, &r);
		query_record(raw, cmd, r, NULL);
		query_sim_of(raw, &sim);
		state = (int)sim.pub;
		free(raw);
		smsctl_response_free(r);
		r = NULL;
		if (query_fatal(rc))
			return rc;
		if (rc == 0) {
			st->chain = 1;
			st->basic = true;
			pdu_done = true;
		} else if (state != SMSCTL_SIM_STATE_UNKNOWN) {
			/* the chain ran up to +CPIN: the error came from +CMGF */
			st->chain = 1;
			st->basic = true;
		} else {
			st->chain = 0;
		}
	}
	if (!st->basic) {
		rc = sms_basic_init(m, st);
		if (rc < 0)
			return rc;
	}
	if (state == SMSCTL_SIM_STATE_UNKNOWN || state == SMSCTL_SIM_STATE_BUSY) {
		rc = wait_sim(m, st, &state);
		if (rc < 0)
			return rc;
	}
	if (state == SMSCTL_SIM_STATE_PIN) {
		if (!pin)
			return sim_error(st, state);
		rc = unlock(m, st, pin);
		if (rc < 0)
			return rc;
		pdu_done = false; /* +CMGF may have failed while the SIM was locked */
	} else if (state != SMSCTL_SIM_STATE_READY && state != SMSCTL_SIM_STATE_UNKNOWN) {
		return sim_error(st, state);
	}
	if (!pdu_done) {
		rc = pdu_mode(m, st);
		if (rc < 0)
			return rc;
	}
	st->prepared = true;
	st->sim_state = SMSCTL_SIM_STATE_READY;
	return 0;
}

SMSCTL_API enum smsctl_sim_state smsctl_sms_get_sim_state(struct smsctl_modem *m)
{
	struct sms_state *st = m ? smsctl_modem_get_data(m, &state_key) : NULL;

	return st && st->sim_state ? (enum smsctl_sim_state)st->sim_state
				   : SMSCTL_SIM_STATE_UNKNOWN;
}

SMSCTL_API const char *smsctl_sms_get_error_detail(struct smsctl_modem *m)
{
	struct sms_state *st = m ? smsctl_modem_get_data(m, &state_key) : NULL;

	return st ? st->detail : "";
}
