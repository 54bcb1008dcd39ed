/* file.h: reading a whole file, bounded; writing one atomically.  The size is checked before anything
 * is allocated, so a huge or hostile file costs an error, not the machine. */
#ifndef DIGITD_FILE_H
#define DIGITD_FILE_H
#include <stddef.h>
#include <stdint.h>

/* Read the regular file at path into a malloc'd buffer (*buf, *len; free it).
 * Refuses anything that is not a regular file or is over max bytes.  A file
 * that shrinks while being read yields what was there.  Returns 0, or -1 with
 * "path: reason" in err. */
int file_read_all(const char *path, size_t max, uint8_t **buf, size_t *len, char *err, size_t errlen);

/* Write len bytes to path atomically: into path.tmp, fsync, close, rename
 * over path, so a reader sees the old file or the new one, never a part.
 * Returns 0, or -1 with the failing step in err (path.tmp removed). */
int file_write_atomic(const char *path, const void *buf, size_t len, char *err, size_t errlen);

#endif
