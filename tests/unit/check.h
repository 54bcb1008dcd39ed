/* check.h: the few assertion macros unit tests use.  A failed CHECK prints the
 * place and keeps going; the test's exit status is the number of failures
 * (capped), so one run reports every broken case.  Exit 77 means "skipped". */
#ifndef DIGITD_TEST_CHECK_H
#define DIGITD_TEST_CHECK_H
#include <stdio.h>
#include <stdlib.h>

static int check_failures;
static int check_count;

#define CHECK(cond) do { check_count++; if (!(cond)) { check_failures++; \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECKF(cond, ...) do { check_count++; if (!(cond)) { check_failures++; \
	fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)
#define CHECK_DONE() do { fprintf(stderr, "%d checks, %d failed\n", check_count, check_failures); \
	return check_failures > 100 ? 100 : check_failures; } while (0)
#define SKIP(...) do { printf(__VA_ARGS__); putchar('\n'); exit(77); } while (0)

#endif
