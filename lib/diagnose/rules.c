/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rules of the diagnosis: recorded answers in, findings out. No I/O. The thresholds are
 * documented in diagnose.h (and smsctl(1)); keep them in step. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <smsctl/codes.h>
#include <smsctl/diagnose.h>
#include <smsctl/error.h>

#include "diagnose/internal.h"
#include "i18n.h"
#include "parse/parse.h"

const char *diag_fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, size, f, ap);
	va_end(ap);
	return buf;
}

void diag_input_init(struct diag_input *in)
{
	memset(in, 0, sizeof(*in));
	in->pin_reply = -1;
	in->timeout_ms = 10000;
	for (size_t i = 0; i < Q_N; i++)
		in->q[i].code = -1;
}

const char *diag_line(const struct diag_reply *r, const char *prefix)
{
	if (!r || !r->asked)
		return NULL;
	for (size_t i = 0; i < r->n_lines; i++)
		if (parse_has_prefix(r->lines[i], prefix))
			return r->lines[i];
	return NULL;
}

enum diag_vendor diag_vendor_from(const char *s)
{
	return query_vendor_from(s);
}

const char *diag_iccid_command(enum diag_vendor v)
{
	return query_iccid_command(v, NULL);
}

/* The manufacturer as the modem printed it, "" when unknown. */
static const char *manufacturer(const struct diag_input *in)
{
	const struct diag_reply *r = &in->q[Q_CGMI];

	if (!r->asked || r->result != SMSCTL_RESULT_OK || r->n_lines == 0)
		return "";
	const char *s = r->lines[0];
	if (parse_has_prefix(s, "+CGMI:"))
		s = strchr(s, ':') + 1;
	while (*s == ' ')
		s++;
	return s;
}

/* A sentence explaining an error final line, "" when nothing can be said. The meaning of
 * +CMS ERROR codes of 512 and above is vendor-specific: explained only for a known vendor. */
const char *diag_explain_error(const struct diag_input *in, const struct diag_reply *r, char *buf,
			       size_t size)
{
	buf[0] = '\0';
	if (r->result == SMSCTL_RESULT_CMS_ERROR && r->code >= 512) {
		const char *v = smsctl_cms_error_describe_vendor(r->code, manufacturer(in));
		if (v)
			return diag_fmt(buf, size, _("%s means: %s."), r->final, v);
		return diag_fmt(
		    buf, size,
		    _("%s is a code of the modem's manufacturer, which is not known here."),
		    r->final);
	}
	if (r->result == SMSCTL_RESULT_CMS_ERROR && r->code >= 0)
		return diag_fmt(buf, size, _("%s means: %s."), r->final,
				smsctl_cms_error_describe(r->code));
	if (r->result == SMSCTL_RESULT_CME_ERROR && r->code >= 0)
		return diag_fmt(buf, size, _("%s means: %s."), r->final,
				smsctl_cme_error_describe(r->code));
	if (r->result == SMSCTL_RESULT_NOT_SUPPORTED)
		return diag_fmt(buf, size, _("The modem does not support %s."), r->command);
	return buf;
}

/* ---- SIM state ---- */

static enum diag_sim_state state_from_code(int code, bool cms)
{
	if (cms) {
		switch (code) {
		case 310:
			return DIAG_SIM_ABSENT;
		case 311:
			return DIAG_SIM_PIN;
		case 312:
			return DIAG_SIM_LOCKED_DEVICE;
		case 313:
		case 315:
			return DIAG_SIM_FAILURE;
		case 314:
			return DIAG_SIM_BUSY;
		case 316:
			return DIAG_SIM_PUK;
		case 317:
		case 318:
			return DIAG_SIM_READY; /* PIN2/PUK2: not needed for SMS */
		default:
			return DIAG_SIM_FAILURE;
		}
	}
	switch (code) {
	case 10:
		return DIAG_SIM_ABSENT;
	case 11:
		return DIAG_SIM_PIN;
	case 12:
		return DIAG_SIM_PUK;
	case 13:
	case 15:
		return DIAG_SIM_FAILURE;
	case 14:
		return DIAG_SIM_BUSY;
	case 5:
	case 6:
	case 7:
	case 40:
	case 41:
	case 42:
	case 43:
	case 44:
	case 45:
	case 46:
	case 47:
	case 48:
		return DIAG_SIM_LOCKED_DEVICE;
	case 262: /* SIM blocked */
		return DIAG_SIM_BLOCKED;
	default:
		return DIAG_SIM_FAILURE;
	}
}

enum diag_sim_state diag_sim_state(const struct diag_input *in, const char **code)
{
	const struct diag_reply *r = &in->q[Q_CPIN];
	struct at_cpin cp;

	if (code)
		*code = "";
	if (!r->asked)
		return DIAG_SIM_UNKNOWN;
	/* "+CPIN: READY", "+CPIN: \"READY\"", "+CPIN:READY"; Wavecom without OK. */
	for (size_t i = 0; i < r->n_lines; i++) {
		if (parse_cpin(r->lines[i], &cp) != 0)
			continue;
		if (code)
			*code = r->lines[i];
		switch (cp.state) {
		case PARSE_PIN_READY:
		case PARSE_PIN_SIM_PIN2:
		case PARSE_PIN_SIM_PUK2:
			return DIAG_SIM_READY;
		case PARSE_PIN_SIM_PIN:
			return DIAG_SIM_PIN;
		case PARSE_PIN_SIM_PUK:
			return DIAG_SIM_PUK;
		case PARSE_PIN_NOT_READY:
			return DIAG_SIM_BUSY;
		case PARSE_PIN_NOT_INSERTED:
			return DIAG_SIM_ABSENT;
		case PARSE_PIN_BLOCKED:
			return DIAG_SIM_BLOCKED;
		case PARSE_PIN_OTHER:
			return DIAG_SIM_FAILURE;
		default:
			return DIAG_SIM_LOCKED_DEVICE;
		}
	}
	if (code)
		*code = r->final;
	if (r->result == SMSCTL_RESULT_CME_ERROR || r->result == SMSCTL_RESULT_CMS_ERROR) {
		struct at_error e;
		int c = r->code;
		if (c < 0 && parse_error(r->final, &e) == 0)
			c = e.code;
		if (c < 0) {
			/* A verbose text no table knows: the words tell. */
			if (strcasestr(r->final, "not inserted") || strcasestr(r->final, "no sim"))
				return DIAG_SIM_ABSENT;
			if (strcasestr(r->final, "blocked"))
				return DIAG_SIM_BLOCKED;
			if (strcasestr(r->final, "puk"))
				return DIAG_SIM_PUK;
			if (strcasestr(r->final, "pin"))
				return DIAG_SIM_PIN;
			if (strcasestr(r->final, "busy"))
				return DIAG_SIM_BUSY;
			return DIAG_SIM_FAILURE;
		}
		return state_from_code(c, r->result == SMSCTL_RESULT_CMS_ERROR);
	}
	if (r->result == SMSCTL_RESULT_ERROR)
		return DIAG_SIM_FAILURE;
	return DIAG_SIM_UNKNOWN;
}

int diag_cfun(const struct diag_input *in)
{
	struct at_cfun cf;
	const char *line = diag_line(&in->q[Q_CFUN], "+CFUN:");

	if (!line || parse_cfun(line, &cf) != 0)
		return -1;
	return cf.fun;
}

/* ---- Checks that could not be made ---- */

bool diag_unusable(const struct diag_reply *r, const char *prefix)
{
	if (!r->asked || r->result != SMSCTL_RESULT_OK)
		return false;
	return diag_line(r, prefix) == NULL;
}

void diag_unknown(struct smsctl_diagnosis *d, const char *id, const char *layer,
		  const char *summary, const struct diag_reply *r)
{
	char det[TXT], raw[DIAG_LINE_MAX * 2];
	size_t len = 0;

	raw[0] = '\0';
	for (size_t i = 0; i < r->n_lines && len < sizeof(raw); i++)
		len += (size_t)snprintf(raw + len, sizeof(raw) - len, "%s%s", len ? " | " : "",
					r->lines[i]);
	if (r->final[0] && len < sizeof(raw))
		snprintf(raw + len, sizeof(raw) - len, "%s%s", len ? " | " : "", r->final);
	diag_fmt(det, sizeof(det),
		 _("%s was answered '%s' without the line that carries the value, so this "
		   "check could not be made."),
		 r->command, raw[0] ? raw : _("(nothing)"));
	struct smsctl_finding *f = diag_add(
	    d, id, SMSCTL_SEVERITY_WARNING, summary, det,
	    _("Run the diagnosis again in a minute. If the answer stays the same, the modem's "
	      "firmware does not report this value: update the firmware or ask the seller, and "
	      "check this by hand (smsctl -v diagnose shows every command and answer)."));
	if (!f)
		return;
	f->layer = diag_layer_of(layer);
	diag_evidence_reply(f, r);
}

/* ---- Port ---- */

static bool is_modem_manager(const char *prog)
{
	return strcasecmp(prog, "ModemManager") == 0 || strcasecmp(prog, "modem-manager") == 0;
}

/* The evidence of a failed open: what was opened and what the system said. */
static void evidence_open(struct smsctl_finding *f, const struct diag_input *in)
{
	char cmd[300];
	const char *why = in->port.detail[0] ? in->port.detail : smsctl_strerror(in->port.open_err);

	snprintf(cmd, sizeof(cmd), "open %s", in->device);
	diag_evidence(f, cmd, why);
}

static void rule_port_open(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	const struct diag_port *p = &in->port;
	const char *dev = in->device;
	char s[TXT], det[TXT], rem[TXT * 2];
	struct smsctl_finding *f;

	switch (p->open_err) {
	case SMSCTL_ERR_PERMISSION:
		diag_fmt(s, sizeof(s), _("No permission to open %s"), dev);
		if (p->group[0] && p->in_group && !p->group_active) {
			diag_fmt(
			    det, sizeof(det),
			    _("%s belongs to group '%s' (mode %03o). You are a member, but this "
			      "login session started before you were added."),
			    dev, p->group, p->mode);
			diag_fmt(
			    rem, sizeof(rem),
			    _("Log out and log in again (or run 'newgrp %s'), then try again."),
			    p->group);
		} else if (p->group[0]) {
			diag_fmt(
			    det, sizeof(det),
			    _("%s belongs to group '%s' (mode %03o) and this user is not in that "
			      "group."),
			    dev, p->group, p->mode);
			diag_fmt(
			    rem, sizeof(rem),
			    _("Add the user to the group: sudo usermod -aG %s $USER; then log out "
			      "and log in again."),
			    p->group);
		} else {
			diag_fmt(det, sizeof(det), "%s", p->detail);
			diag_fmt(
			    rem, sizeof(rem), "%s",
			    _("Add the user to the group that owns the port (usually dialout): "
			      "sudo "
			      "usermod -aG dialout $USER; then log out and log in again."));
		}
		evidence_open(diag_add(d, "port.permission", SMSCTL_SEVERITY_ERROR, s, det, rem),
			      in);
		return;
	case SMSCTL_ERR_BUSY:
		if (p->holder[0] && p->holder_pid > 0)
			diag_fmt(s, sizeof(s), _("Port %s is in use by %s (PID %d)"), dev,
				 p->holder, (int)p->holder_pid);
		else if (p->holder_pid > 0)
			diag_fmt(s, sizeof(s), _("Port %s is in use by the process with PID %d"),
				 dev, (int)p->holder_pid);
		else
			diag_fmt(s, sizeof(s), _("Port %s is in use by another program"), dev);
		if (is_modem_manager(p->holder)) {
			diag_fmt(
			    det, sizeof(det), "%s",
			    _("ModemManager (the system service that sets up mobile broadband "
			      "connections) has taken the port and talks to the modem itself."));
			if (p->usb_vid[0] && p->usb_pid[0])
				diag_fmt(
				    rem, sizeof(rem),
				    _("Tell ModemManager to leave this modem alone: put the line\n"
				      "  ATTRS{idVendor}==\"%s\", ATTRS{idProduct}==\"%s\", "
				      "ENV{ID_MM_DEVICE_IGNORE}=\"1\"\n"
				      "into /etc/udev/rules.d/77-smsctl-mm-ignore.rules, run 'sudo "
				      "udevadm control --reload && sudo udevadm trigger' and "
				      "replug the "
				      "modem. If nothing on this machine needs ModemManager, stop "
				      "it "
				      "instead: sudo systemctl disable --now ModemManager."),
				    p->usb_vid, p->usb_pid);
			else
				diag_fmt(
				    rem, sizeof(rem), "%s",
				    _("Tell ModemManager to leave this modem alone: add a udev "
				      "rule "
				      "setting ENV{ID_MM_DEVICE_IGNORE}=\"1\" for the modem's USB "
				      "vendor and product id, then replug it. If nothing on this "
				      "machine needs ModemManager, stop it instead: sudo systemctl "
				      "disable --now ModemManager."));
		} else {
			diag_fmt(det, sizeof(det), "%s",
				 p->detail[0] ? p->detail
					      : _("Another program holds the port's lock; only one "
						  "program at a time can talk to a modem port."));
			if (p->holder_pid > 0)
				diag_fmt(
				    rem, sizeof(rem),
				    _("Stop %s (PID %d) or wait until it is done, then try again. "
				      "Only one program at a time can talk to a modem port."),
				    p->holder[0] ? p->holder : "?", (int)p->holder_pid);
			else
				diag_fmt(
				    rem, sizeof(rem),
				    _("Find the program with 'sudo fuser -v %s' and stop it, then "
				      "try again."),
				    dev);
		}
		evidence_open(diag_add(d, "port.busy", SMSCTL_SEVERITY_ERROR, s, det, rem), in);
		return;
	case SMSCTL_ERR_NOT_TTY:
		diag_fmt(s, sizeof(s), _("%s is not a serial port"), dev);
		break;
	case SMSCTL_ERR_NOT_FOUND:
		diag_fmt(s, sizeof(s), _("Port %s does not exist"), dev);
		break;
	default:
		diag_fmt(s, sizeof(s), _("Port %s cannot be opened"), dev);
		break;
	}
	diag_fmt(det, sizeof(det), "%s", p->detail);
	diag_fmt(
	    rem, sizeof(rem), "%s",
	    _("Check that the modem is plugged in and powered (lsusb should list it) and use the "
	      "right port: 'smsctl ports --probe' lists the ports that answer AT commands. USB "
	      "modems usually appear as /dev/ttyUSB0 to /dev/ttyUSB3 or /dev/ttyACM0; "
	      "/dev/serial/by-id/ gives names that do not change."));
	f = diag_add(d, "port.not_found", SMSCTL_SEVERITY_ERROR, s, det, rem);
	evidence_open(f, in);
}

/* Garbage on the line: from the trace of a port the diagnosis opened, else from the bytes
 * dropped from the recorded lines (an already open handle has no trace of ours). */
static void count_noise(const struct diag_input *in, size_t *bad, size_t *total, char *sample,
			size_t size)
{
	if (in->port.rx_bytes > 0) {
		*bad = in->port.bad_bytes;
		*total = in->port.rx_bytes;
		snprintf(sample, size, "%s", in->port.noise_sample);
		return;
	}
	*bad = in->line_bad;
	*total = in->line_bytes;
	snprintf(sample, size, "%s", in->line_sample);
}

/* modem.gone: the port closed or failed (EOF/EIO) during the walk, before any answer or
 * after some. The evidence is the command it went away on. */
static void rule_gone(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	char s[TXT], det[TXT], rem[TXT];
	const char *at = in->stopped_at[0] ? in->stopped_at : "AT";

	diag_fmt(s, sizeof(s), "%s",
		 _("The modem went away during the check (unplugged or restarted)"));
	if (in->answered)
		diag_fmt(det, sizeof(det),
			 _("The port closed or failed after %s; the modem was unplugged, lost "
			   "power or restarted."),
			 at);
	else
		diag_fmt(det, sizeof(det),
			 _("The port opened, then closed or failed at %s before the modem answered "
			   "anything; the modem was unplugged, lost power or restarted."),
			 at);
	diag_fmt(rem, sizeof(rem), "%s",
		 _("Check the USB cable and the power supply (4G modules need a 2 A "
		   "supply; a weak USB hub makes them restart when they transmit), then "
		   "run the diagnosis again."));
	struct smsctl_finding *f = diag_add(d, "modem.gone", SMSCTL_SEVERITY_ERROR, s, det, rem);
	diag_evidence(f, at, _("(the port closed)"));
}

/* @return false when nothing else can be checked. */
static bool rule_port(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	const char *dev = in->device;
	char s[TXT], det[TXT], rem[TXT];
	size_t bad, total;
	char sample[64];

	if (!in->opened) {
		rule_port_open(in, d);
		return false;
	}
	diag_add(d, "port.ok", SMSCTL_SEVERITY_OK,
		 diag_fmt(s, sizeof(s), _("Port %s is open"), dev), "", "");

	count_noise(in, &bad, &total, sample, sizeof(sample));
	if (bad >= 4 && bad * 100 >= total) {
		diag_fmt(s, sizeof(s), _("Garbage on %s: wrong baud rate or not an AT port"), dev);
		if (sample[0])
			diag_fmt(det, sizeof(det),
				 _("%zu of %zu bytes received were not text (%s)."), bad, total,
				 sample);
		else
			diag_fmt(det, sizeof(det), _("%zu of %zu bytes received were not text."),
				 bad, total);
		diag_fmt(
		    rem, sizeof(rem), "%s",
		    _("Try the usual baud rates (--baud 115200, 57600, 9600) or another port of "
		      "the "
		      "modem: diagnostic (DM/QCDM) and GPS (NMEA) ports do not speak AT. A loose "
		      "cable or a long unshielded serial line also garbles bytes."));
		struct smsctl_finding *f =
		    diag_add(d, "port.noise", SMSCTL_SEVERITY_WARNING, s, det, rem);
		char shown[96];
		if (sample[0])
			snprintf(shown, sizeof(shown), "%s", sample);
		else
			/* Evidence is the same in every language (the detail says it in words). */
			snprintf(shown, sizeof(shown), "(noise: %zu/%zu bytes)", bad, total);
		diag_evidence(f, "(received)", shown);
	}

	if (!in->answered && in->gone) {
		/* gone, not silent: the port closed before any answer (unplug:0) */
		rule_gone(in, d);
		return false;
	}
	if (!in->answered) {
		unsigned secs = (in->timeout_ms + 999) / 1000;
		diag_fmt(s, sizeof(s), _("The modem does not answer on %s"), dev);
		if (in->port.n_answering > 0) {
			char list[512] = "";
			size_t len = 0;
			for (size_t i = 0; i < in->port.n_answering; i++)
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
							i ? ", " : "", in->port.answering[i]);
			diag_fmt(
			    det, sizeof(det),
			    _("AT got no answer within %u s. Other ports of the same USB device "
			      "that answer AT: %s."),
			    secs, list);
			diag_fmt(
			    rem, sizeof(rem),
			    _("Use the port that answers: smsctl --device %s diagnose. USB modems "
			      "have several ports and only some of them speak AT."),
			    in->port.answering[0]);
		} else {
			if (in->port.n_silent > 0)
				diag_fmt(
				    det, sizeof(det),
				    _("AT got no answer within %u s; the other ports of the same "
				      "USB "
				      "device did not answer either."),
				    secs);
			else
				diag_fmt(det, sizeof(det), _("AT got no answer within %u s."),
					 secs);
			diag_fmt(rem, sizeof(rem), "%s",
				 _("Check that this is the modem's AT port ('smsctl ports --probe' "
				   "finds "
				   "it) and the baud rate (--baud; most modems use 115200), then "
				   "power-cycle the modem: unplug it (or its power supply) for ten "
				   "seconds."));
		}
		struct smsctl_finding *f =
		    diag_add(d, "port.no_answer", SMSCTL_SEVERITY_ERROR, s, det, rem);
		diag_evidence_reply(f, &in->q[Q_INIT]);
		return false;
	}
	return true;
}

/* ---- Modem ---- */

static bool rule_modem(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	char s[TXT], det[TXT], rem[TXT];
	const char *maker = manufacturer(in);
	struct smsctl_finding *f;

	if (maker[0])
		diag_fmt(s, sizeof(s), _("The modem answers AT commands (%s)"), maker);
	else
		diag_fmt(s, sizeof(s), "%s", _("The modem answers AT commands"));
	f = diag_add(d, "modem.ok", SMSCTL_SEVERITY_OK, s, "", "");
	diag_evidence_reply(f, &in->q[Q_INIT]);
	diag_evidence_reply(f, &in->q[Q_CGMI]);

	if (in->gone || in->stopped_at[0]) {
		if (in->gone) {
			rule_gone(in, d);
		} else {
			diag_fmt(s, sizeof(s), _("The modem stopped answering on %s"), in->device);
			diag_fmt(det, sizeof(det), _("No answer to %s within %u s."),
				 in->stopped_at, (in->timeout_ms + 999) / 1000);
			diag_fmt(
			    rem, sizeof(rem), "%s",
			    _("Power-cycle the modem (unplug it or its power supply for ten "
			      "seconds) and run the diagnosis again; if it keeps hanging, check "
			      "the power supply and update the modem's firmware."));
			f = diag_add(d, "port.no_answer", SMSCTL_SEVERITY_ERROR, s, det, rem);
			diag_evidence(f, in->stopped_at, _("(no answer)"));
		}
	}

	int fun = diag_cfun(in);
	if (diag_unusable(&in->q[Q_CFUN], "+CFUN:"))
		diag_unknown(d, "modem.unknown", "modem.", _("The radio state could not be read"),
			     &in->q[Q_CFUN]);
	if (fun > 1 || fun == 0) {
		if (fun == 4)
			diag_fmt(s, sizeof(s), "%s", _("The modem is in airplane mode (+CFUN: 4)"));
		else
			diag_fmt(s, sizeof(s), _("The modem's radio is off (+CFUN: %d)"), fun);
		diag_fmt(
		    det, sizeof(det), "%s",
		    _("With the radio off the modem cannot reach the network: nothing can be sent "
		      "or received."));
		diag_fmt(
		    rem, sizeof(rem), "%s",
		    _("Switch the radio on by sending AT+CFUN=1 to the modem (with any terminal "
		      "program, e.g. picocom or minicom) or power-cycle it. If it switches off "
		      "again by itself, check the power supply and the temperature."));
		f = diag_add(d, "modem.radio_off", SMSCTL_SEVERITY_ERROR, s, det, rem);
		diag_evidence_reply(f, &in->q[Q_CFUN]);
	}
	return !in->gone && !in->stopped_at[0];
}

/* ---- SIM ---- */

static enum diag_sim_state rule_sim(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	char s[TXT], det[TXT], rem[TXT], why[TXT];
	const char *code = NULL;
	enum diag_sim_state st = diag_sim_state(in, &code);
	const struct diag_reply *r = &in->q[Q_CPIN];
	const char *id = NULL;
	enum smsctl_severity sev = SMSCTL_SEVERITY_ERROR;

	diag_explain_error(in, r, why, sizeof(why));
	switch (st) {
	case DIAG_SIM_UNKNOWN:
		if (diag_unusable(r, "+CPIN:"))
			diag_unknown(d, "sim.unknown", "sim.",
				     _("The state of the SIM card could not be read"), r);
		return st;
	case DIAG_SIM_READY: {
		char iccid[64] = "";
		struct at_iccid ic;
		for (size_t i = 0; i < in->q[Q_ICCID].n_lines; i++)
			if (parse_iccid(in->q[Q_ICCID].lines[i], &ic) == 0) {
				snprintf(iccid, sizeof(iccid), "%s", ic.iccid);
				break;
			}
		if (in->pin_reply >= 0)
			diag_fmt(s, sizeof(s), "%s",
				 _("SIM card ready (the PIN given was accepted)"));
		else
			diag_fmt(s, sizeof(s), "%s", _("SIM card ready"));
		if (iccid[0])
			diag_fmt(det, sizeof(det), _("ICCID %s."), iccid);
		else
			det[0] = '\0';
		struct smsctl_finding *f = diag_add(d, "sim.ok", SMSCTL_SEVERITY_OK, s, det, "");
		diag_evidence_reply(f, r);
		diag_evidence_reply(f, &in->q[Q_ICCID]);
		return st;
	}
	case DIAG_SIM_ABSENT:
		id = "sim.absent";
		diag_fmt(s, sizeof(s), "%s", _("No SIM card detected"));
		diag_fmt(det, sizeof(det), _("The modem answered '%s': it sees no SIM card. %s"),
			 code, why);
		diag_fmt(
		    rem, sizeof(rem), "%s",
		    _("Switch the modem off, insert the SIM card (chip down, cut corner as drawn "
		      "on the slot) until the tray or spring clicks, and switch it on again. If it "
		      "is inserted, clean the chip and try the card in a phone."));
		break;
	case DIAG_SIM_PIN:
		id = "sim.pin_required";
		if (in->pin_reply >= 0) {
			diag_fmt(s, sizeof(s), "%s", _("The SIM card refused the PIN given"));
			diag_fmt(det, sizeof(det),
				 _("The SIM card still asks for its PIN ('%s') after the "
				   "PIN given was entered: it is wrong. Each wrong "
				   "PIN uses up one of three tries."),
				 code);
			diag_fmt(
			    rem, sizeof(rem), "%s",
			    _("Check the PIN (it came with the SIM card) before trying again: "
			      "after "
			      "three wrong PINs the card needs its PUK. Do not run smsctl with a "
			      "wrong PIN in a loop."));
		} else {
			diag_fmt(s, sizeof(s), "%s", _("The SIM card is locked with a PIN"));
			diag_fmt(
			    det, sizeof(det),
			    _("The modem answered '%s': the SIM card needs its PIN before it can "
			      "be "
			      "used. The diagnosis enters no PIN unless one is given."),
			    code);
			diag_fmt(
			    rem, sizeof(rem), "%s",
			    _("Give the PIN to smsctl with --pin-file FILE (or $SMSCTL_PIN), or "
			      "remove the PIN lock once with a phone (Settings > Security > SIM "
			      "lock). Three wrong PINs lock the card."));
		}
		break;
	case DIAG_SIM_PUK:
		id = "sim.puk_required";
		diag_fmt(s, sizeof(s), "%s",
			 _("The SIM card is locked: PUK needed (the PIN was entered wrongly too "
			   "often)"));
		diag_fmt(det, sizeof(det), _("The modem answered '%s'. %s"), code, why);
		diag_fmt(
		    rem, sizeof(rem), "%s",
		    _("Get the PUK from the operator (customer service, the shop, or the card the "
		      "SIM came on) and unlock the card in a phone, setting a new PIN. Do not "
		      "guess: ten wrong PUKs destroy the card."));
		break;
	case DIAG_SIM_BLOCKED:
		id = "sim.blocked";
		diag_fmt(s, sizeof(s), "%s", _("The SIM card is permanently blocked"));
		diag_fmt(det, sizeof(det), _("The modem answered '%s'. %s"), code, why);
		diag_fmt(
		    rem, sizeof(rem), "%s",
		    _("The card cannot be unlocked any more: ask the operator for a replacement "
		      "SIM card with the same number."));
		break;
	case DIAG_SIM_BUSY:
		id = "sim.busy";
		sev = SMSCTL_SEVERITY_WARNING;
		diag_fmt(s, sizeof(s), "%s", _("The SIM card is still starting up"));
		diag_fmt(
		    det, sizeof(det),
		    _("The modem answered '%s': the SIM card is busy (it is read after power-on "
		      "or a restart). The checks that need the SIM were skipped."),
		    code);
		diag_fmt(
		    rem, sizeof(rem), "%s",
		    _("Wait half a minute and run the diagnosis again. If the SIM card stays busy, "
		      "switch the modem off, reseat the card and switch it on again."));
		break;
	case DIAG_SIM_LOCKED_DEVICE:
		id = "sim.pin_required";
		diag_fmt(s, sizeof(s), "%s",
			 _("The modem is locked to another SIM card or operator"));
		diag_fmt(
		    det, sizeof(det),
		    _("The modem answered '%s': it asks for a network or device unlock code, not "
		      "the SIM's PIN. %s"),
		    code, why);
		diag_fmt(
		    rem, sizeof(rem), "%s",
		    _("Use a SIM card of the operator the modem was sold for, or ask the seller "
		      "for the unlock code."));
		break;
	case DIAG_SIM_FAILURE:
		id = "sim.failure";
		diag_fmt(s, sizeof(s), "%s",
			 _("The SIM card is not working (damaged or bad contact)"));
		diag_fmt(det, sizeof(det), _("The modem answered '%s'. %s"), code, why);
		diag_fmt(
		    rem, sizeof(rem), "%s",
		    _("Switch the modem off, take the SIM card out, clean the gold contacts with a "
		      "dry cloth, insert it again (chip down) and switch on. If it still fails, "
		      "try the card in a phone; a dead card is replaced by the operator."));
		break;
	}
	struct smsctl_finding *f = diag_add(d, id, sev, s, det, rem);
	for (size_t i = 0; i < in->n_extra; i++)
		if (parse_has_prefix(in->extra[i].command, "AT+CPIN"))
			diag_evidence_reply(f, &in->extra[i]);
	diag_evidence_reply(f, r);
	return st;
}

/* ---- The walk through the layers ---- */

void diag_evaluate(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	if (!rule_port(in, d))
		return;
	bool alive = rule_modem(in, d);
	int fun = diag_cfun(in);
	bool radio = fun == 1 || fun < 0;

	enum diag_sim_state sim = rule_sim(in, d);
	bool sim_ready = sim == DIAG_SIM_READY;
	/* A SIM state the modem did not report: the checks past it are still made (and
	 * reported unknown when they cannot be), never silently dropped. */
	bool sim_maybe = sim_ready || (sim == DIAG_SIM_UNKNOWN && in->q[Q_CPIN].asked);
	bool signal = true;
	if (radio)
		signal = diag_rule_signal(in, d, sim_ready);
	if (radio && signal && sim_maybe)
		diag_rule_net(in, d);
	if (!sim_maybe || !alive)
		return;
	diag_rule_sms_service(in, d);
	diag_rule_smsc(in, d);
	diag_rule_storage(in, d);
	diag_rule_indications(in, d);
}
