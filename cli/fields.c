/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The field-table printer of `info` and `status`: one table, two renderings (cli.h). */
#include <stdlib.h>

#include "cli.h"

static void print_json(FILE *f, const struct cli_field *fields, size_t n)
{
	struct json j;

	json_init(&j, f);
	json_object_begin(&j);
	for (size_t i = 0; i < n; i++) {
		const struct cli_field *fl = &fields[i];

		switch (fl->type) {
		case CLI_FIELD_STRING:
			json_kv_string(&j, fl->key, fl->s);
			break;
		case CLI_FIELD_INT:
			json_kv_int_or_null(&j, fl->key, fl->i, fl->present);
			break;
		case CLI_FIELD_DECIMAL1:
			json_key(&j, fl->key);
			if (fl->present)
				json_decimal1(&j, fl->d);
			else
				json_null(&j);
			break;
		case CLI_FIELD_BEGIN:
			json_key(&j, fl->key);
			if (fl->present) {
				json_object_begin(&j);
				break;
			}
			json_null(&j);
			/* an absent object: skip its fields */
			for (int depth = 1; depth > 0 && i + 1 < n;) {
				i++;
				if (fields[i].type == CLI_FIELD_BEGIN)
					depth++;
				else if (fields[i].type == CLI_FIELD_END)
					depth--;
			}
			break;
		case CLI_FIELD_END:
			json_object_end(&j);
			break;
		}
	}
	json_object_end(&j);
	json_end_line(&j);
}

void cli_fields_print(FILE *f, const struct cli_field *fields, size_t n, bool json,
		      enum cli_fields_style style)
{
	if (json) {
		print_json(f, fields, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct cli_field *fl = &fields[i];

		if (!fl->human)
			continue;
		if (style == CLI_FIELDS_LINE) {
			fputs(fl->human, f);
			continue;
		}
		/* the modem's strings never drive the terminal */
		char *v = fl->type == CLI_FIELD_STRING ? cli_printable(fl->s) : NULL;
		fprintf(f, "%s: %s\n", _(fl->human), v ? v : _("(unknown)"));
		free(v);
	}
	if (style == CLI_FIELDS_LINE)
		fputc('\n', f);
}
