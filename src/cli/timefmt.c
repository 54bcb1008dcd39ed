/* timefmt.c: parse --since values (see timefmt.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/timefmt.h"

static void fmt_utc(time_t t, int ms, char out[32])
{
	struct tm tm;
	char base[24];
	gmtime_r(&t, &tm);
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 32, "%s.%03uZ", base, (unsigned)ms % 1000u);
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (the
 * inverse of gmtime without touching the TZ environment). */
static long long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : md[m - 1];
}

static int parse_absolute(const char *s, char out[32])
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, off = 0, ms = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10) return -1;
	s += n;
	if (*s == 'T' || *s == ' ') {
		int k = 0;
		if (sscanf(s + 1, "%2d:%2d%n", &h, &mi, &k) != 2 || k != 5) return -1;
		s += 1 + k;
		if (*s == ':') {
			if (sscanf(s + 1, "%2d%n", &sec, &k) != 1 || k != 2) return -1;
			s += 3;
			if (*s == '.') {
				/* milliseconds count (the daemon stores them); finer is dropped */
				int k2 = 0;
				for (s++; *s >= '0' && *s <= '9'; s++, k2++)
					if (k2 < 3) ms = ms * 10 + (*s - '0');
				if (k2 == 0) return -1;
				for (; k2 < 3; k2++) ms *= 10;
			}
		}
	}
	if (*s == 'Z') s++;
	else if (*s == '+' || *s == '-') {
		int oh, om, k = 0;
		if (sscanf(s + 1, "%2d:%2d%n", &oh, &om, &k) != 2 || k != 5 || oh > 23 || om > 59) return -1;
		off = (oh * 60 + om) * 60 * (*s == '-' ? -1 : 1);
		s += 1 + k;
	}
	if (*s) return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 || mi > 59 || sec > 60)
		return -1;
	long long t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
	fmt_utc((time_t)t, ms, out);
	return 0;
}

int time_parse_since(const char *s, time_t now, char out[32])
{
	char *end;
	if (!s || !*s) return -1;
	if (strcmp(s, "today") == 0 || strcmp(s, "yesterday") == 0) {
		time_t t = now - now % 86400 - (s[0] == 'y' ? 86400 : 0);
		fmt_utc(t, 0, out);
		return 0;
	}
	if (s[0] >= '0' && s[0] <= '9' && strlen(s) < 10) {
		long v = strtol(s, &end, 10);
		long unit = 0;
		if (end[0] && !end[1]) {
			switch (*end) {
			case 's': unit = 1; break;
			case 'm': unit = 60; break;
			case 'h': unit = 3600; break;
			case 'd': unit = 86400; break;
			case 'w': unit = 7 * 86400; break;
			}
		}
		if (unit && v >= 0 && v <= 100L * 365) {
			fmt_utc(now - (time_t)(v * unit), 0, out);
			return 0;
		}
	}
	return parse_absolute(s, out);
}
