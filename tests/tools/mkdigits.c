/* mkdigits: write N small, distinct handwritten-style number images for the
 * daemon's scenario tests and benchmark (fast to recognise, so a burst of a
 * thousand files tests the spool rather than the recogniser).
 *
 *   mkdigits DIR N [PREFIX] [FIRST]
 *
 * Writes DIR/PREFIX-<i>.png for i = FIRST..FIRST+N-1, a 160x64 gray image with
 * the 4-digit number i drawn in a Hershey script font.  Files are written as
 * ".tmp" and renamed, so a watching daemon never sees half a file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/draw.h"

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: mkdigits DIR N [PREFIX] [FIRST]\n");
		return 2;
	}
	const char *dir = argv[1];
	long n = strtol(argv[2], NULL, 10);
	const char *prefix = argc > 3 ? argv[3] : "digits";
	long first = argc > 4 ? strtol(argv[4], NULL, 10) : 0;
	for (long i = first; i < first + n; i++) {
		img_t im;
		img_err err;
		char text[16], tmp[4096], path[4096];
		if (img_alloc(&im, 160, 64, 1, &err) < 0) {
			fprintf(stderr, "mkdigits: %s\n", err.msg);
			return 1;
		}
		memset(im.data, 255, im.stride * (size_t)im.h);
		snprintf(text, sizeof text, "%04ld", i % 10000);
		img_draw_text(&im, text, 12, 46, 1.4, (img_color){ 0, 0, 0 }, 3, 4);
		/* a mark that makes each file distinct even when i repeats mod 10000 */
		img_draw_rect(&im, (int)(i / 10000) % 150, 60, 4, 3, (img_color){ 0, 0, 0 }, -1);
		snprintf(path, sizeof path, "%s/%s-%05ld.png", dir, prefix, i);
		/* img_write picks the format from the extension: write under a
		 * hidden .png name first */
		snprintf(tmp, sizeof tmp, "%s/.%s-%05ld.png", dir, prefix, i);
		if (img_write(tmp, &im, 1, 0, &err) < 0 || rename(tmp, path) < 0) {
			fprintf(stderr, "mkdigits: %s: %s\n", path, err.msg);
			img_free(&im);
			return 1;
		}
		img_free(&im);
	}
	return 0;
}
