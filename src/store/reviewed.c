/* reviewed.c: reviewed digits out of the database for training (reviewed.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn.h"
#include "store/query.h"
#include "store/reviewed.h"

int store_reviewed_crops(const char *db_path, uint8_t **images, uint8_t **labels, size_t *n,
			 char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	uint8_t *img = NULL, *lab = NULL;
	size_t count = 0, total = 0;
	int step;

	*images = NULL;
	*labels = NULL;
	*n = 0;
	if (query_open(db_path, 0, &db, err, errlen) < 0) return -1;
	/* one read transaction, so the count and the rows agree while digitd writes */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) goto sqlfail;
	const char *where = " FROM digits WHERE reviewed_label BETWEEN 0 AND 9 AND length(crop28) = 784";
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT count(*)%s", where);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) goto sqlfail;
	total = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (total == 0) goto done;
	img = malloc(total * NN_PIXELS);
	lab = malloc(total);
	if (!img || !lab) {
		snprintf(err, errlen, "%s: out of memory for %zu reviewed digits", db_path, total);
		goto fail;
	}
	snprintf(sql, sizeof sql, "SELECT crop28, reviewed_label%s ORDER BY id", where);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) goto sqlfail;
	while ((step = sqlite3_step(st)) == SQLITE_ROW && count < total) {
		if (sqlite3_column_bytes(st, 0) != NN_PIXELS) continue;
		memcpy(img + count * NN_PIXELS, sqlite3_column_blob(st, 0), NN_PIXELS);
		lab[count] = (uint8_t)sqlite3_column_int(st, 1);
		count++;
	}
	if (step != SQLITE_DONE && step != SQLITE_ROW) goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
done:
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	if (count == 0) {
		free(img);
		free(lab);
		img = lab = NULL;
	}
	*images = img;
	*labels = lab;
	*n = count;
	return 0;
sqlfail:
	snprintf(err, errlen, "%s: cannot read reviewed digits: %s", db_path, sqlite3_errmsg(db));
fail:
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(img);
	free(lab);
	return -1;
}
