/* draw.h: drawing and writing images, for debug overlays, `show --overlay` and
 * the sample generator.  Colours are BGR; on a 1-channel image the first
 * component is used.  Same error convention as imaging.h. */
#ifndef DIGITD_DRAW_H
#define DIGITD_DRAW_H
#include "imaging/imaging.h"

typedef struct { uint8_t b, g, r; } img_color;

void img_draw_line(img_t *im, int x0, int y0, int x1, int y1, img_color c, int thickness);
void img_draw_rect(img_t *im, int x, int y, int w, int h, img_color c, int thickness); /* thickness<0: filled */
/* Text with an OpenCV Hershey font; (x, y) is the baseline's left end.
 * font: 0 simplex, 1 duplex, 2 complex, 3 triplex, 4 script simplex, 5 italic complex,
 * 6 plain, 7 script complex, 8 italic simplex. */
void img_draw_text(img_t *im, const char *text, int x, int y, double scale, img_color c, int thickness, int font);
/* Width and height in pixels that img_draw_text would use. */
void img_text_size(const char *text, double scale, int thickness, int font, int *w, int *h);
/* Convert gray <-> BGR (dst is allocated). */
int img_to_bgr(const img_t *src, img_t *dst, img_err *err);
/* Write pages to path; format from the extension (.png .jpg .tif .bmp .pgm .webp).
 * n > 1 only for .tif (multi-page).  quality: JPEG/WebP quality 1-100, else ignored. */
int img_write(const char *path, const img_t *pages, int n, int quality, img_err *err);

#endif
