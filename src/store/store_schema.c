/* store_schema.c: the SQL the daemon applies, embedded in the binary so an
 * installed digitd never depends on finding sql/ at run time.
 *
 * The assembler's .incbin copies sql/schema.sql (and each migration) into
 * .rodata at build time, NUL-terminated; the Makefile makes this object depend
 * on the sql/ files so an edited schema is rebuilt in.  To add schema version N:
 * write sql/migrate-N.sql (it takes N-1 to N; only additions, the public names
 * stay), add an EMBED line and a table entry below, bump STORE_SCHEMA_VERSION,
 * and update sql/schema.sql's comment (fresh databases get schema.sql and then
 * every migration, so schema.sql itself stays the version-1 baseline). */
#include "store/store_internal.h"

#define EMBED(sym, file)                                        \
	__asm__(".pushsection .rodata\n"                          \
		".globl " #sym "\n"                               \
		".hidden " #sym "\n"                              \
		".type " #sym ", @object\n"                       \
		#sym ":\n"                                        \
		".incbin \"" file "\"\n"                          \
		".byte 0\n"                                       \
		".size " #sym ", . - " #sym "\n"                  \
		".popsection\n")

EMBED(store_schema_v1_sql, "sql/schema.sql");
extern const char store_schema_v1_sql[];

EMBED(store_migrate_2_sql, "sql/migrate-2.sql");
extern const char store_migrate_2_sql[];
EMBED(store_migrate_3_sql, "sql/migrate-3.sql");
extern const char store_migrate_3_sql[];
EMBED(store_migrate_4_sql, "sql/migrate-4.sql");
extern const char store_migrate_4_sql[];

const char *store_schema_sql(void) { return store_schema_v1_sql; }

const store_migration store_migrations[] = {
	{ 2, store_migrate_2_sql },   /* documents.failure: why a document failed */
	{ 3, store_migrate_3_sql },   /* fields.why, unread regions */
	{ 4, store_migrate_4_sql },   /* documents sent back: requeued_at, superseded_by */
};
const size_t store_nmigrations = sizeof store_migrations / sizeof store_migrations[0];
