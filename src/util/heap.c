/* heap.c: page-sized buffers are reused, not faulted in again.
 *
 * A page passes through a dozen whole-image buffers: the decoded page, its
 * gray and flattened copies, binary images and masks, and a label image of
 * four bytes a pixel (9 MB for a 150 dpi A4 page).  By default glibc serves
 * blocks that large with a fresh mmap(), or trims them off the heap when
 * they are freed, so every page faults tens of megabytes in again, each 4 KiB
 * zeroed by the kernel: a fifth to a third of the CPU time of a cheque or a
 * PNG page.  Serving them from the heap and not trimming it costs no memory
 * beyond what the largest page needs anyway at its peak. */
#include <stdlib.h>      /* defines __GLIBC__ on glibc */

#include "util/heap.h"

#ifdef __GLIBC__
#include <malloc.h>

void heap_keep_pages(void)
{
	/* 32 MiB is the largest mmap threshold glibc accepts on 64-bit; a block
	 * over it (a 600 dpi colour page) still gets its own mapping. */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
}
#else
void heap_keep_pages(void)
{
}
#endif
