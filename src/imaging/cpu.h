/* cpu.h: run-time checks for the byte-shuffle paths of the C pixel loops
 * (png.c, channel.c).  Built for every x86-64; the shuffles (SSSE3) are
 * used only where the CPU has them, the plain loops otherwise. */
#ifndef DIGITD_IMAGING_CPU_H
#define DIGITD_IMAGING_CPU_H
#include <stdbool.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define IMG_SSSE3 1
static inline bool img_have_ssse3(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("ssse3");
}
#else
#define IMG_SSSE3 0
static inline bool img_have_ssse3(void)
{
	return false;
}
#endif

#endif
