/* test_spool.c: the spool's file operations on a real temporary directory
 * (names that must never be used, unique names and .error reservations,
 * claims that never overwrite, reads that never follow links or hang on
 * FIFOs, hashing of oversized files) and the bounded queue's back-pressure. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "daemon/intake.h"
#include "daemon/queue.h"
#include "daemon/spool.h"
#include "util/sha256.h"

static char root[64];

static void put(spool *sp, enum spool_dir d, const char *name, const char *text)
{
	int fd = openat(sp->fd[d], name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECKF(fd >= 0, "create %s: %s", name, strerror(errno));
	if (fd < 0) return;
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

static bool exists(spool *sp, enum spool_dir d, const char *name)
{
	struct stat st;
	return fstatat(sp->fd[d], name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static void test_names(void)
{
	char long_name[NAME_MAX + 2];
	memset(long_name, 'a', sizeof long_name);
	long_name[NAME_MAX + 1] = 0;
	CHECK(spool_name_ok("a.png"));
	CHECK(spool_name_ok("with space\nand newline ü.png"));
	CHECK(!spool_name_ok(""));
	CHECK(!spool_name_ok("."));
	CHECK(!spool_name_ok(".."));
	CHECK(!spool_name_ok("../etc/passwd"));
	CHECK(!spool_name_ok("a/b.png"));
	CHECK(!spool_name_ok(long_name));
	long_name[NAME_MAX] = 0;
	CHECK(spool_name_ok(long_name));

	char *pats[] = { (char *)"*.png", (char *)"*.JPG", NULL };
	CHECK(spool_name_matches("A.PNG", pats));
	CHECK(spool_name_matches("b.jpg", pats));
	CHECK(!spool_name_matches("c.tif", pats));
	CHECK(!spool_name_matches(".hidden.png", pats));   /* a leading dot is never matched by '*' */
	CHECK(!spool_name_matches("x.png", NULL));
}

static void test_open_and_moves(void)
{
	spool sp;
	char err[512], path[128], out[NAME_MAX + 1];
	/* a missing parent is taken for a typo: nothing is created */
	snprintf(path, sizeof path, "%s/nodir/spool", root);
	CHECK(spool_open(&sp, path, err, sizeof err) == -1);
	CHECKF(strstr(err, "nor does its parent directory") != NULL, "%s", err);
	snprintf(path, sizeof path, "%s/nodir", root);
	CHECK(access(path, F_OK) < 0);
	/* a missing spool whose parent exists is created, with its four directories */
	snprintf(path, sizeof path, "%s/spool", root);
	CHECK(access(path, F_OK) < 0);
	CHECKF(spool_open(&sp, path, err, sizeof err) == 0, "%s", err);
	for (int i = 0; i < SPOOL_NDIRS; i++) CHECK(sp.fd[i] >= 0);

	/* claims never overwrite */
	put(&sp, SPOOL_INCOMING, "a.png", "one");
	CHECK(spool_claim(&sp, "a.png") == 0);
	CHECK(exists(&sp, SPOOL_WORK, "a.png") && !exists(&sp, SPOOL_INCOMING, "a.png"));
	put(&sp, SPOOL_INCOMING, "a.png", "two");
	CHECK(spool_claim(&sp, "a.png") == 1);
	CHECK(exists(&sp, SPOOL_INCOMING, "a.png"));
	CHECK(spool_claim(&sp, "missing.png") == -1 && errno == ENOENT);
	CHECK(spool_move(&sp, SPOOL_WORK, "../x", SPOOL_DONE, "y") == -1 && errno == EINVAL);
	CHECK(spool_move(&sp, SPOOL_WORK, "a.png", SPOOL_DONE, "../../escape.png") == -1 && errno == EINVAL);

	/* unique names */
	CHECK(spool_unique_name(&sp, SPOOL_DONE, "a.png", out) == 0 && strcmp(out, "a.png") == 0);
	put(&sp, SPOOL_DONE, "a.png", "x");
	CHECK(spool_unique_name(&sp, SPOOL_DONE, "a.png", out) == 0 && strcmp(out, "a.1.png") == 0);
	put(&sp, SPOOL_DONE, "a.1.png", "x");
	CHECK(spool_unique_name(&sp, SPOOL_DONE, "a.png", out) == 0 && strcmp(out, "a.2.png") == 0);
	CHECK(spool_unique_name(&sp, SPOOL_DONE, "noext", out) == 0 && strcmp(out, "noext") == 0);
	CHECK(spool_unique_name(&sp, SPOOL_FAILED, "x.png.error", out) == 0 && strcmp(out, "x.png.error_") == 0);
	char longn[NAME_MAX + 1];
	memset(longn, 'b', NAME_MAX - 4);
	memcpy(longn + NAME_MAX - 4, ".png", 5);
	CHECK(spool_unique_name(&sp, SPOOL_FAILED, longn, out) == 0);
	CHECK(strlen(out) + strlen(".error") <= NAME_MAX);
	CHECK(strcmp(out + strlen(out) - 4, ".png") == 0);
	CHECK(spool_write_error(&sp, out, "why") == 0);
	put(&sp, SPOOL_FAILED, out, "orig");
	char out2[NAME_MAX + 1];
	CHECK(spool_unique_name(&sp, SPOOL_FAILED, longn, out2) == 0 && strcmp(out, out2) != 0);
	CHECK(strlen(out2) + strlen(".error") <= NAME_MAX);
	spool_close(&sp);
}

static void test_read(void)
{
	spool sp;
	char err[512], path[128], sha[65], want[65];
	uint8_t *buf;
	size_t len;
	struct stat st;
	snprintf(path, sizeof path, "%s/spool", root);
	CHECKF(spool_open(&sp, path, err, sizeof err) == 0, "%s", err);
	put(&sp, SPOOL_WORK, "r.png", "hello world");
	CHECK(spool_read(&sp, SPOOL_WORK, "r.png", 100, &buf, &len, &st, sha, err, sizeof err) == 0);
	sha256_buf_hex("hello world", 11, want);
	CHECK(len == 11 && memcmp(buf, "hello world", 11) == 0 && strcmp(sha, want) == 0);
	free(buf);
	/* too large: not held in memory, hash still streamed */
	CHECK(spool_read(&sp, SPOOL_WORK, "r.png", 5, &buf, &len, &st, sha, err, sizeof err) == -2);
	CHECK(buf == NULL && strcmp(sha, want) == 0 && strstr(err, "too large") != NULL);
	/* a symlink is never followed */
	char target[160];
	snprintf(target, sizeof target, "%s/secret", root);
	put(&sp, SPOOL_WORK, "dummy", "x");
	CHECK(symlinkat(target, sp.fd[SPOOL_WORK], "link.png") == 0);
	CHECK(spool_read(&sp, SPOOL_WORK, "link.png", 100, &buf, &len, &st, sha, err, sizeof err) == -1);
	CHECKF(strstr(err, "symbolic link") != NULL, "%s", err);
	/* a FIFO neither hangs nor is read */
	CHECK(mkfifoat(sp.fd[SPOOL_WORK], "fifo.png", 0644) == 0);
	CHECK(spool_read(&sp, SPOOL_WORK, "fifo.png", 100, &buf, &len, &st, sha, err, sizeof err) == -1);
	CHECKF(strstr(err, "not a regular file") != NULL, "%s", err);
	CHECK(spool_read(&sp, SPOOL_WORK, "../x", 100, &buf, &len, &st, sha, err, sizeof err) == -1);

	char tok1[64], tok2[64];
	CHECK(fstatat(sp.fd[SPOOL_WORK], "r.png", &st, 0) == 0);
	spool_claim_token(&st, tok1);
	CHECK(renameat(sp.fd[SPOOL_WORK], "r.png", sp.fd[SPOOL_DONE], "r.png") == 0);
	CHECK(fstatat(sp.fd[SPOOL_DONE], "r.png", &st, 0) == 0);
	spool_claim_token(&st, tok2);
	CHECK(strcmp(tok1, tok2) == 0);   /* rename keeps the identity */

	/* pruning done/: files moved there before the cut-off go, nothing else
	 * (a cut-off in the future, since ctime cannot be set back) */
	CHECK(prune_done(&sp, 30) == 0);
	CHECK(exists(&sp, SPOOL_DONE, "r.png"));
	CHECK(mkdirat(sp.fd[SPOOL_DONE], "keepdir", 0755) == 0);
	CHECK(symlinkat("/etc/hostname", sp.fd[SPOOL_DONE], "keeplink") == 0);
	long pruned = prune_done(&sp, -1);
	CHECKF(pruned >= 1, "pruned %ld", pruned);
	CHECK(!exists(&sp, SPOOL_DONE, "r.png"));
	CHECK(exists(&sp, SPOOL_DONE, "keepdir") && exists(&sp, SPOOL_DONE, "keeplink"));
	spool_close(&sp);
}

/* --- queue -------------------------------------------------------------------- */

static queue q;
static int produced;

static void *producer(void *arg)
{
	(void)arg;
	for (long i = 1; i <= 1000; i++) {
		if (!queue_push(&q, (void *)i)) break;
		__atomic_add_fetch(&produced, 1, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static void test_queue(void)
{
	pthread_t t;
	CHECK(queue_init(&q, 4) == 0);
	pthread_create(&t, NULL, producer, NULL);
	usleep(100000);
	/* back-pressure: the producer is stuck after filling 4 slots */
	CHECK(__atomic_load_n(&produced, __ATOMIC_SEQ_CST) == 4);
	CHECK(queue_len(&q) == 4);
	long sum = 0;
	for (int i = 0; i < 1000; i++) sum += (long)queue_pop(&q);
	pthread_join(t, NULL);
	CHECK(sum == 1000L * 1001 / 2);   /* every item exactly once, FIFO or not */
	CHECK(queue_push(&q, (void *)1L));
	queue_close(&q);
	CHECK(!queue_push(&q, (void *)2L));
	CHECK(queue_pop(&q) == (void *)1L);  /* close drains what is there */
	CHECK(queue_pop(&q) == NULL);
	queue_destroy(&q);

	CHECK(queue_init(&q, 2) == 0);
	queue_push(&q, (void *)7L);
	queue_close_discard(&q);
	CHECK(queue_pop(&q) == NULL);        /* discard: no new work starts */
	CHECK(queue_try_pop(&q) == (void *)7L);
	queue_destroy(&q);
}

/* A file is claimed only when nobody has it open for writing: the read
 * lease is refused while a write descriptor exists (we run as the file's
 * owner, so the kernel can tell). */
static void test_claim_finished(void)
{
	spool sp;
	char err[512], path[128];
	struct stat st;
	enum spool_writer w;
	snprintf(path, sizeof path, "%s/spool", root);
	CHECKF(spool_open(&sp, path, err, sizeof err) == 0, "%s", err);
	int fd = openat(sp.fd[SPOOL_INCOMING], "w.png", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, "half", 4) == 4);
	CHECK(fstatat(sp.fd[SPOOL_INCOMING], "w.png", &st, 0) == 0);
	ino_t ino = st.st_ino;
	int rc = spool_claim_finished(&sp, "w.png", ino, &st, &w);
	if (rc == 0 && w == SPOOL_WRITER_UNKNOWN) {
		/* leases disabled here (fs.leases-enable = 0, or an odd file system) */
		printf("leases unavailable: claim check not testable here\n");
		close(fd);
		spool_close(&sp);
		return;
	}
	CHECKF(rc == 2 && w == SPOOL_WRITER_OPEN, "claim of a file open for writing: rc %d", rc);
	CHECK(exists(&sp, SPOOL_INCOMING, "w.png"));
	CHECK(spool_writer_state(&sp, SPOOL_INCOMING, "w.png") == SPOOL_WRITER_OPEN);
	CHECK(write(fd, " and the rest", 13) == 13);
	CHECK(close(fd) == 0);
	CHECK(spool_writer_state(&sp, SPOOL_INCOMING, "w.png") == SPOOL_WRITER_NONE);
	/* another file under the name: not the one found ready */
	CHECK(spool_claim_finished(&sp, "w.png", ino + 1, &st, &w) == 3);
	CHECK(spool_claim_finished(&sp, "w.png", ino, &st, &w) == 0 && w == SPOOL_WRITER_NONE);
	CHECK(st.st_size == 17 && exists(&sp, SPOOL_WORK, "w.png"));
	CHECK(spool_claim_finished(&sp, "gone.png", ino, &st, &w) == 3);
	spool_close(&sp);
}

int main(void)
{
	snprintf(root, sizeof root, "/tmp/test_spool.XXXXXX");
	if (!mkdtemp(root)) { perror("mkdtemp"); return 1; }
	test_names();
	test_open_and_moves();
	test_read();
	test_claim_finished();
	test_queue();
	if (check_failures == 0) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf %s", root);
		if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", root);
	}
	CHECK_DONE();
}
