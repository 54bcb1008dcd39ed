/* dataset.h: labelled 28x28 images in memory, and the IDX files (MNIST's
 * format) they are read from.  Training takes a dataset, so other sources
 * (reviewed digits from the database, generated negatives) join MNIST by
 * appending to one. */
#ifndef DIGITD_NN_DATASET_H
#define DIGITD_NN_DATASET_H
#include <stddef.h>
#include <stdint.h>

#define NN_IDX_MAX_ITEMS 20000000u  /* far above any digit set; bounds allocation */

typedef struct {
	uint8_t *images;   /* n * NN_PIXELS bytes */
	uint8_t *labels;   /* n class indices */
	size_t n, cap;
} nn_dataset;

/* Append n images with their labels (or, when labels is NULL, all labelled
 * label).  Returns 0, or -1 when out of memory. */
int nn_dataset_append(nn_dataset *d, const uint8_t *images, const uint8_t *labels,
		      uint8_t label, size_t n);
void nn_dataset_free(nn_dataset *d);

/* Read an IDX3 file of 28x28 unsigned-byte images: magic 0x00000803, item
 * count, 28, 28, then exactly count*784 bytes.  The header is validated
 * against the file size before anything is allocated.  *images is malloc'd. */
int nn_idx_read_images(const char *path, uint8_t **images, size_t *n, char *err, size_t errlen);
/* Read an IDX1 label file (magic 0x00000801); every label must be < classes. */
int nn_idx_read_labels(const char *path, int classes, uint8_t **labels, size_t *n,
		       char *err, size_t errlen);
/* Append an images/labels pair to d; the counts must match. */
int nn_idx_append_pair(nn_dataset *d, const char *images_path, const char *labels_path,
		       int classes, char *err, size_t errlen);

#endif
