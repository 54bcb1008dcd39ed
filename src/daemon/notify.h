/* notify.h: the sd_notify(3) protocol without libsystemd.
 *
 * systemd passes $NOTIFY_SOCKET (a path, or "@name" for the abstract
 * namespace) to a Type=notify service; each state change is one datagram of
 * "KEY=VALUE\n" lines.  When $NOTIFY_SOCKET is unset (not under systemd, or
 * run by hand) every call is a cheap no-op that returns 0.  Each call opens
 * its own socket, so the functions are safe from any thread.
 *
 * Return values: 1 sent, 0 not running under systemd, -1 send failed (errno
 * set; the failure is also logged once at warning level). */
#ifndef DIGITD_NOTIFY_H
#define DIGITD_NOTIFY_H

#include <stdint.h>

/* Send a raw message, e.g. "READY=1\nSTATUS=idle". */
int notify_send(const char *msg);

/* READY=1: the config is valid, the database migrated, the model loaded and
 * the first scan started.  Also send it after a reload has finished. */
int notify_ready(void);

/* STATUS=...: one line shown by `systemctl status` (newlines are folded). */
int notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* STOPPING=1: shutdown has begun. */
int notify_stopping(void);

/* RELOADING=1 with MONOTONIC_USEC=<CLOCK_MONOTONIC now>, as Type=notify-reload
 * (systemd >= 253) requires; older systemd accepts it too.  Follow with
 * notify_ready() once the new settings are in force (or the old ones kept). */
int notify_reloading(void);

/* WATCHDOG=1: send only while the pipeline makes progress or is idle. */
int notify_watchdog(void);

/* The watchdog period in microseconds from $WATCHDOG_USEC, or 0 when the
 * watchdog is off (unset, unparsable, or $WATCHDOG_PID names another
 * process).  Ping at half this period. */
uint64_t notify_watchdog_usec(void);

#endif
