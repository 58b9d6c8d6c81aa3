/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SIM PIN in the text of a PIN file or of $SMSCTL_PIN: pure parsing, no I/O and no
 * messages, so the fuzz target of the parsers links it (tests/fuzz/fuzz-parse.c). */
#ifndef SMSCTL_CLI_PIN_H
#define SMSCTL_CLI_PIN_H

#include <stdbool.h>
#include <stddef.h>

/* The most a PIN file gives: its first 63 bytes (NUL-terminated in a buffer of this size). */
#define CLI_PIN_TEXT_MAX 64

/* text: NUL-terminated, changed in place (cut at the line end, trailing blanks dropped).
 * first_line: only what comes before the first CR or LF counts (a file; $SMSCTL_PIN is taken
 * whole). What is left must be 4 to 8 digits and shorter than size: then it is copied to pin
 * and 0 returned; else -1 and pin is "". The caller wipes text (explicit_bzero). */
int cli_pin_parse(char *text, bool first_line, char *pin, size_t size);

#endif
