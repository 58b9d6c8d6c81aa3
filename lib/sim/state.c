/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The simulated modem's SIM, network and storage state: what the SIM and the network answer
 * given the faults, the message memories (SM, ME, SR and MT), the session reset, power-up and
 * reboot, and the core API's read-only accessors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smsctl/error.h>

#include "sim/core-internal.h"

static bool sim_busy(const struct sim_core *c)
{
	return c->fault[F_SIM_BUSY] && c->busy_left > 0;
}

/* 0 when the SIM is usable, else the CME code that says why. */
int sim_cme(const struct sim_core *c)
{
	switch (c->sim) {
	case SIM_ABSENT:
		return 10;
	case SIM_FAILURE:
		return 13;
	default:
		break;
	}
	if (sim_busy(c))
		return 14;
	switch (c->sim) {
	case SIM_PIN:
		return 11;
	case SIM_PUK:
		return 12;
	case SIM_BLOCKED:
		return 262;
	default:
		return 0;
	}
}

/* The same as a +CMS ERROR (TS 27.005 3.2.5). */
int sim_cms(const struct sim_core *c)
{
	switch (sim_cme(c)) {
	case 0:
		return 0;
	case 10:
		return 310;
	case 11:
		return 311;
	case 12:
		return 316;
	case 14:
		return 314;
	default:
		return 313;
	}
}

/* Present on the card and answering (ICCID readable even behind a PIN). */
int sim_present_cme(const struct sim_core *c)
{
	if (c->sim == SIM_ABSENT)
		return 10;
	if (c->sim == SIM_FAILURE)
		return 13;
	if (sim_busy(c))
		return 14;
	return 0;
}

/* Registration <stat> (TS 27.007 7.2) for CS (which 0), PS (1) and EPS (2). */
int sim_reg_stat(const struct sim_core *c, int which)
{
	if (c->fun != 1 || sim_cme(c) != 0)
		return 0;
	if (c->fault[F_DENIED])
		return 3;
	if (c->fault[F_NOT_REGISTERED])
		return 0;
	if (c->fault[F_SEARCHING] || c->fault[F_NO_SIGNAL])
		return 2;
	if (c->fault[F_PS_ONLY] && which == 0)
		return 0;
	return c->fault[F_ROAMING] ? 5 : 1;
}

bool sim_registered(const struct sim_core *c)
{
	int s = sim_reg_stat(c, 0);
	return s == 1 || s == 5;
}

bool sim_radio_hears(const struct sim_core *c)
{
	return c->fun == 1 && !c->fault[F_NO_SIGNAL];
}

const char *const sim_mem_names[SIM_MEM_COUNT] = {"SM", "ME", "SR", "MT"};

int sim_mem_from_name(const char *s)
{
	for (int i = 0; i < SIM_MEM_COUNT; i++)
		if (sim_streq_ci(s, sim_mem_names[i]))
			return i;
	return -1;
}

unsigned sim_mem_total(const struct sim_core *c, enum sim_mem m)
{
	if (m == SIM_MEM_MT)
		return c->cap[SIM_MEM_SM] + c->cap[SIM_MEM_ME];
	return c->cap[m];
}

unsigned sim_mem_used(const struct sim_core *c, enum sim_mem m)
{
	if (m == SIM_MEM_MT)
		return sim_mem_used(c, SIM_MEM_SM) + sim_mem_used(c, SIM_MEM_ME);
	unsigned n = 0;
	for (unsigned i = 0; i < c->cap[m]; i++)
		if (c->store[m][i].hex)
			n++;
	return n;
}

/* The slot behind a 0-based position of memory m (MT: SM first, then ME). */
struct slot *sim_mem_slot(struct sim_core *c, enum sim_mem m, unsigned pos)
{
	if (m == SIM_MEM_MT) {
		if (pos < c->cap[SIM_MEM_SM])
			return &c->store[SIM_MEM_SM][pos];
		pos -= c->cap[SIM_MEM_SM];
		m = SIM_MEM_ME;
	}
	if (pos >= c->cap[m])
		return NULL;
	return &c->store[m][pos];
}

unsigned sim_index_base(const struct sim_core *c)
{
	return (c->p->flags & SIM_P_INDEX0) ? 0 : 1;
}

/* Store a PDU in memory m; returns the 0-based position or -1 when full. Takes hex. */
int sim_mem_store(struct sim_core *c, enum sim_mem m, char *hex, int stat, bool filler)
{
	unsigned total = sim_mem_total(c, m);
	for (unsigned i = 0; i < total; i++) {
		struct slot *s = sim_mem_slot(c, m, i);
		if (s && !s->hex) {
			s->hex = hex;
			s->stat = stat;
			s->filler = filler;
			return (int)i;
		}
	}
	return -1;
}

void sim_slot_clear(struct slot *s)
{
	free(s->hex);
	s->hex = NULL;
	s->filler = false;
}

/* A deliver PDU used to fill the SIM for storage_full: "Test2" from +27821234567 (python-gsmmodem
 * test/test_pdu.py, commit 834c68b, case gsmmodem-decode-1). */
static const char filler_pdu[] = "06917228195339040B917228214365F700003130805120618005D4F29C2E03";

void sim_fill_sm(struct sim_core *c, unsigned leave_free)
{
	unsigned cap = c->cap[SIM_MEM_SM];
	while (sim_mem_used(c, SIM_MEM_SM) + leave_free < cap) {
		char *hex = strdup(filler_pdu);
		if (!hex || sim_mem_store(c, SIM_MEM_SM, hex, ST_REC_READ, true) < 0) {
			free(hex);
			return;
		}
	}
}

void sim_unfill_sm(struct sim_core *c)
{
	for (unsigned i = 0; i < c->cap[SIM_MEM_SM]; i++)
		if (c->store[SIM_MEM_SM][i].filler)
			sim_slot_clear(&c->store[SIM_MEM_SM][i]);
}

/* New messages go to a memory that <mem1> (what is read) does not cover. */
void sim_storage_mismatch(struct sim_core *c)
{
	const struct sim_profile *p = c->p;
	if (!c->cap[SIM_MEM_ME])
		return; /* one memory only: nothing to mix up */
	if (p->mem_allowed[0] & (1u << SIM_MEM_SM)) {
		c->mem[0] = SIM_MEM_SM;
		c->mem[2] = SIM_MEM_ME;
	} else {
		c->mem[0] = SIM_MEM_ME;
		c->mem[2] = SIM_MEM_SM;
	}
}

void sim_reset_session(struct sim_core *c)
{
	const struct sim_profile *p = c->p;
	c->echo = p->echo;
	c->verbose = true;
	c->cmee = p->cmee;
	c->csms = 0;
	c->creg_n[0] = c->creg_n[1] = c->creg_n[2] = 0;
	c->cops_format = 0;
	memcpy(c->cnmi, p->cnmi, sizeof(c->cnmi));
	if (c->fault[F_INDICATIONS_OFF])
		c->cnmi[0] = c->cnmi[1] = c->cnmi[3] = 0;
	for (int i = 0; i < 3; i++)
		c->mem[i] = p->mem_default[i];
	if (c->fault[F_STORAGE_MISMATCH])
		sim_storage_mismatch(c);
	snprintf(c->cscs, sizeof(c->cscs), "GSM");
	c->pending_cnma = 0;
	c->ussd_open = false;
	c->in_pdu = false;
	c->line_len = 0;
	c->line_overflow = false;
}

/* SIM state after a power-up or a SIM change, from the faults. */
void sim_power_up(struct sim_core *c)
{
	if (c->fault[F_SIM_ABSENT])
		c->sim = SIM_ABSENT;
	else if (c->fault[F_SIM_FAILURE])
		c->sim = SIM_FAILURE;
	else if (c->fault[F_SIM_BLOCKED])
		c->sim = SIM_BLOCKED;
	else if (c->fault[F_SIM_PUK])
		c->sim = SIM_PUK;
	else if (c->pin_enabled)
		c->sim = SIM_PIN;
	else
		c->sim = SIM_READY;
}

const char *sim_cpin_text(const struct sim_core *c)
{
	switch (c->sim) {
	case SIM_READY:
		return "READY";
	case SIM_PIN:
		return "SIM PIN";
	case SIM_PUK:
		return "SIM PUK";
	case SIM_ABSENT:
		return "NOT INSERTED";
	default:
		return "NOT READY";
	}
}

void sim_queue_ready_urcs(struct sim_core *c, uint64_t at)
{
	if (c->p->flags & SIM_P_CPIN_URC) {
		char tmp[64];
		snprintf(tmp, sizeof(tmp), "+CPIN: %s", sim_cpin_text(c));
		sim_queue_urc(c, at, tmp);
	}
	if (c->sim != SIM_READY)
		return;
	for (int i = 0; i < 4 && c->p->ready_urcs[i]; i++)
		sim_queue_urc(c, at, c->p->ready_urcs[i]);
}

void sim_queue_boot(struct sim_core *c, uint64_t at)
{
	for (int i = 0; i < 4 && c->p->boot_urcs[i]; i++)
		sim_queue_urc(c, at, c->p->boot_urcs[i]);
	sim_queue_ready_urcs(c, at);
}

/* A power cycle: session settings, SIM unlock and radio state are lost; the SIM's and the
 * modem's stored messages, SMSC and counters stay. */
static void do_reboot(struct sim_core *c, uint64_t at)
{
	sim_reset_session(c);
	c->fun = c->fault[F_RADIO_OFF] ? 0 : 1;
	c->busy_left = c->fault[F_SIM_BUSY] ? c->busy_left : 0;
	sim_power_up(c);
	sim_queue_boot(c, at);
}

void sim_after_command(struct sim_core *c, uint64_t at)
{
	if (c->fault[F_SIM_BUSY] && c->busy_left > 0 && --c->busy_left == 0)
		c->fault[F_SIM_BUSY] = false;
	if (c->fault[F_REBOOT]) {
		c->fault[F_REBOOT] = false;
		do_reboot(c, at);
	}
}

const char *sim_core_profile_name(const struct sim_core *c)
{
	return c->p->name;
}

size_t sim_core_sent_count(const struct sim_core *c)
{
	return c->nsent;
}

int sim_core_sent_pdu(const struct sim_core *c, size_t i, char *buf, size_t size)
{
	if (i >= c->nsent || !buf || strlen(c->sent[i]) + 1 > size)
		return SMSCTL_ERR_INVALID;
	memcpy(buf, c->sent[i], strlen(c->sent[i]) + 1);
	return 0;
}

int sim_core_sent_mr(const struct sim_core *c, size_t i)
{
	return i < c->nsent ? c->sent_mr[i] : SMSCTL_ERR_INVALID;
}

unsigned sim_core_mr(const struct sim_core *c)
{
	return c->mr;
}

int sim_core_storage(const struct sim_core *c, const char *mem, unsigned *used, unsigned *total)
{
	int m = mem ? sim_mem_from_name(mem) : -1;
	if (m < 0 || sim_mem_total(c, (enum sim_mem)m) == 0)
		return SMSCTL_ERR_INVALID;
	if (used)
		*used = sim_mem_used(c, (enum sim_mem)m);
	if (total)
		*total = sim_mem_total(c, (enum sim_mem)m);
	return 0;
}

/* The host went away: a half-typed line or PDU is forgotten and answers not yet read are
 * lost with the line; everything the modem holds (settings, SIM, storage, counters) stays. */
void sim_core_hangup(struct sim_core *c)
{
	sim_drop_output(c);
	c->in_pdu = false;
	c->pdu_len = 0;
	c->pdu_overflow = false;
	c->line_len = 0;
	c->line_overflow = false;
}

/* Plugged in again after an unplug: a power-up (as a reboot) with storage and counters kept. */
void sim_core_replug(struct sim_core *c, uint64_t now)
{
	c->fault[F_UNPLUG] = false;
	c->unplug_at = UINT64_MAX;
	c->closed_at = UINT64_MAX;
	c->now = now;
	c->line_free_at = now;
	sim_core_hangup(c);
	sim_reset_session(c);
	c->fun = c->fault[F_RADIO_OFF] ? 0 : 1;
	sim_power_up(c);
	if (c->boot_on_open)
		sim_queue_boot(c, now);
}

unsigned long sim_core_command_count(const struct sim_core *c)
{
	return c->commands;
}

size_t sim_core_stored_count(const struct sim_core *c)
{
	return sim_mem_used(c, SIM_MEM_SM);
}

int sim_core_get_slot(const struct sim_core *c, unsigned pos, int *stat, char *buf, size_t size)
{
	const struct slot *s = pos < c->cap[SIM_MEM_SM] ? &c->store[SIM_MEM_SM][pos] : NULL;

	if (!s)
		return SMSCTL_ERR_INVALID;
	if (!s->hex)
		return SMSCTL_ERR_NOT_FOUND;
	if (strlen(s->hex) >= size)
		return SMSCTL_ERR_INVALID;
	memcpy(buf, s->hex, strlen(s->hex) + 1);
	*stat = s->stat;
	return 0;
}

int sim_core_set_slot(struct sim_core *c, unsigned pos, int stat, const char *hex)
{
	struct slot *s = pos < c->cap[SIM_MEM_SM] ? &c->store[SIM_MEM_SM][pos] : NULL;
	char *copy = NULL;

	if (!s || stat < 0 || stat > 3)
		return SMSCTL_ERR_INVALID;
	if (hex) {
		size_t n = strlen(hex);
		uint8_t bytes[PDU_MAX_HEX / 2];
		long b = sim_hex_decode(hex, n, bytes, sizeof(bytes));
		if (b < 2 || (long)bytes[0] + 1 >= b)
			return SMSCTL_ERR_BAD_PDU;
		copy = sim_strdup_upper(hex, n);
		if (!copy)
			return SMSCTL_ERR_NOMEM;
	}
	sim_slot_clear(s);
	s->hex = copy;
	s->stat = stat;
	return 0;
}

const char *sim_core_smsc(const struct sim_core *c)
{
	return c->smsc;
}

const char *sim_core_profile_smsc(const struct sim_core *c)
{
	return c->p->smsc;
}

unsigned sim_core_next_incoming(struct sim_core *c)
{
	return c->incoming++;
}
