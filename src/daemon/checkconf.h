/* checkconf.h: what `digitd --check-config` checks beyond the file's syntax.
 *
 * config_load() proves the file is well formed; this proves the places it
 * names are usable by the user running the check, so a typo in a path or a
 * wrong owner shows before a restart rather than as a failed start:
 *   - the spool is a directory we may read, write and enter, and each of its
 *     incoming/ work/ done/ failed/ that exists is one too; a spool that does
 *     not exist is fine when its parent is a writable directory (digitd
 *     creates the tree at start);
 *   - the database opens or can be created (store_probe(): nothing written);
 *   - the model loads, and so does its verifier when one is beside it.
 * Every problem is reported, not just the first.  Run it as the service's
 * user (`sudo -u digitd digitd --check-config`): permissions are checked for
 * whoever runs it, and root may write anywhere. */
#ifndef DIGITD_CHECKCONF_H
#define DIGITD_CHECKCONF_H

#include "util/config.h"

/* Called once per problem with a one-line message naming the path. */
typedef void (*checkconf_report)(const char *msg, void *arg);

/* Check cfg's paths; returns the number of problems reported. */
int config_check_paths(const struct digitd_config *cfg, checkconf_report report, void *arg);

#endif
