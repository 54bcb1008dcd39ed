/* reviewed.h: the digits people reviewed, as training data.
 *
 * A reviewed digit is a labelled sample of the handwriting digitd actually
 * sees: its crop28 is exactly the normalised 28x28 image the model was given
 * (MNIST polarity, ink high), and reviewed_label is the truth.  Training on
 * them (digitctl train --extra-db) teaches the model the mistakes people had
 * to correct. */
#ifndef DIGITD_STORE_REVIEWED_H
#define DIGITD_STORE_REVIEWED_H
#include <stddef.h>
#include <stdint.h>

/* Read every reviewed digit with a 784-byte crop28 from the digitd database
 * at db_path (opened read-only; safe while digitd runs).  On success *images
 * holds n*784 bytes and *labels n labels 0-9 (both malloc'd, NULL when n is
 * 0; the caller frees them) in digit id order.  Returns 0, or -1 with a
 * message in err (missing, corrupt or newer database, out of memory). */
int store_reviewed_crops(const char *db_path, uint8_t **images, uint8_t **labels, size_t *n,
			 char *err, size_t errlen);

#endif
