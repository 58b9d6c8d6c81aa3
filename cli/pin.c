/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SIM PIN in the text of a PIN file or of $SMSCTL_PIN (see pin.h). */
#include <string.h>

#include "pin.h"

int cli_pin_parse(char *text, bool first_line, char *pin, size_t size)
{
	size_t n;

	if (size > 0)
		pin[0] = '\0';
	if (first_line)
		text[strcspn(text, "\r\n")] = '\0';
	n = strlen(text);
	while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		text[--n] = '\0';
	bool ok = n >= 4 && n <= 8 && n < size;
	for (size_t i = 0; ok && i < n; i++)
		ok = text[i] >= '0' && text[i] <= '9';
	if (!ok)
		return -1;
	memcpy(pin, text, n + 1);
	return 0;
}
