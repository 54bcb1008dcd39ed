/* fuzz_page: libFuzzer target over load + clean + segment.
 *
 * Any byte string is handed to img_load (probe, then OpenCV's decoders) and
 * every decoded page through seg_page_run.  The pixel budget is small so a
 * run explores formats, not big allocations; the invariant checked, besides
 * the sanitizers', is that every candidate box lies inside its page.
 * Built and run by scripts/fuzz.sh (`make fuzz`). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "imaging/load.h"
#include "segment/segment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	img_load_opts lo;
	img_load_opts_default(&lo);
	lo.max_pixels = 4000000;
	img_doc doc;
	img_err err;
	if (img_load(data, size, &lo, &doc, &err) < 0) return 0;
	for (int p = 0; p < doc.npages; p++) {
		seg_options so;
		seg_options_default(&so);
		seg_page sp;
		if (seg_page_run(&doc.pages[p], &so, &sp, &err) < 0) continue;
		for (size_t i = 0; i < sp.ndigits; i++) {
			const seg_digit *d = &sp.digits[i];
			if (d->x < 0 || d->y < 0 || d->w <= 0 || d->h <= 0 || d->x + d->w > doc.pages[p].w ||
			    d->y + d->h > doc.pages[p].h)
				abort();
		}
		seg_page_free(&sp);
	}
	img_doc_free(&doc);
	return 0;
}
