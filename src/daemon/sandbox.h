/* sandbox.h: what a worker process gives up before it reads untrusted bytes.
 *
 *  - RLIMIT_AS = worker_memory: a decompression bomb or a runaway allocation
 *    fails inside the worker (an error, or at worst its death), never
 *    pushes the machine into swap or the out-of-memory killer onto digitd;
 *  - RLIMIT_CORE = 0: a crash leaves no core of someone's document behind;
 *  - PR_SET_NO_NEW_PRIVS and PR_SET_DUMPABLE 0: no set-uid program gains
 *    anything from it, and no other process of the same user may ptrace it;
 *  - a seccomp filter (sandbox.c has the list): only the system calls
 *    recognition makes (memory, its socket and stderr, read-only opens,
 *    time, exit); opening a file for writing, sockets, exec, new processes,
 *    signals to other processes and ptrace fail with EPERM.  So even code
 *    run by a hostile image cannot change the database, the spool or digitd:
 *    it has no descriptor for them and cannot get a writable one.
 *
 * The limits cannot be raised again (hard limits; no setrlimit/prlimit64 in
 * the filter). */
#ifndef DIGITD_SANDBOX_H
#define DIGITD_SANDBOX_H
#include <stddef.h>
#include <stdint.h>

/* 0, or -1 with a message (the worker then refuses to start). */
int sandbox_enter(uint64_t memory, char *err, size_t errlen);

#endif
