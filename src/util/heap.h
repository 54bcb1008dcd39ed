/* heap.h: how the C library's allocator should treat page-sized buffers. */
#ifndef DIGITD_HEAP_H
#define DIGITD_HEAP_H

/* Keep freed whole-image buffers in the process for the next page instead
 * of handing them back to the kernel (heap.c says why).  Call once, early in
 * main(), before any thread starts.  A no-op outside glibc. */
void heap_keep_pages(void);

#endif
