/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Faults: the names and arguments of the device string's fault= list (the contract's list
 * and a few more), and what switching one on or off at run time changes. */
#include <stdio.h>
#include <string.h>

#include <smsctl/error.h>

#include "sim/core-internal.h"

enum arg_kind { ARG_NONE, ARG_OPTIONAL, ARG_REQUIRED };

static const struct fault_def {
	const char *name;
	enum arg_kind arg;
	unsigned long def, min, max;
} fault_defs[F_COUNT] = {
    [F_SIM_ABSENT] = {"sim_absent", ARG_NONE, 0, 0, 0},
    [F_SIM_PIN] = {"sim_pin", ARG_NONE, 0, 0, 0},
    [F_SIM_PUK] = {"sim_puk", ARG_NONE, 0, 0, 0},
    [F_SIM_FAILURE] = {"sim_failure", ARG_NONE, 0, 0, 0},
    [F_SIM_BUSY] = {"sim_busy", ARG_OPTIONAL, 3, 1, 1000000},
    [F_NO_SIGNAL] = {"no_signal", ARG_NONE, 0, 0, 0},
    [F_WEAK_SIGNAL] = {"weak_signal", ARG_NONE, 0, 0, 0},
    [F_NOT_REGISTERED] = {"not_registered", ARG_NONE, 0, 0, 0},
    [F_SEARCHING] = {"searching", ARG_NONE, 0, 0, 0},
    [F_DENIED] = {"denied", ARG_NONE, 0, 0, 0},
    [F_ROAMING] = {"roaming", ARG_NONE, 0, 0, 0},
    [F_SMSC_MISSING] = {"smsc_missing", ARG_NONE, 0, 0, 0},
    [F_STORAGE_FULL] = {"storage_full", ARG_NONE, 0, 0, 0},
    [F_SEND_FAIL] = {"send_fail", ARG_REQUIRED, 0, 0, 9999},
    [F_SEND_FAIL_ONCE] = {"send_fail_once", ARG_REQUIRED, 0, 0, 9999},
    [F_SEND_TIMEOUT] = {"send_timeout", ARG_NONE, 0, 0, 0},
    [F_SLOW] = {"slow", ARG_OPTIONAL, 2000, 0, 600000},
    [F_HANG] = {"hang", ARG_NONE, 0, 0, 0},
    [F_GARBAGE] = {"garbage", ARG_OPTIONAL, 20, 0, 100},
    [F_URC_STORM] = {"urc_storm", ARG_NONE, 0, 0, 0},
    [F_BARE_PROMPT] = {"bare_prompt", ARG_NONE, 0, 0, 0},
    [F_REBOOT] = {"reboot", ARG_NONE, 0, 0, 0},
    [F_UNPLUG] = {"unplug", ARG_OPTIONAL, 0, 0, 86400},
    [F_RADIO_OFF] = {"radio_off", ARG_NONE, 0, 0, 0},
    [F_PS_ONLY] = {"ps_only", ARG_NONE, 0, 0, 0},
    [F_STORAGE_NEARLY_FULL] = {"storage_nearly_full", ARG_NONE, 0, 0, 0},
    [F_INDICATIONS_OFF] = {"indications_off", ARG_NONE, 0, 0, 0},
    [F_SIM_BLOCKED] = {"sim_blocked", ARG_NONE, 0, 0, 0},
    [F_STORAGE_MISMATCH] = {"storage_mismatch", ARG_NONE, 0, 0, 0},
    [F_SMS_UNAVAILABLE] = {"sms_unavailable", ARG_NONE, 0, 0, 0},
    [F_BARE_OK] = {"bare_ok", ARG_NONE, 0, 0, 0},
    [F_CMSS_STAT_STUCK] = {"cmss_stat_stuck", ARG_NONE, 0, 0, 0},
    [F_USSD_END] = {"ussd_end", ARG_NONE, 0, 0, 0},
    [F_USSD_UNSUPPORTED] = {"ussd_unsupported", ARG_NONE, 0, 0, 0},
    [F_USSD_SILENT] = {"ussd_silent", ARG_NONE, 0, 0, 0},
    [F_USSD_EARLY] = {"ussd_early", ARG_NONE, 0, 0, 0},
    [F_USSD_MENU] = {"ussd_menu", ARG_NONE, 0, 0, 0},
};

void sim_fault_names(char *buf, size_t size)
{
	size_t n = 0;

	if (!size)
		return;
	buf[0] = '\0';
	for (int i = 0; i < F_COUNT && n < size; i++) {
		const struct fault_def *d = &fault_defs[i];
		int w = snprintf(buf + n, size - n, "%s%s%s", i ? ", " : "", d->name,
				 d->arg == ARG_OPTIONAL	  ? "[:N]"
				 : d->arg == ARG_REQUIRED ? ":N"
							  : "");
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

void sim_fault_usage(int id, char *buf, size_t size)
{
	const struct fault_def *d = &fault_defs[id];

	if (d->arg == ARG_NONE)
		snprintf(buf, size, "%s takes no argument", d->name);
	else
		snprintf(buf, size, "%s%s, N from %lu to %lu", d->name,
			 d->arg == ARG_OPTIONAL ? "[:N]" : ":N", d->min, d->max);
}

static int fault_lookup(const char *name, size_t len)
{
	for (int i = 0; i < F_COUNT; i++)
		if (strlen(fault_defs[i].name) == len && !strncmp(fault_defs[i].name, name, len))
			return i;
	return -1;
}

/* Emit +CREG/+CGREG/+CEREG URCs where the registration changed and the host asked. */
static void registration_urcs(struct sim_core *c, const int before[3], uint64_t now)
{
	static const char *const names[] = {"+CREG", "+CGREG", "+CEREG"};
	char tmp[96];
	for (int w = 0; w < 3; w++) {
		if (w == 2 && !(c->p->flags & SIM_P_LTE))
			continue;
		int s = sim_reg_stat(c, w);
		if (s == before[w] || c->creg_n[w] == 0)
			continue;
		if (c->creg_n[w] == 2 && (s == 1 || s == 5))
			snprintf(tmp, sizeof(tmp), "%s: %d,\"%s\",\"%s\",%d", names[w], s,
				 c->p->lac, c->p->ci, c->p->act);
		else
			snprintf(tmp, sizeof(tmp), "%s: %d", names[w], s);
		sim_queue_urc(c, now, tmp);
	}
}

static int apply_fault(struct sim_core *c, int id, bool on, unsigned long arg, bool has_arg,
		       uint64_t now)
{
	const struct fault_def *d = &fault_defs[id];
	int before[3] = {sim_reg_stat(c, 0), sim_reg_stat(c, 1), sim_reg_stat(c, 2)};
	unsigned long v = has_arg ? arg : d->def;

	c->fault[id] = on;
	switch (id) {
	case F_SIM_ABSENT:
	case F_SIM_FAILURE:
	case F_SIM_PUK:
		sim_power_up(c);
		break;
	case F_SIM_PIN:
		c->pin_enabled = on;
		c->pin_left = 3;
		sim_power_up(c);
		break;
	case F_SIM_BUSY:
		c->busy_left = on ? v : 0;
		break;
	case F_SMSC_MISSING:
		snprintf(c->smsc, sizeof(c->smsc), "%s", on ? "" : c->p->smsc);
		break;
	case F_STORAGE_FULL:
		if (on)
			sim_fill_sm(c, 0);
		else
			sim_unfill_sm(c);
		break;
	case F_STORAGE_NEARLY_FULL:
		if (on)
			sim_fill_sm(c, 1);
		else
			sim_unfill_sm(c);
		break;
	case F_SEND_FAIL:
		c->fail_code = v;
		break;
	case F_SEND_FAIL_ONCE:
		c->fail_once_code = v;
		break;
	case F_SLOW:
		c->slow_ms = v;
		break;
	case F_GARBAGE:
		c->garbage_pct = v;
		break;
	case F_UNPLUG:
		c->unplug_s = v;
		c->unplug_at = has_arg ? now + v * 1000000ull : UINT64_MAX;
		break;
	case F_RADIO_OFF:
		c->fun = on ? 0 : 1;
		break;
	case F_SIM_BLOCKED:
		sim_power_up(c);
		break;
	case F_STORAGE_MISMATCH:
		if (on) {
			sim_storage_mismatch(c);
		} else {
			for (int i = 0; i < 3; i++)
				c->mem[i] = c->p->mem_default[i];
		}
		break;
	case F_INDICATIONS_OFF:
		if (on)
			c->cnmi[0] = c->cnmi[1] = c->cnmi[3] = 0;
		else
			memcpy(c->cnmi, c->p->cnmi, sizeof(c->cnmi));
		break;
	default:
		break;
	}
	registration_urcs(c, before, now);
	return 0;
}

/* "name" or "name:arg". */
int sim_parse_fault(const char *s, size_t len, int *id, unsigned long *arg, bool *has_arg)
{
	const char *colon = memchr(s, ':', len);
	size_t nlen = colon ? (size_t)(colon - s) : len;
	*id = fault_lookup(s, nlen);
	if (*id < 0)
		return SMSCTL_ERR_INVALID;
	const struct fault_def *d = &fault_defs[*id];
	*has_arg = colon != NULL;
	if (!colon)
		return d->arg == ARG_REQUIRED ? SMSCTL_ERR_INVALID : 0;
	if (d->arg == ARG_NONE)
		return SMSCTL_ERR_INVALID;
	if (!sim_parse_ulong(colon + 1, len - nlen - 1, d->min, d->max, arg))
		return SMSCTL_ERR_INVALID;
	return 0;
}

int sim_core_set_fault(struct sim_core *c, const char *fault, bool on, uint64_t now)
{
	int id;
	unsigned long arg = 0;
	bool has_arg;
	if (!fault)
		return SMSCTL_ERR_INVALID;
	int err = sim_parse_fault(fault, strlen(fault), &id, &arg, &has_arg);
	if (err && !(err == SMSCTL_ERR_INVALID && !on && id >= 0 && !strchr(fault, ':')))
		return err;
	return apply_fault(c, id, on, arg, has_arg, now);
}

bool sim_core_has_fault(const struct sim_core *c, const char *fault)
{
	if (!fault)
		return false;
	const char *colon = strchr(fault, ':');
	int id = fault_lookup(fault, colon ? (size_t)(colon - fault) : strlen(fault));
	if (id < 0)
		return false;
	if (id == F_SIM_BUSY)
		return c->fault[id] && c->busy_left > 0;
	return c->fault[id];
}

unsigned long sim_fault_default(int id)
{
	return fault_defs[id].def;
}
