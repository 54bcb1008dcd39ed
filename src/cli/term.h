/* term.h: the terminal under `digitctl review`: raw key input that is always
 * undone, and grey images drawn with Unicode half blocks.
 *
 * A text cell is about twice as tall as wide, so "▀" (upper half block) with
 * the foreground colour for the top pixel and the background colour for the
 * bottom one gives two square pixels per cell.  Colours are 24-bit greys when
 * the terminal says it can ($COLORTERM truecolor/24bit), else the 256-colour
 * palette's grey ramp. */
#ifndef DIGITD_CLI_TERM_H
#define DIGITD_CLI_TERM_H
#include <stddef.h>
#include <stdint.h>

/* Put the terminal on fd 0 in raw mode (no echo, no line editing, no signal
 * keys: ^C arrives as a byte), switch to the alternate screen and hide the
 * cursor.  SIGINT, SIGTERM, SIGHUP and SIGQUIT restore the terminal before
 * the process dies of them; SIGTSTP restores it before stopping and SIGCONT
 * re-enters raw mode.  Returns 0, or -1 when fd 0 is not a terminal. */
int term_raw_enter(void);
/* Undo term_raw_enter (safe to call twice). */
void term_raw_leave(void);
/* Terminal size in cells (80x24 when unknown). */
void term_size(int *cols, int *rows);
/* Set when the window size changed since the last call (SIGWINCH). */
int term_resized(void);

/* Read one key: a byte, or TERM_KEY_OTHER for an escape sequence (arrows and
 * the like, consumed whole), or -1 on end of input / error. */
#define TERM_KEY_OTHER 256
int term_read_key(void);

/* Whether 24-bit colour is used ($COLORTERM). */
int term_truecolor(void);

/* Append to buf (at most n bytes, NUL-terminated) text row `row` of the grey
 * image g (w x h, paper high, row-major) enlarged by scale: each cell shows
 * scaled pixel rows 2*row and 2*row+1 of columns 0..w*scale-1, ending with a
 * colour reset.  Returns the bytes appended. */
size_t term_halfblock_row(char *buf, size_t n, const uint8_t *g, int w, int h, int scale, int row, int truecolor);

#endif
