/* gemm.h: the few matrix kernels every layer's forward and backward pass
 * reduces to.  They are the hot loops of the engine, so they are the only
 * functions built for several instruction sets (target_clones); everything
 * else is plain code.  All matrices are row-major floats and the result is
 * ACCUMULATED into C (callers zero or bias-fill it first). */
#ifndef DIGITD_NN_GEMM_H
#define DIGITD_NN_GEMM_H
#include <stddef.h>

/* C (M,N) += A (M,K) * B (K,N).  A's element (m,k) is A[m*sam + k*sak], so
 * the same kernel serves A and A transposed; B and C rows are ldb, ldc apart. */
void nn_gemm_nn(int M, int N, int K, const float *A, ptrdiff_t sam, ptrdiff_t sak,
		const float *B, int ldb, float *C, int ldc);
/* C (M,N) += A (M,K) * B (N,K)^T: dot products of rows of A with rows of B. */
void nn_gemm_nt(int M, int N, int K, const float *A, int lda,
		const float *B, int ldb, float *C, int ldc);

#endif
