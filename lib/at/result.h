/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: final result codes, the one table of them. The engine (at/chat.c) ends a command
 * on them and the parsers (parse/error.c, parse_final()) recognise them in collected answers;
 * both ask here, so a word added for a new modem is known to both. */
#ifndef SMSCTL_AT_RESULT_H
#define SMSCTL_AT_RESULT_H

#include <stddef.h>

#include <smsctl/modem.h>

/* The final result word at s (len bytes; trailing spaces and tabs ignored): OK, ERROR,
 * NO CARRIER, BUSY, NO ANSWER, NO DIALTONE, NO DIAL TONE and the vendor words COMMAND NOT
 * SUPPORT, TOO MANY PARAMETERS. SMSCTL_RESULT_NONE when it is none of them. The error lines
 * (+CME ERROR, +CMS ERROR, MODEM ERROR) are not words: see at_final_result(). */
enum smsctl_result at_result_word(const char *s, size_t len);

/* The final result a line is, SMSCTL_RESULT_NONE if it is not one; *code (code may be NULL)
 * the CME/CMS/modem error number or -1. Every +CME ERROR / +CMS ERROR line ends a command,
 * also verbose or empty (waiting for more would only turn an error into a timeout). */
enum smsctl_result at_final_result(const char *line, int *code);

#endif
