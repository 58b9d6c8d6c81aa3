/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared machinery of the response parsers: pattern tables compiled once, anchored matching
 * with a bounded match budget, typed group access, character set decoding. */
#include <string.h>

#include <smsctl/error.h>

#include "parse/internal.h"

/* Backtracking budget per match: hostile input cannot make a parser slow. */
#define PARSE_MATCH_LIMIT 200000
#define PARSE_DEPTH_LIMIT 2000

static pthread_once_t mctx_once = PTHREAD_ONCE_INIT;
static pcre2_match_context *mctx;

static void mctx_init(void)
{
	mctx = pcre2_match_context_create(NULL);
	if (!mctx)
		return;
	pcre2_set_match_limit(mctx, PARSE_MATCH_LIMIT);
	pcre2_set_depth_limit(mctx, PARSE_DEPTH_LIMIT);
}

void parse_table_compile(struct parse_table *t)
{
	bool ok = true;

	for (size_t i = 0; i < t->n; i++) {
		int err;
		PCRE2_SIZE off;

		t->re[i].code =
		    pcre2_compile((PCRE2_SPTR)t->re[i].src, PCRE2_ZERO_TERMINATED,
				  PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_NO_AUTO_CAPTURE |
				      PCRE2_DOLLAR_ENDONLY | t->re[i].flags,
				  &err, &off, NULL);
		if (!t->re[i].code) {
			ok = false;
			continue;
		}
		/* No pcre2_jit_compile(): the JIT's vectorised scans read past the end of the
		 * subject (inside the caller's buffer but uninitialised), which valgrind reports in
		 * every caller; the interpreter is fast enough for lines of a modem. */
	}
	t->ok = ok;
}

bool parse_trim(const char *line, const char **s, size_t *len)
{
	if (!line)
		return false;
	size_t n = strnlen(line, PARSE_LINE_MAX + 1);
	if (n > PARSE_LINE_MAX)
		return false;
	const char *p = line;
	while (n && (*p == '\r' || *p == '\n' || *p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	*s = p;
	*len = n;
	return true;
}

int parse_match(struct parse_table *t, uint32_t mask, const char *s, size_t len,
		struct parse_match *m)
{
	memset(m, 0, sizeof(*m));
	m->index = PARSE_NONE;
	pthread_once(&t->once, t->init);
	pthread_once(&mctx_once, mctx_init);
	if (!t->ok)
		return SMSCTL_ERR_PROTOCOL;
	if (!mctx)
		return SMSCTL_ERR_NOMEM;

	for (size_t i = 0; i < t->n; i++) {
		if (mask && !(mask & (UINT32_C(1) << i)))
			continue;
		pcre2_match_data *md = pcre2_match_data_create_from_pattern(t->re[i].code, NULL);
		if (!md)
			return SMSCTL_ERR_NOMEM;
		int rc = pcre2_match(t->re[i].code, (PCRE2_SPTR)s, len, 0, 0, md, mctx);
		if (rc > 0) {
			m->s = s;
			m->len = len;
			m->code = t->re[i].code;
			m->md = md;
			m->index = (int)i;
			return (int)i;
		}
		pcre2_match_data_free(md);
	}
	return PARSE_NONE;
}

void parse_match_end(struct parse_match *m)
{
	if (m->md)
		pcre2_match_data_free(m->md);
	m->md = NULL;
}

bool pm_get(const struct parse_match *m, const char *name, const char **p, size_t *len)
{
	if (!m->md)
		return false;
	int n = pcre2_substring_number_from_name(m->code, (PCRE2_SPTR)name);
	if (n <= 0)
		return false;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
	uint32_t count = pcre2_get_ovector_count(m->md);
	if ((uint32_t)n >= count)
		return false;
	if (ov[2 * n] == PCRE2_UNSET || ov[2 * n + 1] < ov[2 * n])
		return false;
	*p = m->s + ov[2 * n];
	*len = ov[2 * n + 1] - ov[2 * n];
	return true;
}

bool pm_isset(const struct parse_match *m, const char *name)
{
	const char *p;
	size_t l;

	return pm_get(m, name, &p, &l);
}

static void strip_spaces(const char **p, size_t *len)
{
	while (*len && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*len)--;
	}
	while (*len && ((*p)[*len - 1] == ' ' || (*p)[*len - 1] == '\t'))
		(*len)--;
}

int parse_dec_span(const char *p, size_t len, int max, int *out)
{
	long long v = 0;

	strip_spaces(&p, &len);
	if (!len) {
		*out = PARSE_NONE;
		return 0;
	}
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return SMSCTL_ERR_PROTOCOL;
		v = v * 10 + (p[i] - '0');
		if (v > max)
			return SMSCTL_ERR_PROTOCOL;
	}
	*out = (int)v;
	return 0;
}

int parse_hex_span(const char *p, size_t len, int64_t max, int64_t *out)
{
	int64_t v = 0;

	strip_spaces(&p, &len);
	if (!len) {
		*out = PARSE_NONE;
		return 0;
	}
	for (size_t i = 0; i < len; i++) {
		int d;
		char c = p[i];
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return SMSCTL_ERR_PROTOCOL;
		v = v * 16 + d;
		if (v > max)
			return SMSCTL_ERR_PROTOCOL;
	}
	*out = v;
	return 0;
}

int parse_copy_span(const char *p, size_t len, char *dst, size_t size)
{
	if (len >= size) {
		dst[0] = '\0';
		return SMSCTL_ERR_PROTOCOL;
	}
	memcpy(dst, p, len);
	dst[len] = '\0';
	return 0;
}

int pm_int(const struct parse_match *m, const char *name, int max, int *out)
{
	const char *p;
	size_t len;

	if (!pm_get(m, name, &p, &len)) {
		*out = PARSE_NONE;
		return 0;
	}
	return parse_dec_span(p, len, max, out);
}

int pm_hex(const struct parse_match *m, const char *name, int64_t max, int64_t *out)
{
	const char *p;
	size_t len;

	if (!pm_get(m, name, &p, &len)) {
		*out = PARSE_NONE;
		return 0;
	}
	return parse_hex_span(p, len, max, out);
}

int pm_str(const struct parse_match *m, const char *name, char *dst, size_t size)
{
	const char *p;
	size_t len;

	if (!pm_get(m, name, &p, &len)) {
		dst[0] = '\0';
		return 0;
	}
	return parse_copy_span(p, len, dst, size);
}

int parse_run_masked(struct parse_table *t, uint32_t mask, uint32_t retry_mask, const char *line,
		     void *out, int *pattern, parse_fill_fn fill, void (*clear)(void *))
{
	struct parse_match m;
	const char *s;
	size_t len;
	int rc;

	if (!out)
		return SMSCTL_ERR_INVALID;
	clear(out);
	if (!parse_trim(line, &s, &len))
		return SMSCTL_ERR_PROTOCOL;
	rc = parse_match(t, mask, s, len, &m);
	if (rc == PARSE_NONE && retry_mask)
		rc = parse_match(t, retry_mask, s, len, &m);
	if (rc < 0)
		return rc == PARSE_NONE ? SMSCTL_ERR_PROTOCOL : rc;
	rc = fill(&m, out);
	if (rc == 0)
		*pattern = m.index;
	parse_match_end(&m);
	if (rc < 0)
		clear(out);
	return rc;
}

int parse_run(struct parse_table *t, const char *line, void *out, int *pattern, parse_fill_fn fill,
	      void (*clear)(void *))
{
	return parse_run_masked(t, 0, 0, line, out, pattern, fill, clear);
}

bool parse_has_prefix(const char *line, const char *prefix)
{
	const char *s;
	size_t len;

	if (!prefix || !parse_trim(line, &s, &len))
		return false;
	size_t pl = strlen(prefix);
	return len >= pl && memcmp(s, prefix, pl) == 0;
}

/* ---- range lists "(0-1,3)" ---- */

int parse_range_set(const char *p, size_t len, int max, uint64_t *bits, size_t n_words)
{
	size_t i = 0;

	if (max < 0 || (size_t)max >= 64 * n_words)
		return SMSCTL_ERR_INVALID;
	memset(bits, 0, n_words * sizeof(*bits));
	while (i < len) {
		int lo = 0, hi;
		size_t st;
		while (i < len && p[i] == ' ')
			i++;
		st = i;
		while (i < len && p[i] >= '0' && p[i] <= '9') {
			lo = lo * 10 + (p[i] - '0');
			if (lo > max)
				goto bad;
			i++;
		}
		if (st == i)
			goto bad;
		hi = lo;
		while (i < len && p[i] == ' ')
			i++;
		if (i < len && p[i] == '-') {
			i++;
			while (i < len && p[i] == ' ')
				i++;
			st = i;
			hi = 0;
			while (i < len && p[i] >= '0' && p[i] <= '9') {
				hi = hi * 10 + (p[i] - '0');
				if (hi > max)
					goto bad;
				i++;
			}
			if (st == i || hi < lo)
				goto bad;
		}
		for (int v = lo; v <= hi; v++)
			bits[v / 64] |= UINT64_C(1) << (v % 64);
		while (i < len && p[i] == ' ')
			i++;
		if (i < len) {
			if (p[i] != ',')
				goto bad;
			i++;
			if (i == len)
				goto bad;
		}
	}
	return 0;
bad:
	memset(bits, 0, n_words * sizeof(*bits));
	return SMSCTL_ERR_PROTOCOL;
}

int parse_range_list(const char *s, size_t len, uint32_t *bits)
{
	uint64_t b;
	size_t i = 0;
	int rc;

	*bits = 0;
	while (i < len && (s[i] == ' ' || s[i] == '('))
		i++;
	while (len > i && (s[len - 1] == ' ' || s[len - 1] == ')'))
		len--;
	rc = parse_range_set(s + i, len - i, 31, &b, 1);
	if (rc == 0)
		*bits = (uint32_t)b;
	return rc;
}

/* ---- character sets ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int put_utf8(uint32_t cp, char *out, size_t size, size_t *o)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	if (*o + n >= size)
		return SMSCTL_ERR_PROTOCOL;
	memcpy(out + *o, b, n);
	*o += n;
	return 0;
}

/* TS 23.038 6.2.1 default alphabet, code point per septet (0x1B escape handled apart). */
static const uint16_t gsm7_default[128] = {
    0x0040, 0x00A3, 0x0024, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC, 0x00F2, 0x00C7, 0x000A, 0x00D8,
    0x00F8, 0x000D, 0x00C5, 0x00E5, 0x0394, 0x005F, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8,
    0x03A3, 0x0398, 0x039E, 0x00A0, 0x00C6, 0x00E6, 0x00DF, 0x00C9, 0x0020, 0x0021, 0x0022, 0x0023,
    0x00A4, 0x0025, 0x0026, 0x0027, 0x0028, 0x0029, 0x002A, 0x002B, 0x002C, 0x002D, 0x002E, 0x002F,
    0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037, 0x0038, 0x0039, 0x003A, 0x003B,
    0x003C, 0x003D, 0x003E, 0x003F, 0x00A1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,
    0x0048, 0x0049, 0x004A, 0x004B, 0x004C, 0x004D, 0x004E, 0x004F, 0x0050, 0x0051, 0x0052, 0x0053,
    0x0054, 0x0055, 0x0056, 0x0057, 0x0058, 0x0059, 0x005A, 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7,
    0x00BF, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067, 0x0068, 0x0069, 0x006A, 0x006B,
    0x006C, 0x006D, 0x006E, 0x006F, 0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,
    0x0078, 0x0079, 0x007A, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0,
};

int parse_decode_string(const char *in, enum parse_charset cs, char *out, size_t out_size)
{
	size_t o = 0;

	if (!in || !out || !out_size)
		return SMSCTL_ERR_INVALID;
	out[0] = '\0';
	size_t n = strnlen(in, PARSE_LINE_MAX + 1);
	if (n > PARSE_LINE_MAX)
		return SMSCTL_ERR_PROTOCOL;

	switch (cs) {
	case PARSE_CHARSET_IRA:
		return parse_copy_span(in, n, out, out_size);
	case PARSE_CHARSET_GSM:
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)in[i];
			if (c >= 0x80 || c == 0x1B)
				goto bad;
			if (put_utf8(gsm7_default[c], out, out_size, &o) < 0)
				goto bad;
		}
		break;
	case PARSE_CHARSET_UCS2:
		if (n % 4)
			goto bad;
		for (size_t i = 0; i < n; i += 4) {
			uint32_t cp = 0;
			for (int k = 0; k < 4; k++) {
				int v = hexval(in[i + k]);
				if (v < 0)
					goto bad;
				cp = cp << 4 | (uint32_t)v;
			}
			/* surrogate pair */
			if (cp >= 0xD800 && cp < 0xDC00 && i + 8 <= n) {
				uint32_t lo = 0;
				for (int k = 4; k < 8; k++) {
					int v = hexval(in[i + k]);
					if (v < 0)
						goto bad;
					lo = lo << 4 | (uint32_t)v;
				}
				if (lo < 0xDC00 || lo > 0xDFFF)
					goto bad;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				i += 4;
			} else if (cp >= 0xD800 && cp < 0xE000) {
				goto bad;
			}
			if (cp == 0 || put_utf8(cp, out, out_size, &o) < 0)
				goto bad;
		}
		break;
	case PARSE_CHARSET_HEX:
		if (n % 2)
			goto bad;
		for (size_t i = 0; i < n; i += 2) {
			int hi = hexval(in[i]), lo = hexval(in[i + 1]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0) || o + 1 >= out_size)
				goto bad;
			out[o++] = (char)(hi << 4 | lo);
		}
		break;
	default:
		return SMSCTL_ERR_INVALID;
	}
	out[o] = '\0';
	return 0;
bad:
	out[0] = '\0';
	return SMSCTL_ERR_PROTOCOL;
}
