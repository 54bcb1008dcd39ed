/* textout.c: JSON, CSV and table cells for untrusted strings (see textout.h). */
#include <math.h>
#include <string.h>

#include "cli/textout.h"

/* Decode one UTF-8 sequence at s: the code point, and its length in *len;
 * -1 (with *len = 1) for an invalid, overlong or surrogate sequence. */
static long utf8_next(const unsigned char *s, int *len)
{
	unsigned char c = s[0];
	long cp;
	int n;
	*len = 1;
	if (c < 0x80) return c;
	if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
	else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; }
	else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
	else return -1;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) return -1;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*len = n;
	return cp;
}

void out_json_str(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	if (!s) { fputs("null", f); return; }
	fputc('"', f);
	while (*s) {
		int len;
		long cp = utf8_next(s, &len);
		if (cp < 0) fputs("\\ufffd", f);
		else if (cp == '"') fputs("\\\"", f);
		else if (cp == '\\') fputs("\\\\", f);
		else if (cp == '\n') fputs("\\n", f);
		else if (cp == '\r') fputs("\\r", f);
		else if (cp == '\t') fputs("\\t", f);
		else if (cp < 0x20 || cp == 0x7F) fprintf(f, "\\u%04lx", cp);
		else fwrite(s, 1, (size_t)len, f);
		s += len;
	}
	fputc('"', f);
}

void out_json_num(FILE *f, double v, int decimals)
{
	if (!isfinite(v)) fputs("null", f);
	else fprintf(f, "%.*f", decimals, v);
}

/* Spreadsheets run a cell that starts with one of these as a formula
 * (=HYPERLINK(...), +cmd|...); a file name is whatever a producer chose. */
#define CSV_FORMULA_STARTS "=+-@\t\r"

void out_csv_field(FILE *f, const char *s)
{
	if (!s) return;
	size_t n = strlen(s);
	/* OWASP's advice for CSV injection: a leading single quote makes the
	 * cell text, and quoting keeps the quote inside the cell */
	int formula = n > 0 && strchr(CSV_FORMULA_STARTS, s[0]) != NULL;
	int quote = formula || strpbrk(s, ",\"\r\n") != NULL || (n > 0 && (s[0] == ' ' || s[n - 1] == ' '));
	if (!quote) { fputs(s, f); return; }
	fputc('"', f);
	if (formula) fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"') fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* Characters that would move the cursor or change colours print as '?'. */
static int printable(long cp)
{
	return cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp < 0xA0) && cp != 0x2028 && cp != 0x2029;
}

int out_width(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int w = 0, len;
	if (!s) return 0;
	while (*s) {
		utf8_next(s, &len);
		s += len;
		w++;
	}
	return w;
}

void out_cell(FILE *f, const char *str, int width, int pad)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	int total = out_width((const char *)s), w = 0, len;
	int room = total > width ? width - 1 : width;
	while (*s && w < room) {
		long cp = utf8_next(s, &len);
		if (cp < 0 || !printable(cp)) fputc('?', f);
		else fwrite(s, 1, (size_t)len, f);
		s += len;
		w++;
	}
	if (total > width && width > 0) { fputc('~', f); w++; }
	if (pad)
		for (; w < width; w++) fputc(' ', f);
}
