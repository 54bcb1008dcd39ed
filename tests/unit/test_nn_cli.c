/* digitctl train and eval as processes: --help, usage errors (exit 2), a
 * tiny real training run, eval's text and JSON reports, and a damaged model
 * (exit 1 with a message naming the file). */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char out[1 << 16];

/* Run a shell command; capture stdout+stderr into out; return exit status. */
static int run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	if (!p)
		return -1;
	for (size_t r; (r = fread(out + n, 1, sizeof out - 1 - n, p)) > 0;)
		n += r;
	out[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(void)
{
	const char *root = getenv("DIGITD_ROOT") ? getenv("DIGITD_ROOT") : ".";
	const char *build = getenv("DIGITD_BUILD") ? getenv("DIGITD_BUILD") : "build";
	char ctl[4096], data[4096], dir[64] = "/tmp/test_nn_cli.XXXXXX", cmd[16384];
	snprintf(ctl, sizeof ctl, "%s/%s/digitctl", root, build);
	snprintf(data, sizeof data, "%s/data/mnist", root);
	if (access(ctl, X_OK) != 0)
		SKIP("%s not built", ctl);
	if (!mkdtemp(dir))
		return 1;

	snprintf(cmd, sizeof cmd, "%s train --help 2>&1", ctl);
	CHECK(run(cmd) == 0 && strstr(out, "Usage: digitctl train") && strstr(out, "--negatives"));
	snprintf(cmd, sizeof cmd, "%s eval --help 2>&1", ctl);
	CHECK(run(cmd) == 0 && strstr(out, "Usage: digitctl eval") && strstr(out, "--json"));
	static const char *bad[] = {
		"train", "train --data x", "train --data x --out y --epochs zero", "train --data x --out y --batch 20",
		"train --data x --out y --bogus", "train --data x --out y extra", "train --data x --out y --arch c6",
		"eval", "eval --model x", "eval --model x --data y --threads 0", "eval --model x --data y z",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(cmd, sizeof cmd, "%s %s 2>&1", ctl, bad[i]);
		const int rc = run(cmd);
		CHECKF(rc == 2 && strstr(out, "Usage:"), "'%s': exit %d", bad[i], rc);
	}
	if (access(data, R_OK) != 0)
		SKIP("MNIST not available in %s; run make data", data);

	/* A tiny real run: 1,000 images, one epoch. */
	snprintf(cmd, sizeof cmd, "%s train --data %s --epochs 1 --limit 1000 --val 500 --threads 2 "
		 "--out %s/tiny.model 2>&1", ctl, data, dir);
	CHECKF(run(cmd) == 0 && strstr(out, "epoch 1/1") && strstr(out, "wrote"), "train: %s", out);
	snprintf(cmd, sizeof cmd, "%s eval --model %s/tiny.model --data %s 2>&1", ctl, dir, data);
	CHECKF(run(cmd) == 0 && strstr(out, "accuracy") && strstr(out, "confusion") && strstr(out, "ECE") &&
	       strstr(out, "error-reject") && strstr(out, "tiny:"), "eval: %s", out);
	snprintf(cmd, sizeof cmd, "%s eval --model %s/tiny.model --data %s --json", ctl, dir, data);
	CHECK(run(cmd) == 0);
	CHECKF(out[0] == '{' && strstr(out, "\"accuracy\":0.") && strstr(out, "\"per_class\":[") &&
	       strstr(out, "\"confusion\":[[") && strstr(out, "\"ece\":{\"before\":") &&
	       strstr(out, "\"reject\":[{\"rate\":0.005") && strstr(out, "}\n") && !strchr(out, '\n')[1],
	       "json: %s", out);
	/* A damaged model: exit 1, a message naming the file. */
	snprintf(cmd, sizeof cmd, "head -c 5000 %s/tiny.model > %s/cut.model && %s eval --model %s/cut.model --data %s 2>&1",
		 dir, dir, ctl, dir, data);
	CHECKF(run(cmd) == 1 && strstr(out, "cut.model") && strstr(out, "checksum"), "damaged: %s", out);
	/* --negatives with a 10-output spec is refused. */
	snprintf(cmd, sizeof cmd, "%s train --data %s --negatives %s/train-images-idx3-ubyte --limit 100 "
		 "--out %s/neg.model 2>&1", ctl, data, data, dir);
	CHECK(run(cmd) == 1 && strstr(out, "11-output"));

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	CHECK_DONE();
}
