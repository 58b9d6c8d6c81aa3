/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the receive-side commands (recv, list, read, delete, ports). */
#ifndef SMSCTL_CLI_RECV_COMMON_H
#define SMSCTL_CLI_RECV_COMMON_H

#include "cli.h"

/* Open the modem (cli_open_modem), read the PIN from SMSCTL_PIN or --pin-file and make the
 * modem ready for SMS (smsctl_sms_prepare). Prints the reason on failure and returns its exit
 * code; EXIT_OK with *out set on success. */
int recv_open_prepared(struct cli *cli, struct smsctl_modem **out);
/* Print "what: reason" (with the modem's detail when it has one) and return the exit code. */
int recv_fail(struct cli *cli, struct smsctl_modem *m, int err, const char *what);
/* A memory name given with --storage: upper-cased in place; false when it is not one. */
bool recv_storage_arg(char *s);
/* "gsm7", "8bit", "ucs2". */
const char *recv_coding_name(enum smsctl_coding c);
/* "deliver", "submit", "status_report". */
const char *recv_type_name(enum smsctl_pdu_type t);
/* The stored message as one JSON object (list, read). */
void recv_json_stored(struct json *j, const struct smsctl_stored *s);
/* The stored message for people. */
void recv_print_stored(const struct cli *cli, FILE *f, const struct smsctl_stored *s, bool full);
/* Text and numbers for people: control characters shown as '?' (text ends with a newline). */
void recv_print_text(FILE *f, const char *text);
void recv_print_number(FILE *f, const char *number);
/* Parse a non-negative index; false when s is not one. */
bool recv_parse_index(const char *s, int *out);
/* --storage ARG: *storage = arg when it is a memory name (upper-cased), else a usage error.
 * Returns EXIT_OK or the exit code. */
int recv_opt_storage(struct cli *cli, char **storage, char *arg);
/* The one INDEX operand at argv[optind] (nothing after it); missing is the message printed when
 * there is none. Returns EXIT_OK or the exit code of the usage error. */
int recv_operand_index(struct cli *cli, int argc, char **argv, const char *missing, int *index);
/* A decimal number in [min, max] (no sign); false when s is not one. */
bool recv_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);
/* The answer of read/delete by INDEX: "no message at index N" (EXIT_OTHER) for
 * SMSCTL_ERR_NOT_FOUND, else recv_fail(cli, m, err, what). */
int recv_index_fail(struct cli *cli, struct smsctl_modem *m, int err, int index, const char *what);
/* One stored message on stdout: a JSON line with --json, else for people (list, read). */
void recv_output_stored(const struct cli *cli, const struct smsctl_stored *s);
/* Flush stdout; "cannot write the output" and EXIT_OTHER when that fails, else rc. */
int recv_flush_output(struct cli *cli, int rc);
/* Bold/dim escape sequences when colour is on, else "". */
const char *recv_bold(const struct cli *cli);
const char *recv_dim(const struct cli *cli);
const char *recv_reset(const struct cli *cli);

#endif
