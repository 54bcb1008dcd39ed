/* clones.h: hot loops built for several instruction sets at once.
 *
 * A function marked HOT_CLONES is compiled for plain x86-64, Haswell (AVX2,
 * FMA) and x86-64-v4 (AVX-512), and the loader picks the best the CPU has:
 * the default build runs everywhere and still uses the wide vectors where
 * they exist (-march=native stays an opt-in).  Sanitizer builds and other
 * compilers get the plain function. */
#ifndef DIGITD_UTIL_CLONES_H
#define DIGITD_UTIL_CLONES_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define HOT_CLONES __attribute__((target_clones("default", "arch=haswell", "arch=x86-64-v4")))
#else
#define HOT_CLONES
#endif

#endif
