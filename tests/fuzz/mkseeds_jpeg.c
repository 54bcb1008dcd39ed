/* mkseeds_jpeg: the small JPEG seeds of the loader fuzz target (fuzz_load.c),
 * written with libjpeg so each pins down a case of the fast JPEG path: gray,
 * YCbCr 4:2:0 and 4:4:4, progressive gray and colour, restart markers.
 *   cc -o /tmp/mkseeds_jpeg tests/fuzz/mkseeds_jpeg.c -ljpeg && /tmp/mkseeds_jpeg tests/fuzz/seeds */
#include <stdio.h>
#include <jpeglib.h>

static void write_one(const char *dir, const char *name, int w, int h, int gray, int h0, int prog, int rst)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f) { perror(path); return; }
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr e;
	c.err = jpeg_std_error(&e);
	jpeg_create_compress(&c);
	jpeg_stdio_dest(&c, f);
	c.image_width = (JDIMENSION)w;
	c.image_height = (JDIMENSION)h;
	c.input_components = gray ? 1 : 3;
	c.in_color_space = gray ? JCS_GRAYSCALE : JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, 60, TRUE);
	if (!gray) c.comp_info[0].h_samp_factor = c.comp_info[0].v_samp_factor = h0;
	if (prog) jpeg_simple_progression(&c);
	c.restart_interval = (unsigned)rst;
	jpeg_start_compress(&c, TRUE);
	unsigned char row[3 * 64];
	while (c.next_scanline < c.image_height) {
		int y = (int)c.next_scanline;
		for (int x = 0; x < w * c.input_components; x++) row[x] = (unsigned char)((x * 9 + y * 17) ^ (x * y));
		JSAMPROW r = row;
		jpeg_write_scanlines(&c, &r, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *d = argc > 1 ? argv[1] : ".";
	write_one(d, "fl-gray.jpg", 40, 30, 1, 1, 0, 0);
	write_one(d, "fl-colour420.jpg", 37, 29, 0, 2, 0, 0);
	write_one(d, "fl-colour444-rst.jpg", 48, 32, 0, 1, 0, 1);
	write_one(d, "fl-gray-prog.jpg", 33, 21, 1, 1, 1, 0);
	write_one(d, "fl-colour-prog.jpg", 37, 29, 0, 2, 1, 0);
	return 0;
}
