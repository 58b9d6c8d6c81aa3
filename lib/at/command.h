/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the text of AT commands as the engine reads it (lib/at/command.c): the response
 * prefixes a command expects and the masking of secrets. Pure functions, shared with the
 * tests. */
#ifndef SMSCTL_AT_COMMAND_H
#define SMSCTL_AT_COMMAND_H

#include <stddef.h>

/* Size of one expected prefix ("+CREG:" and its NUL). */
#define AT_PREFIX_SIZE 32

/* The text after the leading "AT" (spaces before it skipped, case insensitive), NULL when cmd
 * does not start with AT. */
const char *at_command_skip_at(const char *cmd);
/* Copy cmd into out (size outlen) with the PIN/PUK arguments of AT+CPIN, AT+CLCK, AT+CPWD
 * and AT^CPIN / AT+CPIN2 replaced by "****". */
void at_mask_command(const char *cmd, char *out, size_t outlen);
/* The response prefixes a command expects ("AT+CREG?" -> "+CREG:"), up to max, each of
 * size AT_PREFIX_SIZE; returns how many. */
size_t at_expected_prefixes(const char *cmd, char (*out)[AT_PREFIX_SIZE], size_t max);

#endif
