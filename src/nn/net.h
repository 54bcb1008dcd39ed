/* net.h: the network's internal shape: a spec string parsed into a list of
 * layers, forward and backward passes over a batch, and their scratch memory.
 *
 * Dimension letters used throughout src/nn/:
 *   N  images in the batch           C, H, W  channels, height, width of an input
 *   OC output channels (conv maps)   K        conv kernel side / pooling window
 *   P  output pixels, OH*OW          I, O     fully connected inputs, outputs
 * Activations are stored per image, contiguous: image n of a layer's output
 * starts at n * out_size, laid out (C,H,W).  A fully connected layer sees its
 * input as a flat vector of I = C*H*W floats, so a batch is an (N,I) matrix.
 *
 * Parameters live in one flat float vector (so an optimiser, the model file
 * and gradient reduction treat them alike): per layer, weights then biases;
 * conv weights (OC,C,K,K), fc weights (O,I). */
#ifndef DIGITD_NN_NET_H
#define DIGITD_NN_NET_H
#include <stddef.h>
#include <stdint.h>

#define NN_MAX_LAYERS 32
#define NN_SPEC_MAX 255          /* bytes of a spec string, without NUL */
#define NN_MAX_PARAMS (8u << 20)  /* 32 MB of floats: far above any sane LeNet */
#define NN_MAX_ACT (1u << 20)     /* floats of one image's largest activation */

enum nn_kind { NN_CONV, NN_MAXPOOL, NN_AVGPOOL, NN_RELU, NN_TANH, NN_SIGMOID, NN_FC, NN_DROPOUT };

typedef struct {
	enum nn_kind kind;
	int ic, ih, iw;         /* input shape of one image */
	int oc, oh, ow;         /* output shape (fc: oc = O, oh = ow = 1) */
	int k, pad;             /* conv kernel side and zero padding; pool window;
				   dropout: per cent of units dropped */
	size_t w_off, b_off;    /* offsets into the parameter vector */
	size_t nparams;         /* weights + biases of this layer */
	size_t in_size, out_size; /* floats per image */
} nn_layer;

typedef struct {
	int nlayers;
	nn_layer layer[NN_MAX_LAYERS];
	int in_pad;             /* input frame: 28x28 placed in a (28+2p) square of background */
	int in_side;
	int classes;            /* outputs of the last (fc) layer */
	size_t nparams;
	size_t col_size;        /* largest conv scratch matrix of one image, floats */
	size_t max_taps;        /* largest C*K*K of a conv layer */
	size_t max_act;         /* largest activation of one image, floats */
} nn_net;

/* Parse spec (a name such as "classic" or a layer list, see spec.c) into net.
 * Returns 0, or -1 with a message in err.  Every dimension is bounded, so a
 * hostile spec cannot make later allocations unbounded. */
int nn_net_parse(nn_net *net, const char *spec, char *err, size_t errlen);
/* The layer list a name stands for, or spec itself when it is not a name. */
const char *nn_spec_expand(const char *spec);

/* One image's convolution scratch: im2col matrices (or wide output rows) and
 * the table of kernel-tap offsets. */
typedef struct {
	float *col, *dcol;             /* col_size floats each */
	int *koff;                     /* max_taps ints */
} nn_scratch;

/* Scratch memory for passes over up to max_n images.  Every activation and
 * gradient buffer has NN_SLACK floats of zeroed slack past its end, because
 * the in-place convolution reads (and adds zeros) up to K-2 floats beyond
 * an image's last row. */
#define NN_SLACK 64
typedef struct {
	int max_n;
	float *act[NN_MAX_LAYERS + 1]; /* act[0] is the input, act[l+1] layer l's output */
	float *dcur, *dnext;           /* gradient ping-pong, max_n * max_act each */
	nn_scratch s;
	/* Training only: when set, dropout layers drop units, image i with a
	 * mask drawn from a generator seeded by drop_seed[i]; when NULL
	 * (inference) they pass everything through. */
	const uint64_t *drop_seed;
	/* Set by the trainer: every layer's output is kept for the backward
	 * pass.  When clear, a convolution followed by ReLU and 2x2 max
	 * pooling is computed in one pass (same results, fewer buffers). */
	int training;
} nn_work;

int nn_work_init(nn_work *w, const nn_net *net, int max_n);
void nn_work_free(nn_work *w);

/* Fill act[0] with n normalised, framed images from raw bytes. */
void nn_net_input(const nn_net *net, nn_work *w, const uint8_t *img, int n, float mean, float std);
/* Forward pass over w->act[0]; returns the (N, classes) logits inside w. */
float *nn_net_forward(const nn_net *net, const float *params, nn_work *w, int n);
/* Backward pass after a forward pass over the same n images: dlogits (N,
 * classes) in, parameter gradients ADDED into grad (nparams floats). */
void nn_net_backward(const nn_net *net, const float *params, nn_work *w, int n,
		     const float *dlogits, float *grad);
/* Initialise parameters (He for ReLU nets, Xavier otherwise) from seed. */
void nn_net_init_params(const nn_net *net, float *params, uint64_t seed);

/* Per-layer kernels for one image (layers.c) and their naive references
 * (layers_ref.c, used by tests to check the fast versions). */
enum nn_conv_post { NN_POST_NONE, NN_POST_RELU, NN_POST_RELU_MAX2 };
void nn_conv_forward(const nn_layer *l, const float *w, const float *b,
		     const float *in, float *out, const nn_scratch *s, enum nn_conv_post post);
void nn_conv_backward(const nn_layer *l, const float *w, const float *in,
		      const float *dout, float *din, float *dw, float *db, const nn_scratch *s);
void nn_pool_forward(const nn_layer *l, const float *in, float *out);
/* in (C,H,W) -> col (C*K*K, OH*OW), row r of col at col + r*ld. */
void nn_im2col(const nn_layer *l, const float *in, float *col, size_t ld);
void nn_pool_backward(const nn_layer *l, const float *in, const float *out,
		      const float *dout, float *din);

void nn_conv_forward_ref(const nn_layer *l, const float *w, const float *b,
			 const float *in, float *out);
void nn_conv_backward_ref(const nn_layer *l, const float *w, const float *in,
			  const float *dout, float *din, float *dw, float *db);
void nn_pool_forward_ref(const nn_layer *l, const float *in, float *out);
void nn_pool_backward_ref(const nn_layer *l, const float *in, const float *out,
			  const float *dout, float *din);

#endif
