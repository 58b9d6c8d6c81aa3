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

/* Signal thresholds (see diagnose.h). */
#define RSSI_WEAK_DBM  (-101) /* below: one bar or less */
#define RSRP_WEAK_DBM  (-115)
#define RSRP_NONE_DBM  (-135)
#define RSRQ_WEAK_DB10 (-150) /* -15 dB */
#define RSCP_WEAK_DBM  (-105)
/* Storage: nearly full from 80 % on memories of at least 5 places. */
#define NEARLY_FULL_PERCENT 80

#define TXT 1024

static const char *fmt(char *buf, size_t size, const char *f, ...)
    __attribute__((format(printf, 3, 4)));
static const char *fmt(char *buf, size_t size, const char *f, ...)
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
	static const struct {
		const char *word;
		enum diag_vendor v;
	} vendors[] = {
	    {"wavecom", DIAG_V_WAVECOM},     {"sierra", DIAG_V_SIERRA},
	    {"cinterion", DIAG_V_CINTERION}, {"siemens", DIAG_V_CINTERION},
	    {"gemalto", DIAG_V_CINTERION},   {"thales", DIAG_V_CINTERION},
	    {"simcom", DIAG_V_SIMCOM},	     {"quectel", DIAG_V_QUECTEL},
	    {"huawei", DIAG_V_HUAWEI},	     {"zte", DIAG_V_ZTE},
	    {"telit", DIAG_V_TELIT},	     {"u-blox", DIAG_V_UBLOX},
	    {"ublox", DIAG_V_UBLOX},
	};
	char low[64];
	size_t n = 0;

	if (!s)
		return DIAG_V_UNKNOWN;
	for (; *s && n + 1 < sizeof(low); s++)
		low[n++] = (char)tolower((unsigned char)*s);
	low[n] = '\0';
	for (size_t i = 0; i < sizeof(vendors) / sizeof(vendors[0]); i++)
		if (strstr(low, vendors[i].word))
			return vendors[i].v;
	return DIAG_V_UNKNOWN;
}

const char *diag_iccid_command(enum diag_vendor v)
{
	switch (v) {
	case DIAG_V_HUAWEI:
		return "AT^ICCID?";
	case DIAG_V_QUECTEL:
		return "AT+QCCID";
	case DIAG_V_CINTERION:
		return "AT^SCID";
	case DIAG_V_SIERRA:
	case DIAG_V_TELIT:
		return "AT+ICCID";
	default:
		return "AT+CCID"; /* SIMCom, Wavecom, u-blox, ZTE and most others */
	}
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
static const char *explain_error(const struct diag_input *in, const struct diag_reply *r, char *buf,
				 size_t size)
{
	buf[0] = '\0';
	if (r->result == SMSCTL_RESULT_CMS_ERROR && r->code >= 512) {
		const char *v = smsctl_cms_error_describe_vendor(r->code, manufacturer(in));
		if (v)
			return fmt(buf, size, _("%s means: %s."), r->final, v);
		return fmt(buf, size,
			   _("%s is a code of the modem's manufacturer, which is not known here."),
			   r->final);
	}
	if (r->result == SMSCTL_RESULT_CMS_ERROR && r->code >= 0)
		return fmt(buf, size, _("%s means: %s."), r->final,
			   smsctl_cms_error_describe(r->code));
	if (r->result == SMSCTL_RESULT_CME_ERROR && r->code >= 0)
		return fmt(buf, size, _("%s means: %s."), r->final,
			   smsctl_cme_error_describe(r->code));
	if (r->result == SMSCTL_RESULT_NOT_SUPPORTED)
		return fmt(buf, size, _("The modem does not support %s."), r->command);
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
		fmt(s, sizeof(s), _("No permission to open %s"), dev);
		if (p->group[0] && p->in_group && !p->group_active) {
			fmt(det, sizeof(det),
			    _("%s belongs to group '%s' (mode %03o). You are a member, but this "
			      "login session started before you were added."),
			    dev, p->group, p->mode);
			fmt(rem, sizeof(rem),
			    _("Log out and log in again (or run 'newgrp %s'), then try again."),
			    p->group);
		} else if (p->group[0]) {
			fmt(det, sizeof(det),
			    _("%s belongs to group '%s' (mode %03o) and this user is not in that "
			      "group."),
			    dev, p->group, p->mode);
			fmt(rem, sizeof(rem),
			    _("Add the user to the group: sudo usermod -aG %s $USER; then log out "
			      "and log in again."),
			    p->group);
		} else {
			fmt(det, sizeof(det), "%s", p->detail);
			fmt(rem, sizeof(rem), "%s",
			    _("Add the user to the group that owns the port (usually dialout): "
			      "sudo "
			      "usermod -aG dialout $USER; then log out and log in again."));
		}
		evidence_open(diag_add(d, "port.permission", SMSCTL_SEVERITY_ERROR, s, det, rem),
			      in);
		return;
	case SMSCTL_ERR_BUSY:
		if (p->holder[0] && p->holder_pid > 0)
			fmt(s, sizeof(s), _("Port %s is in use by %s (PID %d)"), dev, p->holder,
			    (int)p->holder_pid);
		else if (p->holder_pid > 0)
			fmt(s, sizeof(s), _("Port %s is in use by the process with PID %d"), dev,
			    (int)p->holder_pid);
		else
			fmt(s, sizeof(s), _("Port %s is in use by another program"), dev);
		if (is_modem_manager(p->holder)) {
			fmt(det, sizeof(det), "%s",
			    _("ModemManager (the system service that sets up mobile broadband "
			      "connections) has taken the port and talks to the modem itself."));
			if (p->usb_vid[0] && p->usb_pid[0])
				fmt(rem, sizeof(rem),
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
				fmt(rem, sizeof(rem), "%s",
				    _("Tell ModemManager to leave this modem alone: add a udev "
				      "rule "
				      "setting ENV{ID_MM_DEVICE_IGNORE}=\"1\" for the modem's USB "
				      "vendor and product id, then replug it. If nothing on this "
				      "machine needs ModemManager, stop it instead: sudo systemctl "
				      "disable --now ModemManager."));
		} else {
			fmt(det, sizeof(det), "%s",
			    p->detail[0] ? p->detail
					 : _("Another program holds the port's lock; only one "
					     "program at a time can talk to a modem port."));
			if (p->holder_pid > 0)
				fmt(rem, sizeof(rem),
				    _("Stop %s (PID %d) or wait until it is done, then try again. "
				      "Only one program at a time can talk to a modem port."),
				    p->holder[0] ? p->holder : "?", (int)p->holder_pid);
			else
				fmt(rem, sizeof(rem),
				    _("Find the program with 'sudo fuser -v %s' and stop it, then "
				      "try again."),
				    dev);
		}
		evidence_open(diag_add(d, "port.busy", SMSCTL_SEVERITY_ERROR, s, det, rem), in);
		return;
	case SMSCTL_ERR_NOT_TTY:
		fmt(s, sizeof(s), _("%s is not a serial port"), dev);
		break;
	case SMSCTL_ERR_NOT_FOUND:
		fmt(s, sizeof(s), _("Port %s does not exist"), dev);
		break;
	default:
		fmt(s, sizeof(s), _("Port %s cannot be opened"), dev);
		break;
	}
	fmt(det, sizeof(det), "%s", p->detail);
	fmt(rem, sizeof(rem), "%s",
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
	diag_add(d, "port.ok", SMSCTL_SEVERITY_OK, fmt(s, sizeof(s), _("Port %s is open"), dev), "",
		 "");

	count_noise(in, &bad, &total, sample, sizeof(sample));
	if (bad >= 4 && bad * 100 >= total) {
		fmt(s, sizeof(s), _("Garbage on %s: wrong baud rate or not an AT port"), dev);
		if (sample[0])
			fmt(det, sizeof(det), _("%zu of %zu bytes received were not text (%s)."),
			    bad, total, sample);
		else
			fmt(det, sizeof(det), _("%zu of %zu bytes received were not text."), bad,
			    total);
		fmt(rem, sizeof(rem), "%s",
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
			snprintf(shown, sizeof(shown), "(%zu of %zu bytes dropped as line noise)",
				 bad, total);
		diag_evidence(f, "(received)", shown);
	}

	if (!in->answered) {
		unsigned secs = (in->timeout_ms + 999) / 1000;
		fmt(s, sizeof(s), _("The modem does not answer on %s"), dev);
		if (in->port.n_answering > 0) {
			char list[512] = "";
			size_t len = 0;
			for (size_t i = 0; i < in->port.n_answering; i++)
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
							i ? ", " : "", in->port.answering[i]);
			fmt(det, sizeof(det),
			    _("AT got no answer within %u s. Other ports of the same USB device "
			      "that answer AT: %s."),
			    secs, list);
			fmt(rem, sizeof(rem),
			    _("Use the port that answers: smsctl --device %s diagnose. USB modems "
			      "have several ports and only some of them speak AT."),
			    in->port.answering[0]);
		} else {
			if (in->port.n_silent > 0)
				fmt(det, sizeof(det),
				    _("AT got no answer within %u s; the other ports of the same "
				      "USB "
				      "device did not answer either."),
				    secs);
			else
				fmt(det, sizeof(det), _("AT got no answer within %u s."), secs);
			fmt(rem, sizeof(rem), "%s",
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
		fmt(s, sizeof(s), _("The modem answers AT commands (%s)"), maker);
	else
		fmt(s, sizeof(s), "%s", _("The modem answers AT commands"));
	f = diag_add(d, "modem.ok", SMSCTL_SEVERITY_OK, s, "", "");
	diag_evidence_reply(f, &in->q[Q_INIT]);
	diag_evidence_reply(f, &in->q[Q_CGMI]);

	if (in->gone || in->stopped_at[0]) {
		if (in->gone) {
			fmt(s, sizeof(s), "%s",
			    _("The modem went away during the check (unplugged or restarted)"));
			fmt(det, sizeof(det),
			    _("The port closed or failed after %s; the modem was unplugged, lost "
			      "power or restarted."),
			    in->stopped_at[0] ? in->stopped_at : "AT");
			fmt(rem, sizeof(rem), "%s",
			    _("Check the USB cable and the power supply (4G modules need a 2 A "
			      "supply; a weak USB hub makes them restart when they transmit), then "
			      "run the diagnosis again."));
			f = diag_add(d, "modem.gone", SMSCTL_SEVERITY_ERROR, s, det, rem);
			diag_evidence(f, in->stopped_at[0] ? in->stopped_at : "AT",
				      _("(the port closed)"));
		} else {
			fmt(s, sizeof(s), _("The modem stopped answering on %s"), in->device);
			fmt(det, sizeof(det), _("No answer to %s within %u s."), in->stopped_at,
			    (in->timeout_ms + 999) / 1000);
			fmt(rem, sizeof(rem), "%s",
			    _("Power-cycle the modem (unplug it or its power supply for ten "
			      "seconds) and run the diagnosis again; if it keeps hanging, check "
			      "the power supply and update the modem's firmware."));
			f = diag_add(d, "port.no_answer", SMSCTL_SEVERITY_ERROR, s, det, rem);
			diag_evidence(f, in->stopped_at, _("(no answer)"));
		}
	}

	int fun = diag_cfun(in);
	if (fun > 1 || fun == 0) {
		if (fun == 4)
			fmt(s, sizeof(s), "%s", _("The modem is in airplane mode (+CFUN: 4)"));
		else
			fmt(s, sizeof(s), _("The modem's radio is off (+CFUN: %d)"), fun);
		fmt(det, sizeof(det), "%s",
		    _("With the radio off the modem cannot reach the network: nothing can be sent "
		      "or received."));
		fmt(rem, sizeof(rem), "%s",
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

	explain_error(in, r, why, sizeof(why));
	switch (st) {
	case DIAG_SIM_UNKNOWN:
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
			fmt(s, sizeof(s), "%s", _("SIM card ready (the PIN given was accepted)"));
		else
			fmt(s, sizeof(s), "%s", _("SIM card ready"));
		if (iccid[0])
			fmt(det, sizeof(det), _("ICCID %s."), iccid);
		else
			det[0] = '\0';
		struct smsctl_finding *f = diag_add(d, "sim.ok", SMSCTL_SEVERITY_OK, s, det, "");
		diag_evidence_reply(f, r);
		diag_evidence_reply(f, &in->q[Q_ICCID]);
		return st;
	}
	case DIAG_SIM_ABSENT:
		id = "sim.absent";
		fmt(s, sizeof(s), "%s", _("No SIM card detected"));
		fmt(det, sizeof(det), _("The modem answered '%s': it sees no SIM card. %s"), code,
		    why);
		fmt(rem, sizeof(rem), "%s",
		    _("Switch the modem off, insert the SIM card (chip down, cut corner as drawn "
		      "on the slot) until the tray or spring clicks, and switch it on again. If it "
		      "is inserted, clean the chip and try the card in a phone."));
		break;
	case DIAG_SIM_PIN:
		id = "sim.pin_required";
		if (in->pin_reply >= 0) {
			fmt(s, sizeof(s), "%s", _("The SIM card refused the PIN given"));
			fmt(det, sizeof(det),
			    _("The SIM card still asks for its PIN ('%s') after the "
			      "PIN given was entered: it is wrong. Each wrong "
			      "PIN uses up one of three tries."),
			    code);
			fmt(rem, sizeof(rem), "%s",
			    _("Check the PIN (it came with the SIM card) before trying again: "
			      "after "
			      "three wrong PINs the card needs its PUK. Do not run smsctl with a "
			      "wrong PIN in a loop."));
		} else {
			fmt(s, sizeof(s), "%s", _("The SIM card is locked with a PIN"));
			fmt(det, sizeof(det),
			    _("The modem answered '%s': the SIM card needs its PIN before it can "
			      "be "
			      "used. The diagnosis enters no PIN unless one is given."),
			    code);
			fmt(rem, sizeof(rem), "%s",
			    _("Give the PIN to smsctl with --pin-file FILE (or $SMSCTL_PIN), or "
			      "remove the PIN lock once with a phone (Settings > Security > SIM "
			      "lock). Three wrong PINs lock the card."));
		}
		break;
	case DIAG_SIM_PUK:
		id = "sim.puk_required";
		fmt(s, sizeof(s), "%s",
		    _("The SIM card is locked: PUK needed (the PIN was entered wrongly too "
		      "often)"));
		fmt(det, sizeof(det), _("The modem answered '%s'. %s"), code, why);
		fmt(rem, sizeof(rem), "%s",
		    _("Get the PUK from the operator (customer service, the shop, or the card the "
		      "SIM came on) and unlock the card in a phone, setting a new PIN. Do not "
		      "guess: ten wrong PUKs destroy the card."));
		break;
	case DIAG_SIM_BLOCKED:
		id = "sim.blocked";
		fmt(s, sizeof(s), "%s", _("The SIM card is permanently blocked"));
		fmt(det, sizeof(det), _("The modem answered '%s'. %s"), code, why);
		fmt(rem, sizeof(rem), "%s",
		    _("The card cannot be unlocked any more: ask the operator for a replacement "
		      "SIM card with the same number."));
		break;
	case DIAG_SIM_BUSY:
		id = "sim.busy";
		sev = SMSCTL_SEVERITY_WARNING;
		fmt(s, sizeof(s), "%s", _("The SIM card is still starting up"));
		fmt(det, sizeof(det),
		    _("The modem answered '%s': the SIM card is busy (it is read after power-on "
		      "or a restart). The checks that need the SIM were skipped."),
		    code);
		fmt(rem, sizeof(rem), "%s",
		    _("Wait half a minute and run the diagnosis again. If the SIM card stays busy, "
		      "switch the modem off, reseat the card and switch it on again."));
		break;
	case DIAG_SIM_LOCKED_DEVICE:
		id = "sim.pin_required";
		fmt(s, sizeof(s), "%s", _("The modem is locked to another SIM card or operator"));
		fmt(det, sizeof(det),
		    _("The modem answered '%s': it asks for a network or device unlock code, not "
		      "the SIM's PIN. %s"),
		    code, why);
		fmt(rem, sizeof(rem), "%s",
		    _("Use a SIM card of the operator the modem was sold for, or ask the seller "
		      "for the unlock code."));
		break;
	case DIAG_SIM_FAILURE:
		id = "sim.failure";
		fmt(s, sizeof(s), "%s", _("The SIM card is not working (damaged or bad contact)"));
		fmt(det, sizeof(det), _("The modem answered '%s'. %s"), code, why);
		fmt(rem, sizeof(rem), "%s",
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

/* ---- Signal ---- */

struct signal {
	bool known;
	int rssi_dbm; /* PARSE_DBM_UNKNOWN when not known */
	int rssi;     /* 0..31, 99 */
	int bars;
	int rsrp_dbm, rsrq_db10, rscp_dbm;
};

static void read_signal(const struct diag_input *in, struct signal *sg)
{
	struct at_csq csq;
	struct at_cesq ce;
	struct at_signal vs;
	const char *line;

	sg->known = false;
	sg->rssi = 99;
	sg->bars = -1;
	sg->rssi_dbm = sg->rsrp_dbm = sg->rsrq_db10 = sg->rscp_dbm = PARSE_DBM_UNKNOWN;
	line = diag_line(&in->q[Q_CSQ], "+CSQ:");
	if (line && parse_csq(line, &csq) == 0 && csq.rssi >= 0 && csq.rssi <= 31) {
		sg->rssi = csq.rssi;
		sg->rssi_dbm = csq.dbm;
		sg->bars = csq.bars;
		sg->known = true;
	}
	line = diag_line(&in->q[Q_CESQ], "+CESQ:");
	if (line && parse_cesq(line, &ce) == 0) {
		if (ce.rsrp_dbm != PARSE_DBM_UNKNOWN) {
			sg->rsrp_dbm = ce.rsrp_dbm;
			sg->known = true;
		}
		if (ce.rsrq_db10 != PARSE_DBM_UNKNOWN)
			sg->rsrq_db10 = ce.rsrq_db10;
		if (ce.rscp_dbm != PARSE_DBM_UNKNOWN) {
			sg->rscp_dbm = ce.rscp_dbm;
			sg->known = true;
		}
		if (sg->rssi_dbm == PARSE_DBM_UNKNOWN && ce.rxlev_dbm != PARSE_DBM_UNKNOWN) {
			sg->rssi_dbm = ce.rxlev_dbm;
			sg->known = true;
		}
	}
	for (size_t i = 0; i < in->q[Q_VSIG].n_lines; i++)
		if (parse_signal_urc(in->q[Q_VSIG].lines[i], &vs) == 0 &&
		    vs.dbm != PARSE_DBM_UNKNOWN && sg->rssi_dbm == PARSE_DBM_UNKNOWN) {
			sg->rssi_dbm = vs.dbm;
			sg->known = true;
		}
}

/* Registration as read from +CREG/+CGREG/+CEREG; -1 when not known. */
struct reg {
	int cs, gprs, eps;
};

static int reg_stat(const struct diag_input *in, enum diag_q q, const char *prefix)
{
	struct at_reg r;
	const char *line = diag_line(&in->q[q], prefix);

	if (!line || parse_reg(line, true, &r) != 0)
		return -1;
	return r.stat;
}

static void read_reg(const struct diag_input *in, struct reg *rg)
{
	rg->cs = reg_stat(in, Q_CREG, "+CREG:");
	rg->gprs = reg_stat(in, Q_CGREG, "+CGREG:");
	rg->eps = reg_stat(in, Q_CEREG, "+CEREG:");
}

static bool any_registered(const struct reg *rg)
{
	return parse_reg_is_registered(rg->cs) || parse_reg_is_registered(rg->gprs) ||
	       parse_reg_is_registered(rg->eps);
}

static void evidence_signal(struct smsctl_finding *f, const struct diag_input *in)
{
	diag_evidence_reply(f, &in->q[Q_CSQ]);
	if (diag_line(&in->q[Q_CESQ], "+CESQ:"))
		diag_evidence_reply(f, &in->q[Q_CESQ]);
	if (in->q[Q_VSIG].n_lines)
		diag_evidence_reply(f, &in->q[Q_VSIG]);
}

static void describe_signal(const struct signal *sg, char *buf, size_t size)
{
	size_t len = 0;
	/* TRANSLATORS: the separator between values in a list, e.g. "RSSI -73 dBm, RSRP -91 dBm" */
	const char *sep = _(", ");

	buf[0] = '\0';
	if (sg->rssi_dbm != PARSE_DBM_UNKNOWN) {
		if (sg->bars >= 0)
			len +=
			    (size_t)snprintf(buf + len, size - len, _("RSSI %d dBm (%d of 5 bars)"),
					     sg->rssi_dbm, sg->bars);
		else
			len +=
			    (size_t)snprintf(buf + len, size - len, _("RSSI %d dBm"), sg->rssi_dbm);
	}
	if (sg->rsrp_dbm != PARSE_DBM_UNKNOWN && len < size)
		len += (size_t)snprintf(buf + len, size - len, _("%sRSRP %d dBm"), len ? sep : "",
					sg->rsrp_dbm);
	if (sg->rsrq_db10 != PARSE_DBM_UNKNOWN && len < size)
		len += (size_t)snprintf(buf + len, size - len, _("%sRSRQ %.1f dB"), len ? sep : "",
					sg->rsrq_db10 / 10.0);
	if (sg->rscp_dbm != PARSE_DBM_UNKNOWN && len < size)
		snprintf(buf + len, size - len, _("%sRSCP %d dBm"), len ? sep : "", sg->rscp_dbm);
}

/* @return false when there is no signal (registration checks depend on it). */
static bool rule_signal(const struct diag_input *in, struct smsctl_diagnosis *d, bool sim_ready)
{
	struct signal sg;
	struct reg rg;
	char s[TXT], det[TXT], rem[TXT], levels[256];
	struct smsctl_finding *f;

	if (!in->q[Q_CSQ].asked)
		return true;
	read_signal(in, &sg);
	read_reg(in, &rg);
	bool registered = any_registered(&rg);
	describe_signal(&sg, levels, sizeof(levels));

	bool none = false, weak = false;
	if (sg.rsrp_dbm != PARSE_DBM_UNKNOWN) {
		/* LTE values decide when the modem gives them. */
		none = sg.rsrp_dbm < RSRP_NONE_DBM && !registered;
		weak = sg.rsrp_dbm < RSRP_WEAK_DBM ||
		       (sg.rsrq_db10 != PARSE_DBM_UNKNOWN && sg.rsrq_db10 < RSRQ_WEAK_DB10);
	} else if (sg.rscp_dbm != PARSE_DBM_UNKNOWN) {
		weak = sg.rscp_dbm < RSCP_WEAK_DBM;
	} else if (sg.rssi_dbm != PARSE_DBM_UNKNOWN) {
		none = sg.rssi == 0 && !registered;
		weak = sg.rssi_dbm < RSSI_WEAK_DBM;
	} else {
		/* Nothing measured: 99 is "not known". Without registration and with a ready
		 * SIM that means the modem finds no network to measure. */
		none = !registered && sim_ready && rg.cs != 3 && rg.cs != -1 && rg.gprs != 3 &&
		       rg.eps != 3;
	}

	if (none) {
		fmt(s, sizeof(s), "%s", _("No signal"));
		if (levels[0])
			fmt(det, sizeof(det), _("Signal: %s, and the modem is not registered."),
			    levels);
		else
			fmt(det, sizeof(det), "%s",
			    _("The modem reports no signal level (+CSQ 99: not known) and is not "
			      "registered to any network."));
		fmt(rem, sizeof(rem), "%s",
		    _("Check that the antenna is connected (screw it on firmly; a modem without "
		      "antenna hears almost nothing), move the modem or its antenna to a window or "
		      "higher up, away from metal cabinets, and check that the operator covers "
		      "this place with the network types the modem supports (many 2G and 3G "
		      "networks have been switched off)."));
		f = diag_add(d, "signal.none", SMSCTL_SEVERITY_ERROR, s, det, rem);
		evidence_signal(f, in);
		if (!registered)
			diag_evidence_reply(f, &in->q[Q_CREG]);
		return false;
	}
	if (weak) {
		fmt(s, sizeof(s), _("Weak signal: %s"), levels);
		fmt(det, sizeof(det), "%s",
		    _("With a weak signal messages are sent slowly, fail now and then, or arrive "
		      "late."));
		fmt(rem, sizeof(rem), "%s",
		    _("Connect the antenna firmly, move the modem or its antenna to a window or "
		      "higher up, away from metal cabinets and other electronics; in a basement "
		      "use an external antenna on a cable."));
		f = diag_add(d, "signal.weak", SMSCTL_SEVERITY_WARNING, s, det, rem);
		evidence_signal(f, in);
		return true;
	}
	if (levels[0])
		fmt(s, sizeof(s), _("Signal: %s"), levels);
	else
		fmt(s, sizeof(s), "%s", _("Signal level not reported by the modem"));
	f = diag_add(d, "signal.ok", SMSCTL_SEVERITY_OK, s, "", "");
	evidence_signal(f, in);
	return true;
}

/* ---- Registration ---- */

static const char *operator_name(const struct diag_input *in, char *buf, size_t size)
{
	struct at_cops c;
	const char *line = diag_line(&in->q[Q_COPS], "+COPS:");

	buf[0] = '\0';
	if (line && parse_cops_query(line, &c) == 0 && c.oper[0])
		snprintf(buf, size, "%s", c.oper);
	return buf;
}

static void evidence_reg(struct smsctl_finding *f, const struct diag_input *in)
{
	diag_evidence_reply(f, &in->q[Q_CREG]);
	if (diag_line(&in->q[Q_CGREG], "+CGREG:"))
		diag_evidence_reply(f, &in->q[Q_CGREG]);
	if (diag_line(&in->q[Q_CEREG], "+CEREG:"))
		diag_evidence_reply(f, &in->q[Q_CEREG]);
}

static bool stat_is(const struct reg *rg, int stat)
{
	return rg->cs == stat || rg->gprs == stat || rg->eps == stat;
}

static void rule_net(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	struct reg rg;
	char s[TXT], det[TXT], rem[TXT], op[128];
	struct smsctl_finding *f;

	read_reg(in, &rg);
	if (rg.cs < 0 && rg.gprs < 0 && rg.eps < 0)
		return;
	operator_name(in, op, sizeof(op));
	bool cs = parse_reg_is_registered(rg.cs);
	bool ps = parse_reg_is_registered(rg.gprs) || parse_reg_is_registered(rg.eps);
	bool roaming =
	    parse_reg_is_roaming(cs ? rg.cs : (parse_reg_is_registered(rg.eps) ? rg.eps : rg.gprs));

	if (cs) {
		if (op[0])
			fmt(s, sizeof(s), _("Registered on the network (%s)"), op);
		else
			fmt(s, sizeof(s), "%s", _("Registered on the network"));
		f = diag_add(d, "net.ok", SMSCTL_SEVERITY_OK, s, "", "");
		evidence_reg(f, in);
		diag_evidence_reply(f, &in->q[Q_COPS]);
	} else if (ps) {
		fmt(s, sizeof(s), "%s",
		    _("Registered for data only (LTE/packet), not for calls and SMS: SMS may "
		      "fail"));
		fmt(det, sizeof(det), "%s",
		    _("+CREG shows no registration while +CGREG/+CEREG does. SMS then only works "
		      "if "
		      "the network carries it over LTE (SMS over SGs or IMS). Data-only SIM cards "
		      "(IoT cards) often cannot send SMS to phones at all."));
		fmt(rem, sizeof(rem), "%s",
		    _("Check with the operator that the SIM card's plan includes SMS. Let the "
		      "modem use 2G/3G as well as 4G (automatic network mode), or enable SMS over "
		      "IMS in the modem's settings if the operator supports it."));
		f = diag_add(d, "net.ps_only", SMSCTL_SEVERITY_WARNING, s, det, rem);
		evidence_reg(f, in);
	} else if (stat_is(&rg, PARSE_REG_DENIED)) {
		fmt(s, sizeof(s), "%s",
		    _("The network refused the SIM card (registration denied)"));
		fmt(det, sizeof(det), "%s",
		    _("The network rejects this SIM card. The usual reasons: the line is "
		      "suspended for an unpaid bill or no credit, the SIM was never activated or "
		      "its real-name registration is missing, the number was cancelled, or the "
		      "operator blocked it (e.g. for sending too many messages)."));
		fmt(rem, sizeof(rem), "%s",
		    _("Call the operator or check the account: pay the bill or top up, activate "
		      "the SIM and complete its registration; then restart the modem. Trying the "
		      "card in a phone shows the same."));
		f = diag_add(d, "net.denied", SMSCTL_SEVERITY_ERROR, s, det, rem);
		evidence_reg(f, in);
		return;
	} else if (stat_is(&rg, PARSE_REG_SEARCHING)) {
		fmt(s, sizeof(s), "%s", _("Searching for a network, not registered"));
		fmt(det, sizeof(det), "%s",
		    _("The modem is looking for a network it may use but has not found one. Right "
		      "after power-on this takes up to a minute."));
		fmt(rem, sizeof(rem), "%s",
		    _("Wait a minute and run the diagnosis again. If it keeps searching: check the "
		      "antenna, move the modem to a better place, and check that the SIM card's "
		      "operator covers this place with the network types the modem supports."));
		f = diag_add(d, "net.searching", SMSCTL_SEVERITY_ERROR, s, det, rem);
		evidence_reg(f, in);
		return;
	} else {
		struct at_cops c;
		const char *line = diag_line(&in->q[Q_COPS], "+COPS:");
		bool manual_off = line && parse_cops_query(line, &c) == 0 && c.mode == 2;
		fmt(s, sizeof(s), "%s", _("Not registered to a network"));
		if (manual_off)
			fmt(det, sizeof(det), "%s",
			    _("The modem was told not to register (+COPS: 2, deregistered)."));
		else if (stat_is(&rg, PARSE_REG_EMERGENCY_ONLY))
			fmt(det, sizeof(det), "%s",
			    _("The modem may only make emergency calls on this network."));
		else
			fmt(det, sizeof(det), "%s",
			    _("The modem is not registered and not trying to register."));
		fmt(rem, sizeof(rem), "%s",
		    _("Turn automatic network selection on by sending AT+COPS=0 to the modem and "
		      "wait a minute; check that the SIM card is activated (try it in a phone). "
		      "Restart the modem if nothing changes."));
		f = diag_add(d, "net.not_registered", SMSCTL_SEVERITY_ERROR, s, det, rem);
		evidence_reg(f, in);
		diag_evidence_reply(f, &in->q[Q_COPS]);
		return;
	}
	if (roaming) {
		if (op[0])
			fmt(s, sizeof(s), _("Roaming on %s"), op);
		else
			fmt(s, sizeof(s), "%s", _("Roaming on a foreign network"));
		fmt(det, sizeof(det), "%s",
		    _("The SIM card is registered on a network other than its own. SMS may cost "
		      "more, and some plans do not allow SMS while roaming."));
		f = diag_add(d, "net.roaming", SMSCTL_SEVERITY_INFO, s, det,
			     _("Nothing to do if roaming is intended; otherwise use a local SIM "
			       "card."));
		evidence_reg(f, in);
		diag_evidence_reply(f, &in->q[Q_COPS]);
	}
}

/* ---- SMS service and centre ---- */

static void rule_sms_service(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	const struct diag_reply *r = &in->q[Q_CSMS];
	struct at_csms cs;
	char s[TXT], det[TXT], rem[TXT];
	const char *line = diag_line(r, "+CSMS:");
	struct smsctl_finding *f;

	if (!line || parse_csms(line, &cs) != 0)
		return;
	if (cs.mo == 0 || cs.mt == 0) {
		if (cs.mo == 0 && cs.mt == 0)
			fmt(s, sizeof(s), "%s", _("The modem offers no SMS service"));
		else if (cs.mo == 0)
			fmt(s, sizeof(s), "%s",
			    _("The modem cannot send SMS (+CSMS: no MO service)"));
		else
			fmt(s, sizeof(s), "%s",
			    _("The modem cannot receive SMS (+CSMS: no MT service)"));
		fmt(det, sizeof(det), _("+CSMS reports: sending %s, receiving %s."),
		    cs.mo ? _("supported") : _("not supported"),
		    cs.mt ? _("supported") : _("not supported"));
		fmt(rem, sizeof(rem), "%s",
		    _("Some modems only offer SMS once the SIM card is ready and registered: "
		      "restart the modem and run the diagnosis again. Data-only modules and "
		      "firmware (some LTE Cat-M/NB-IoT builds) have no SMS at all: check the "
		      "module's model and firmware with its seller."));
		f = diag_add(d, "sms.service_unavailable", SMSCTL_SEVERITY_ERROR, s, det, rem);
	} else {
		f = diag_add(d, "sms.service_ok", SMSCTL_SEVERITY_OK,
			     _("The modem offers SMS sending and receiving"), "", "");
	}
	diag_evidence_reply(f, r);
}

static void rule_smsc(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	const struct diag_reply *r = &in->q[Q_CSCA];
	struct at_csca c;
	char s[TXT], det[TXT], rem[TXT], why[TXT];
	struct smsctl_finding *f;
	const char *set_rem =
	    _("Set the SMS centre number of the SIM card's operator once by sending "
	      "AT+CSCA=\"+NUMBER\",145 to the modem (the number is on the operator's website, "
	      "or in a phone with this SIM: Messages > Settings > SMS centre), or give it with "
	      "each message: smsctl send --smsc +NUMBER.");

	if (!r->asked)
		return;
	const char *line = diag_line(r, "+CSCA:");
	if (r->result != SMSCTL_RESULT_OK || !line) {
		explain_error(in, r, why, sizeof(why));
		if (r->result == SMSCTL_RESULT_CMS_ERROR && r->code == 330) {
			fmt(s, sizeof(s), "%s", _("No SMS centre number is set"));
			fmt(det, sizeof(det), "%s", why);
			f = diag_add(d, "sms.smsc_missing", SMSCTL_SEVERITY_ERROR, s, det, set_rem);
		} else {
			fmt(s, sizeof(s), "%s", _("The SMS centre number could not be read"));
			fmt(det, sizeof(det), "%s", why);
			f = diag_add(d, "sms.smsc_unknown", SMSCTL_SEVERITY_INFO, s, det, "");
		}
		diag_evidence_reply(f, r);
		return;
	}
	if (parse_csca(line, &c) != 0 || c.number[0] == '\0') {
		fmt(s, sizeof(s), "%s", _("No SMS centre number is set"));
		fmt(det, sizeof(det), "%s",
		    _("Without an SMS centre (SMSC) number the modem does not know where to hand "
		      "messages over: every send fails (often with +CMS ERROR: 330 or 500)."));
		f = diag_add(d, "sms.smsc_missing", SMSCTL_SEVERITY_ERROR, s, det, set_rem);
	} else if (!parse_csca_is_valid(&c) || strspn(c.number, "+0") == strlen(c.number)) {
		fmt(s, sizeof(s), _("The SMS centre number '%s' is not valid"), c.number);
		fmt(det, sizeof(det), "%s",
		    _("The stored SMS centre number is not a phone number; messages cannot be "
		      "handed over."));
		fmt(rem, sizeof(rem), "%s", set_rem);
		f = diag_add(d, "sms.smsc_invalid", SMSCTL_SEVERITY_ERROR, s, det, rem);
	} else {
		fmt(s, sizeof(s), _("SMS centre number %s"), c.number);
		f = diag_add(d, "sms.smsc_ok", SMSCTL_SEVERITY_OK, s, "", "");
	}
	diag_evidence_reply(f, r);
}

/* ---- Storage ---- */

/* Does memory a (read by programs) show messages stored in b? MT is SM and ME together. */
static bool mem_covers(const char *a, const char *b)
{
	if (strcmp(a, b) == 0)
		return true;
	return strcmp(a, "MT") == 0 && (strcmp(b, "SM") == 0 || strcmp(b, "ME") == 0);
}

static const char *mem_label(const char *name)
{
	if (strcmp(name, "SM") == 0)
		return _("SIM card storage (SM)");
	if (strcmp(name, "ME") == 0)
		return _("modem storage (ME)");
	if (strcmp(name, "MT") == 0)
		return _("SIM and modem storage (MT)");
	if (strcmp(name, "SR") == 0)
		return _("status report storage (SR)");
	return name;
}

static void evidence_mem(struct smsctl_finding *f, const struct diag_input *in,
			 const struct diag_mem *m)
{
	if (m->reply >= 0 && (size_t)m->reply < in->n_extra)
		diag_evidence_reply(f, &in->extra[m->reply]);
	else
		diag_evidence_reply(f, &in->q[Q_CPMS]);
}

static void rule_storage(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	struct at_cpms cp;
	char s[TXT], det[TXT], rem[TXT];
	struct smsctl_finding *f;
	bool problem = false;
	const char *line = diag_line(&in->q[Q_CPMS], "+CPMS:");

	if (!line || parse_cpms(line, &cp) != 0 || cp.count < 1)
		return;
	const char *recv = cp.count >= 3 ? cp.mem[2].name : cp.mem[0].name;
	const char *read = cp.mem[0].name;
	/* The memories the walk read; without them (rules fed by hand), those of +CPMS?. */
	struct diag_mem own[3];
	const struct diag_mem *mems = in->mem;
	size_t n_mems = in->n_mem;
	if (n_mems == 0) {
		for (int i = 0; i < cp.count && i < 3; i++) {
			bool seen = false;
			for (size_t k = 0; k < n_mems; k++)
				seen |= strcmp(own[k].name, cp.mem[i].name) == 0;
			if (seen)
				continue;
			snprintf(own[n_mems].name, sizeof(own[n_mems].name), "%s", cp.mem[i].name);
			own[n_mems].used = cp.mem[i].used;
			own[n_mems].total = cp.mem[i].total;
			own[n_mems].reply = -1;
			n_mems++;
		}
		mems = own;
	}

	for (size_t i = 0; i < n_mems; i++) {
		const struct diag_mem *m = &mems[i];
		/* A memory of size 0 is one the modem does not really have (Huawei ME). */
		if (m->total <= 0 || m->used < 0)
			continue;
		/* Messages are lost when the memory they are stored in is full: the receive
		 * memory itself (MT: SIM and modem together), or this one when it is that. */
		bool recv_full = strcmp(m->name, recv) == 0;
		for (size_t k = 0; k < n_mems; k++)
			if (strcmp(mems[k].name, recv) == 0 && mems[k].total > 0 &&
			    mems[k].used >= mems[k].total)
				recv_full = true;
		bool receives =
		    recv_full && (mem_covers(m->name, recv) || mem_covers(recv, m->name));
		if (m->used >= m->total) {
			fmt(s, sizeof(s), _("Message storage full: %s, %d of %d"),
			    mem_label(m->name), m->used, m->total);
			if (receives || strcmp(m->name, "SR") == 0)
				fmt(det, sizeof(det), "%s",
				    _("New messages are stored here: while it is full, incoming "
				      "SMS "
				      "are refused and lost (the network gives up after a "
				      "while)."));
			else
				fmt(det, sizeof(det), "%s",
				    _("This memory is full; new messages go elsewhere for now, but "
				      "a change of the storage setting would lose them."));
			fmt(rem, sizeof(rem), "%s",
			    _("Fetch and delete the stored messages (smsctl recv reads them, "
			      "smsctl delete removes them), and let the program that receives SMS "
			      "delete each message after reading it."));
			f = diag_add(d, "sms.storage_full", SMSCTL_SEVERITY_ERROR, s, det, rem);
			evidence_mem(f, in, m);
			problem = true;
		} else if (m->total >= 5 && m->used * 100 >= m->total * NEARLY_FULL_PERCENT) {
			fmt(s, sizeof(s), _("Message storage nearly full: %s, %d of %d"),
			    mem_label(m->name), m->used, m->total);
			fmt(det, sizeof(det), "%s",
			    _("When it is full, incoming SMS are refused and lost."));
			fmt(rem, sizeof(rem), "%s",
			    _("Fetch and delete messages that are no longer needed (smsctl recv, "
			      "smsctl delete)."));
			f = diag_add(d, "sms.storage_nearly_full", SMSCTL_SEVERITY_WARNING, s, det,
				     rem);
			evidence_mem(f, in, m);
			problem = true;
		}
	}
	if (cp.count >= 3 && recv[0] && read[0] && !mem_covers(read, recv)) {
		fmt(s, sizeof(s), _("New messages go to %s, but programs read %s"), mem_label(recv),
		    mem_label(read));
		fmt(det, sizeof(det), "%s",
		    _("+CPMS: the third memory (where new messages are stored) differs from the "
		      "first (the one listed and read): a program that lists messages does not "
		      "see the new ones, and they pile up until the memory is full."));
		fmt(rem, sizeof(rem),
		    _("Make the memories the same by sending "
		      "AT+CPMS=\"%s\",\"%s\",\"%s\" to the modem."),
		    recv, recv, recv);
		f = diag_add(d, "sms.storage_mismatch", SMSCTL_SEVERITY_WARNING, s, det, rem);
		diag_evidence_reply(f, &in->q[Q_CPMS]);
		problem = true;
	}
	if (!problem) {
		char list[256] = "";
		size_t len = 0;
		for (size_t i = 0; i < n_mems && len < sizeof(list); i++)
			if (mems[i].total > 0)
				len += (size_t)snprintf(list + len, sizeof(list) - len,
							"%s%s %d/%d", len ? _(", ") : "",
							mems[i].name, mems[i].used, mems[i].total);
		fmt(s, sizeof(s), _("Message storage has room (%s)"), list);
		f = diag_add(d, "sms.storage_ok", SMSCTL_SEVERITY_OK, s, "", "");
		diag_evidence_reply(f, &in->q[Q_CPMS]);
		for (size_t i = 0; i < in->n_extra; i++)
			if (parse_has_prefix(in->extra[i].command, "AT+CPMS="))
				diag_evidence_reply(f, &in->extra[i]);
	}
}

/* ---- Receive configuration ---- */

static void rule_indications(const struct diag_input *in, struct smsctl_diagnosis *d)
{
	const struct diag_reply *r = &in->q[Q_CNMI];
	struct at_cnmi cn;
	char s[TXT], det[TXT];
	struct smsctl_finding *f;
	const char *line = diag_line(r, "+CNMI:");

	if (!line || parse_cnmi(line, &cn) != 0)
		return;
	if (cn.mt == 0 || cn.mode == 0) {
		if (cn.mt == 0)
			fmt(s, sizeof(s), "%s", _("New messages are not announced (+CNMI mt=0)"));
		else
			fmt(s, sizeof(s), "%s",
			    _("New-message announcements are held back in the modem (+CNMI "
			      "mode=0)"));
		fmt(det, sizeof(det), "%s",
		    _("Messages are stored without telling the computer: a program waiting for "
		      "+CMTI or +CMT sees nothing and has to look for new messages itself."));
		f = diag_add(d, "sms.indications_off", SMSCTL_SEVERITY_INFO, s, det,
			     _("Nothing to do when messages are fetched regularly (smsctl recv "
			       "switches announcements on while it runs). To have them announced, "
			       "send AT+CNMI=2,1,0,0,0 to the modem."));
	} else {
		f = diag_add(d, "sms.indications_ok", SMSCTL_SEVERITY_OK,
			     _("New messages are announced to the computer"), "", "");
	}
	diag_evidence_reply(f, r);
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
	bool signal = true;
	if (radio)
		signal = rule_signal(in, d, sim_ready);
	if (radio && signal && sim_ready)
		rule_net(in, d);
	if (!sim_ready || !alive)
		return;
	rule_sms_service(in, d);
	rule_smsc(in, d);
	rule_storage(in, d);
	rule_indications(in, d);
}
