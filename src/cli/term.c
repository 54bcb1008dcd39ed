/* term.c: raw mode that always comes back, and half-block grey images.
 *
 * The invariant: whatever ends the program (q, ^C, a signal, a crash in a
 * handler-covered signal, end of input), the terminal is back in the mode it
 * was in, on the main screen, with its cursor.  Signal handlers only call
 * async-signal-safe functions (tcsetattr, write, signal, raise). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "cli/term.h"

static struct termios saved;
static volatile sig_atomic_t raw_on, resized;

static const char enter_seq[] = "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J";
static const char leave_seq[] = "\x1b[0m\x1b[?25h\x1b[?1049l";

static void write_all(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, s, n);
		if (w < 0 && errno == EINTR) continue;
		if (w <= 0) return;
		s += w;
		n -= (size_t)w;
	}
}

static int set_raw(void)
{
	struct termios t = saved;
	t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	return tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
}

static void restore(void)
{
	if (!raw_on) return;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	write_all(leave_seq, sizeof leave_seq - 1);
	raw_on = 0;
}

static void on_fatal_signal(int sig)
{
	restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_tstp(int sig)
{
	(void)sig;
	restore();
	signal(SIGTSTP, SIG_DFL);
	raise(SIGTSTP);
}

static void on_cont(int sig)
{
	(void)sig;
	signal(SIGTSTP, on_tstp);
	if (!raw_on && set_raw() == 0) {
		raw_on = 1;
		write_all(enter_seq, sizeof enter_seq - 1);
		resized = 1;   /* the screen is blank: ask for a redraw */
	}
}

static void on_winch(int sig)
{
	(void)sig;
	resized = 1;
}

int term_raw_enter(void)
{
	struct sigaction sa;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) return -1;
	if (tcgetattr(STDIN_FILENO, &saved) < 0) return -1;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_fatal_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sa.sa_handler = on_tstp;
	sigaction(SIGTSTP, &sa, NULL);
	sa.sa_handler = on_cont;
	sigaction(SIGCONT, &sa, NULL);
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, NULL);
	if (set_raw() < 0) return -1;
	raw_on = 1;
	atexit(term_raw_leave);
	write_all(enter_seq, sizeof enter_seq - 1);
	return 0;
}

void term_raw_leave(void)
{
	fflush(stdout);
	restore();
}

void term_size(int *cols, int *rows)
{
	struct winsize ws;
	*cols = 80;
	*rows = 24;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
		*cols = ws.ws_col;
		*rows = ws.ws_row;
	}
}

int term_resized(void)
{
	int r = resized;
	resized = 0;
	return r;
}

int term_read_key(void)
{
	unsigned char c;
	for (;;) {
		ssize_t n = read(STDIN_FILENO, &c, 1);
		if (n == 1) break;
		if (n < 0 && errno == EINTR) {
			if (resized) return TERM_KEY_OTHER;   /* let the caller redraw */
			continue;
		}
		return -1;
	}
	if (c != 0x1b) return c;
	/* an escape sequence arrives in one burst; a lone ESC does not */
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	while (poll(&p, 1, 30) == 1) {
		if (read(STDIN_FILENO, &c, 1) != 1) break;
	}
	return TERM_KEY_OTHER;
}

int term_truecolor(void)
{
	const char *c = getenv("COLORTERM");
	return c && (strcmp(c, "truecolor") == 0 || strcmp(c, "24bit") == 0);
}

/* Nearest entry of the 256-colour palette for grey v: the ramp 232..255
 * (8, 18, ... 238), or 16 (black) / 231 (white). */
static int grey256(int v)
{
	if (v < 4) return 16;
	if (v > 246) return 231;
	int i = (v - 8 + 5) / 10;
	if (i < 0) i = 0;
	if (i > 23) i = 23;
	return 232 + i;
}

static int colour(char *out, size_t n, int fg, int v, int truecolor)
{
	if (truecolor) return snprintf(out, n, "\x1b[%d;2;%d;%d;%dm", fg ? 38 : 48, v, v, v);
	return snprintf(out, n, "\x1b[%d;5;%dm", fg ? 38 : 48, grey256(v));
}

size_t term_halfblock_row(char *buf, size_t n, const uint8_t *g, int w, int h, int scale, int row, int truecolor)
{
	size_t off = strlen(buf), start = off;
	int last_fg = -1, last_bg = -1;
	int y0 = (2 * row) / scale, y1 = (2 * row + 1) / scale;
	char tmp[32];
	for (int c = 0; c < w * scale; c++) {
		int x = c / scale;
		int top = y0 < h ? g[y0 * w + x] : 0, bot = y1 < h ? g[y1 * w + x] : 0;
		if (!truecolor) { top = grey256(top); bot = grey256(bot); }
		int len = 0;
		/* only emit a colour when it changes: keeps a frame small */
		if (top != last_fg) {
			len += truecolor ? colour(tmp, sizeof tmp, 1, top, 1) : snprintf(tmp, sizeof tmp, "\x1b[38;5;%dm", top);
			last_fg = top;
		}
		if (off + (size_t)len + 64 >= n) break;
		memcpy(buf + off, tmp, (size_t)len);
		off += (size_t)len;
		len = 0;
		if (bot != last_bg) {
			len = truecolor ? colour(tmp, sizeof tmp, 0, bot, 1) : snprintf(tmp, sizeof tmp, "\x1b[48;5;%dm", bot);
			last_bg = bot;
		}
		memcpy(buf + off, tmp, (size_t)len);
		off += (size_t)len;
		memcpy(buf + off, "\xe2\x96\x80", 3);   /* U+2580 upper half block */
		off += 3;
	}
	memcpy(buf + off, "\x1b[0m", 5);
	off += 4;
	return off - start;
}
