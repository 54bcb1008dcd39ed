/* tiff_msg.h: libtiff's messages, caught per decode.
 *
 * libtiff reports through process-wide handlers; OpenCV installs silent
 * ones, so a TIFF whose strip data libtiff warned about (a fax line too
 * short, LZW data that ends early) was read as if whole and nothing was
 * said.  img_tiff_msgs_install() puts ours in place once OpenCV's are set;
 * around each TIFF decode a thread points them at its own img_tiff_msgs.
 *
 * The rule (the same as for libjpeg and libpng: corrupt means failed): any
 * libtiff error, and any warning about the image data, fails the page with
 * libtiff's first message.  Warnings about the directory's tags (an unknown
 * tag, a tag of the wrong type, which libtiff ignores and then reads the
 * pixels as usual) are logged with the file name at notice and do not fail:
 * scanners write private tags routinely. */
#ifndef DIGITD_IMAGING_TIFF_MSG_H
#define DIGITD_IMAGING_TIFF_MSG_H
#include <stdbool.h>

typedef struct {
	const char *name;       /* the file's name, for the log; may be NULL */
	bool failed;            /* an error or a data warning was reported */
	int count;              /* messages seen */
	char first[200];        /* "module: message" of the first failing one */
} img_tiff_msgs;

#ifdef __cplusplus
extern "C" {
#endif
void img_tiff_msgs_install(void);
void img_tiff_msgs_begin(img_tiff_msgs *m, const char *name);
void img_tiff_msgs_end(void);
#ifdef __cplusplus
}
#endif

#endif
