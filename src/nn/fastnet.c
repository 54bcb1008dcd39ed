/* fastnet.c: see fastnet.h.  Dimension letters as in net.h; G is the number
 * of images whose im2col matrices sit side by side in one product, and NP
 * (a multiple of 16) that product's padded column count. */
#include "nn/fastnet.h"
#include "nn/nn.h"
#include "nn/gemm.h"

#include <stdlib.h>
#include <string.h>

/* Floats of one im2col matrix group: small enough to stay in L2 with the
 * product while the tiles stream over it. */
#define COL_BUDGET (64u << 10)

typedef struct {
	const nn_layer *l;      /* the conv or fc layer */
	int relu, pool;         /* followed by ReLU; by 2x2 max pooling (conv only) */
	int G, NP;              /* conv: images per product, padded columns */
	int *koff;              /* unpadded conv: offset of each tap (c,ky,kx) in an input */
	int rows32;             /* conv: by conv_rows32 */
	int hwc;                /* conv: by conv16_rows, output (OH', OW', OC) channels last;
				   fc: its input is such an output */
	int OP;                 /* fc: outputs rounded up to 16 */
	const float *w, *b;     /* conv: w (OC, C*K*K), b (OC) from the model */
	float *wt, *bias;       /* fc: w^T (I, OP) and b (OP), zero padded;
				   conv16_rows: w^T (C*K*K, 16) and b (16) */
	size_t out_size;        /* floats per image of the stage's output */
} stage;

struct nn_fast {
	const nn_net *net;
	int max_n, nstages;
	stage st[NN_MAX_LAYERS];
	float *act[NN_MAX_LAYERS + 1];  /* act[0] input frames, act[s+1] stage s's output */
	float *col, *prod;              /* im2col group (C*K*K, NP); product (OC, NP) or (N, OP) */
	float scale, bg;                /* byte -> normalised input */
};

/* Every buffer has this many floats of zeroed slack past its end: an
 * unpadded convolution reads up to K+30 floats past its input (its junk
 * columns). */
#define SLACK 64

typedef float vec16 __attribute__((vector_size(64)));
typedef int ivec16 __attribute__((vector_size(64)));

/* Lanewise maximum of two vec16 (a macro: gcc warns about vector arguments
 * in the default clone's ABI). */
#define VMAX(a, b) ((vec16)(((ivec16)(a) & ((a) > (b))) | ((ivec16)(b) & ~((a) > (b)))))

/* The even and the odd lanes of the 32 in a, b. */
#ifdef __clang__
#define EVEN_LANES(a, b) __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)
#define ODD_LANES(a, b) __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31)
#else
#define EVEN_LANES(a, b) __builtin_shuffle(a, b, (ivec16){ 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30 })
#define ODD_LANES(a, b) __builtin_shuffle(a, b, (ivec16){ 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31 })
#endif

/* Output row width of the convolutions conv16_rows computes. */
#define CONV16_OW 10
/* Maps of the convolutions conv_rows32 computes. */
#define ROWS32_OC 6

static int round16(size_t n)
{
	return (int)((n + 15) & ~(size_t)15);
}

static float *falloc(size_t n)
{
	const size_t bytes = ((n + SLACK) * sizeof(float) + 63) & ~(size_t)63;
	float *p = aligned_alloc(64, bytes ? bytes : 64);
	if (p)
		memset(p, 0, bytes);
	return p;
}

void nn_fast_free(nn_fast *f)
{
	if (!f)
		return;
	for (int s = 0; s < f->nstages; s++) {
		free(f->st[s].wt);
		free(f->st[s].bias);
		free(f->st[s].koff);
	}
	for (int i = 0; i <= NN_MAX_LAYERS; i++)
		free(f->act[i]);
	free(f->col);
	free(f->prod);
	free(f);
}

/* Group the layers into stages; 0, or -1 if a layer is not handled. */
static int plan(nn_fast *f, const float *params)
{
	const nn_net *net = f->net;
	for (int li = 0; li < net->nlayers; li++) {
		const nn_layer *l = &net->layer[li];
		if (l->kind == NN_DROPOUT)
			continue;
		if (l->kind != NN_CONV && l->kind != NN_FC)
			return -1;
		stage *s = &f->st[f->nstages++];
		s->l = l;
		s->out_size = l->out_size;
		while (li + 1 < net->nlayers && net->layer[li + 1].kind == NN_DROPOUT)
			li++;
		if (li + 1 < net->nlayers && net->layer[li + 1].kind == NN_RELU) {
			s->relu = 1;
			li++;
		}
		if (l->kind == NN_CONV && li + 1 < net->nlayers && net->layer[li + 1].kind == NN_MAXPOOL &&
		    net->layer[li + 1].k == 2) {
			s->pool = 1;
			s->out_size = net->layer[++li].out_size;
		}
		if (l->kind == NN_CONV) {
			const size_t KK = (size_t)l->ic * l->k * l->k, P = (size_t)l->oh * l->ow;
			s->w = params + l->w_off;
			s->b = params + l->b_off;
			if (l->pad) {
				s->G = (int)(COL_BUDGET / (KK * P));
				s->G = s->G < 1 ? 1 : s->G > f->max_n ? f->max_n : s->G;
				s->NP = round16((size_t)s->G * P);
				continue;
			}
			if (l->k + 31 > SLACK)
				return -1;
			s->rows32 = s->pool && l->oc == ROWS32_OC && l->ow <= 32 && l->iw <= 32;
			s->G = 1;
			s->NP = round16((size_t)l->oh * l->iw);
			if (!(s->koff = malloc(sizeof(int) * KK)))
				return -1;
			for (int c = 0; c < l->ic; c++)
				for (int ky = 0; ky < l->k; ky++)
					for (int kx = 0; kx < l->k; kx++)
						s->koff[(c * l->k + ky) * l->k + kx] = (c * l->ih + ky) * l->iw + kx;
			continue;
		}
		s->OP = round16((size_t)l->oc);
	}
	/* The last stage must be the fc layer that gives the logits. */
	if (!f->nstages || f->st[f->nstages - 1].l != &net->layer[net->nlayers - 1] ||
	    f->st[f->nstages - 1].l->kind != NN_FC)
		return -1;
	for (int i = 0; i < f->nstages; i++) {
		stage *s = &f->st[i];
		const nn_layer *l = s->l;
		if (l->kind == NN_CONV) {
			/* conv16_rows's shape, feeding a fully connected layer
			 * (which reads its input in any order we like). */
			if (l->pad || !s->pool || l->oc != 16 || l->ow != CONV16_OW || i + 1 == f->nstages ||
			    f->st[i + 1].l->kind != NN_FC)
				continue;
			const int KK = l->ic * l->k * l->k;
			if (!(s->wt = falloc((size_t)KK * 16)) || !(s->bias = falloc(16)))
				return -1;
			/* w (16,KK) -> wt (KK,16) */
			for (int m = 0; m < 16; m++) {
				for (int k = 0; k < KK; k++)
					s->wt[(size_t)k * 16 + m] = s->w[(size_t)m * KK + k];
				s->bias[m] = s->b[m];
			}
			s->hwc = f->st[i + 1].hwc = 1;
			continue;
		}
		const int I = (int)l->in_size, O = l->oc, OP = s->OP;
		if (!(s->wt = falloc((size_t)I * OP)) || !(s->bias = falloc((size_t)OP)))
			return -1;
		/* w (O,I) -> wt (I,OP).  Input i is (c,y,x) of a (C,HW) output,
		 * or, after conv16_rows, (y,x,c) of an (HW,16) one. */
		const size_t HW = (size_t)I / 16;
		for (int o = 0; o < O; o++) {
			for (size_t in = 0; in < (size_t)I; in++) {
				const size_t at = s->hwc ? in % 16 * HW + in / 16 : in;
				s->wt[in * OP + o] = params[l->w_off + (size_t)o * I + at];
			}
			s->bias[o] = params[l->b_off + o];
		}
	}
	return 0;
}

nn_fast *nn_fast_new(const nn_net *net, const float *params, float mean, float std, int max_n)
{
	nn_fast *f = calloc(1, sizeof *f);
	if (!f || max_n < 1)
		goto fail;
	f->net = net;
	f->max_n = max_n;
	f->scale = 1.0f / (255.0f * std);
	f->bg = -mean / std;
	if (plan(f, params) < 0)
		goto fail;
	size_t col = 16, prod = 16;
	for (int s = 0; s < f->nstages; s++) {
		const stage *st = &f->st[s];
		const nn_layer *l = st->l;
		if (l->kind == NN_CONV) {
			const size_t KK = (size_t)l->ic * l->k * l->k;
			if (l->pad)
				col = KK * st->NP > col ? KK * st->NP : col;
			prod = (size_t)l->oc * st->NP > prod ? (size_t)l->oc * st->NP : prod;
		} else {
			prod = (size_t)max_n * st->OP > prod ? (size_t)max_n * st->OP : prod;
		}
	}
	if (!(f->act[0] = falloc((size_t)max_n * net->in_side * net->in_side)) ||
	    !(f->col = falloc(col)) || !(f->prod = falloc(prod)))
		goto fail;
	for (int s = 0; s < f->nstages; s++)
		if (!(f->act[s + 1] = falloc((size_t)max_n * f->st[s].out_size)))
			goto fail;
	return f;
fail:
	nn_fast_free(f);
	return NULL;
}

/* prod (OC, ldp) holds cnt images' raw sums: image g's output pixel (y,x)
 * in column g*GS + y*RS + x.  out (cnt, OC, OH', OW') = pool(relu(prod + b));
 * adding b after the maximum is the same as before it. */
NN_HOT
static void conv_post(const stage *s, const float *restrict prod, int ldp, int GS, int RS,
		      int cnt, float *restrict out)
{
	const nn_layer *l = s->l;
	const int OC = l->oc, OH = l->oh, OW = l->ow;
	const float lo = s->relu ? 0.0f : -__builtin_inff();
	for (int g = 0; g < cnt; g++)
		for (int m = 0; m < OC; m++) {
			const float *src = prod + (size_t)m * ldp + (size_t)g * GS;
			const float b = s->b[m];
			if (!s->pool) {
				float *dst = out + (size_t)g * s->out_size + (size_t)m * OH * OW;
				for (int y = 0; y < OH; y++)
					for (int x = 0; x < OW; x++) {
						const float v = src[y * RS + x] + b;
						dst[y * OW + x] = v > lo ? v : lo;
					}
				continue;
			}
			const int PH = OH / 2, PW = OW / 2;
			float *dst = out + (size_t)g * s->out_size + (size_t)m * PH * PW;
			for (int py = 0; py < PH; py++) {
				const float *r0 = src + 2 * py * RS, *r1 = r0 + RS;
				for (int px = 0; px < PW; px++) {
					const float a = r0[2 * px] > r0[2 * px + 1] ? r0[2 * px] : r0[2 * px + 1];
					const float c = r1[2 * px] > r1[2 * px + 1] ? r1[2 * px] : r1[2 * px + 1];
					const float v = (a > c ? a : c) + b;
					dst[py * PW + px] = v > lo ? v : lo;
				}
			}
		}
}

/* An unpadded convolution with 6 maps and output rows at most 32 wide
 * (LeNet-5's first), followed by 2x2 max pooling: register tiles of the 6
 * maps by two output rows read 32 wide in place (as the wide rows above, the
 * columns past OW are junk), pooled before they leave the registers.  Per
 * tap 4 vector loads and 6 broadcasts feed 24 multiply-adds.
 * in (C,H,W) -> out (6, OH/2, OW/2) = pool(relu(conv + b)). */
NN_HOT
static void conv_rows32(const stage *s, const float *restrict in, float *restrict out)
{
	const nn_layer *l = s->l;
	const int KK = l->ic * l->k * l->k, W = l->iw, PH = l->oh / 2, PW = l->ow / 2;
	const float lo = s->relu ? 0.0f : -__builtin_inff();
	for (int py = 0; py < PH; py++) {
		vec16 acc[ROWS32_OC][4];  /* row 2py columns 0-15, 16-31; row 2py+1 likewise */
		for (int m = 0; m < ROWS32_OC; m++)
			for (int j = 0; j < 4; j++)
				acc[m][j] = (vec16){ 0 };
		const float *x = in + 2 * py * W;
		for (int k = 0; k < KK; k++) {
			const float *r0 = x + s->koff[k], *r1 = r0 + W;
			vec16 b[4];
			memcpy(&b[0], r0, sizeof b[0]);
			memcpy(&b[1], r0 + 16, sizeof b[1]);
			memcpy(&b[2], r1, sizeof b[2]);
			memcpy(&b[3], r1 + 16, sizeof b[3]);
			for (int m = 0; m < ROWS32_OC; m++) {
				const float a = s->w[m * KK + k];
				for (int j = 0; j < 4; j++)
					acc[m][j] += a * b[j];
			}
		}
		for (int m = 0; m < ROWS32_OC; m++) {
			/* Rows' maximum, columns 0-15 and 16-31, then pairs of columns. */
			const vec16 v0 = VMAX(acc[m][0], acc[m][2]), v1 = VMAX(acc[m][1], acc[m][3]);
			const vec16 e = EVEN_LANES(v0, v1), o = ODD_LANES(v0, v1);
			const vec16 lov = (vec16){ 0 } + lo;
			const vec16 t = VMAX(VMAX(e, o) + s->b[m], lov);
			float *dst = out + ((size_t)m * PH + py) * PW;
			/* A whole vector when the columns past PW land on rows of this
			 * map written later; the map's last rows one by one. */
			if ((py + 1) * PW + 16 - PW <= PH * PW)
				memcpy(dst, &t, sizeof t);
			else
				for (int px = 0; px < PW; px++)
					dst[px] = t[px];
		}
	}
}

/* A convolution with 16 maps and 10-wide output rows (LeNet-5's second),
 * followed by 2x2 max pooling, with the maps in the vector lanes: per tap,
 * one vector of the 16 maps' weights times 20 broadcast input pixels (a pair
 * of output rows), so that no output column is wasted (the wide rows above
 * waste 4 of 14) and the pooling is a maximum of whole vectors, in
 * registers.  in (C,H,W) -> out (OH/2, 5, 16) = pool(relu(conv + b)). */
NN_HOT
static void conv16_rows(const stage *s, const float *restrict in, float *restrict out)
{
	const nn_layer *l = s->l;
	const int KK = l->ic * l->k * l->k, W = l->iw, PH = l->oh / 2, PW = CONV16_OW / 2;
	const float lo = s->relu ? 0.0f : -__builtin_inff();
	for (int py = 0; py < PH; py++) {
		vec16 acc[2][CONV16_OW];
		for (int r = 0; r < 2; r++)
			for (int c = 0; c < CONV16_OW; c++)
				acc[r][c] = (vec16){ 0 };
		const float *x = in + 2 * py * W;
		for (int k = 0; k < KK; k++) {
			vec16 w;
			memcpy(&w, s->wt + 16 * k, sizeof w);
			const float *r0 = x + s->koff[k], *r1 = r0 + W;
			for (int c = 0; c < CONV16_OW; c++) {
				acc[0][c] += r0[c] * w;
				acc[1][c] += r1[c] * w;
			}
		}
		const vec16 lov = (vec16){ 0 } + lo;
		vec16 b;
		memcpy(&b, s->bias, sizeof b);
		for (int px = 0; px < PW; px++) {
			const vec16 ab = VMAX(acc[0][2 * px], acc[0][2 * px + 1]);
			const vec16 cd = VMAX(acc[1][2 * px], acc[1][2 * px + 1]);
			const vec16 v = VMAX(VMAX(ab, cd) + b, lov);
			memcpy(out + (py * PW + px) * 16, &v, sizeof v);
		}
	}
}

/* in (N, C, H, W) -> out (N, stage output). */
static void conv_stage(nn_fast *f, const stage *s, const float *in, float *out, int n)
{
	const nn_layer *l = s->l;
	const int KK = l->ic * l->k * l->k, P = l->oh * l->ow;
	if (s->hwc) {
		for (int g = 0; g < n; g++)
			conv16_rows(s, in + (size_t)g * l->in_size, out + (size_t)g * s->out_size);
		return;
	}
	if (s->rows32) {
		for (int g = 0; g < n; g++)
			conv_rows32(s, in + (size_t)g * l->in_size, out + (size_t)g * s->out_size);
		return;
	}
	if (!l->pad) {
		/* Image by image, the input read in place through the tap
		 * offsets (see nn_conv_forward): prod (OC, NP) = w (OC, KK) *
		 * taps (KK, NP), output rows W wide, the last K-1 columns junk. */
		for (int g = 0; g < n; g++) {
			nn_gemm_store(l->oc, s->NP, KK, s->w, KK, in + (size_t)g * l->in_size, 0, s->koff,
				      f->prod, s->NP);
			conv_post(s, f->prod, s->NP, 0, l->iw, 1, out + (size_t)g * s->out_size);
		}
		return;
	}
	for (int g0 = 0; g0 < n; g0 += s->G) {
		const int cnt = n - g0 < s->G ? n - g0 : s->G;
		const int NP = round16((size_t)cnt * P);
		/* col (KK, NP): image g's matrix in columns [g*P, (g+1)*P),
		 * zero padding columns after the last. */
		for (int g = 0; g < cnt; g++)
			nn_im2col(l, in + (size_t)(g0 + g) * l->in_size, f->col + (size_t)g * P, (size_t)NP);
		for (int k = 0; k < KK && NP > cnt * P; k++)
			memset(f->col + (size_t)k * NP + (size_t)cnt * P, 0, sizeof(float) * (size_t)(NP - cnt * P));
		/* prod (OC, NP) = w (OC, KK) * col (KK, NP) */
		nn_gemm_store(l->oc, NP, KK, s->w, KK, f->col, NP, NULL, f->prod, NP);
		conv_post(s, f->prod, NP, P, l->ow, cnt, out + (size_t)g0 * s->out_size);
	}
}

/* in (N, I) -> out (N, O) = relu?(in * w^T + b) */
static void fc_stage(nn_fast *f, const stage *s, const float *in, float *out, int n)
{
	const int I = (int)s->l->in_size, O = s->l->oc, OP = s->OP;
	const float lo = s->relu ? 0.0f : -__builtin_inff();
	/* prod (N, OP) = in (N, I) * wt (I, OP) */
	nn_gemm_store(n, OP, I, in, I, s->wt, OP, NULL, f->prod, OP);
	for (int i = 0; i < n; i++)
		for (int o = 0; o < O; o++) {
			const float v = f->prod[(size_t)i * OP + o] + s->bias[o];
			out[(size_t)i * O + o] = v > lo ? v : lo;
		}
}

const float *nn_fast_forward(nn_fast *f, const uint8_t *img, int n)
{
	const int S = f->net->in_side, pad = f->net->in_pad;
	for (int i = 0; i < n; i++) {
		float *dst = f->act[0] + (size_t)i * S * S;
		const uint8_t *src = img + (size_t)i * NN_PIXELS;
		for (int j = 0; j < S * S; j++)
			dst[j] = f->bg;
		for (int y = 0; y < NN_SIDE; y++)
			for (int x = 0; x < NN_SIDE; x++)
				dst[(y + pad) * S + x + pad] = (float)src[y * NN_SIDE + x] * f->scale + f->bg;
	}
	for (int s = 0; s < f->nstages; s++) {
		if (f->st[s].l->kind == NN_CONV)
			conv_stage(f, &f->st[s], f->act[s], f->act[s + 1], n);
		else
			fc_stage(f, &f->st[s], f->act[s], f->act[s + 1], n);
	}
	return f->act[f->nstages];
}
