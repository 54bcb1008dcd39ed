/* spec.c: architecture spec strings.
 *
 * A spec is a list of tokens separated by spaces or commas, read left to
 * right from the 28x28 input:
 *   pad<P>          (first token only) place the image in a frame of P
 *                   background pixels per side, e.g. pad2 gives 32x32
 *   c<OC>k<K>[p<P>] convolution, OC maps of KxK, stride 1, zero padding P
 *   max<S> avg<S>   max / average pooling over SxS windows, stride S
 *   relu tanh sigmoid
 *   fc<O>           fully connected with O outputs
 *   drop<P>         dropout of P per cent of the units while training (identity
 *                   when classifying)
 * The last token must be fc<classes>; softmax is implied.  Names stand for
 * whole specs (table below).  The model file stores the expanded spec, so a
 * model keeps working if a name's meaning ever changes. */
#include "nn/net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct { const char *name, *spec; } named[] = {
	/* LeNet-5 as commonly trained today: ReLU, max pooling. */
	{ "classic", "pad2 c6k5 relu max2 c16k5 relu max2 fc120 relu fc84 relu fc10" },
	/* The same with an 11th output, class 10 = "not a digit". */
	{ "classic-reject", "pad2 c6k5 relu max2 c16k5 relu max2 fc120 relu fc84 relu fc11" },
	/* The seed paper's smaller net: 6 and 12 maps, average pooling, sigmoid,
	 * one fully connected layer from S4 to the outputs. */
	{ "paper", "pad2 c6k5 sigmoid avg2 c12k5 sigmoid avg2 fc10" },
};

const char *nn_spec_expand(const char *spec)
{
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (strcmp(spec, named[i].name) == 0)
			return named[i].spec;
	return spec;
}

/* Read a decimal in [lo,hi] at *s; advance *s.  -1 if absent or out of range. */
static int number(const char **s, int lo, int hi)
{
	const char *p = *s;
	long v = 0;
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p - '0');
		if (v > hi)
			return -1;
		p++;
	}
	*s = p;
	return v < lo ? -1 : (int)v;
}

static int add_layer(nn_net *net, nn_layer *l, const char *tok, char *err, size_t errlen)
{
	if (net->nlayers >= NN_MAX_LAYERS) {
		snprintf(err, errlen, "spec has more than %d layers", NN_MAX_LAYERS);
		return -1;
	}
	if (l->oc < 1 || l->oh < 1 || l->ow < 1) {
		snprintf(err, errlen, "spec token '%s' leaves no output (input %dx%dx%d)", tok, l->ic, l->ih, l->iw);
		return -1;
	}
	l->in_size = (size_t)l->ic * l->ih * l->iw;
	l->out_size = (size_t)l->oc * l->oh * l->ow;
	if (l->out_size > NN_MAX_ACT) {
		snprintf(err, errlen, "spec token '%s' makes an activation of %zu floats (limit %u)",
			 tok, l->out_size, NN_MAX_ACT);
		return -1;
	}
	l->w_off = net->nparams;
	if (l->kind == NN_CONV)
		l->nparams = (size_t)l->oc * l->ic * l->k * l->k + l->oc;
	else if (l->kind == NN_FC)
		l->nparams = l->in_size * l->oc + l->oc;
	else
		l->nparams = 0;
	l->b_off = l->w_off + (l->nparams ? l->nparams - l->oc : 0);
	net->nparams += l->nparams;
	if (net->nparams > NN_MAX_PARAMS) {
		snprintf(err, errlen, "spec needs more than %u parameters", NN_MAX_PARAMS);
		return -1;
	}
	if (l->kind == NN_CONV) {
		/* Explicit im2col (C*K*K, P) or wide output rows (OC, OH*W). */
		const size_t taps = (size_t)l->ic * l->k * l->k;
		size_t col = taps * l->oh * l->ow;
		const size_t wide = ((size_t)l->oh * l->iw + 15) & ~(size_t)15;
		if ((size_t)l->oc * wide > col)
			col = (size_t)l->oc * wide;
		if (taps > net->max_taps)
			net->max_taps = taps;
		if (col > 4 * (size_t)NN_MAX_ACT) {
			snprintf(err, errlen, "spec token '%s' needs too large a convolution buffer", tok);
			return -1;
		}
		if (col > net->col_size)
			net->col_size = col;
	}
	if (l->out_size > net->max_act)
		net->max_act = l->out_size;
	net->layer[net->nlayers++] = *l;
	return 0;
}

int nn_net_parse(nn_net *net, const char *spec, char *err, size_t errlen)
{
	memset(net, 0, sizeof *net);
	spec = nn_spec_expand(spec);
	if (strlen(spec) > NN_SPEC_MAX) {
		snprintf(err, errlen, "spec is longer than %d bytes", NN_SPEC_MAX);
		return -1;
	}
	char buf[NN_SPEC_MAX + 1];
	strcpy(buf, spec);
	int c = 1, h = 28, w = 28, first = 1;
	char *save = NULL;
	for (char *tok = strtok_r(buf, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save), first = 0) {
		nn_layer l = { .ic = c, .ih = h, .iw = w, .oc = c, .oh = h, .ow = w };
		const char *p = tok;
		int ok = 1;
		if (strncmp(p, "pad", 3) == 0) {
			p += 3;
			int pad = number(&p, 0, 16);
			if (!first || pad < 0 || *p) {
				snprintf(err, errlen, "spec token '%s': pad<0..16> is allowed only first", tok);
				return -1;
			}
			net->in_pad = pad;
			h = w = 28 + 2 * pad;
			continue;
		} else if (p[0] == 'c' && p[1] >= '0' && p[1] <= '9') {
			p++;
			l.kind = NN_CONV;
			l.oc = number(&p, 1, 1024);
			ok = l.oc > 0 && *p++ == 'k' && (l.k = number(&p, 1, 15)) > 0;
			if (ok && *p == 'p') {
				p++;
				l.pad = number(&p, 0, 14);
				ok = l.pad >= 0 && l.pad < l.k;
			}
			ok = ok && !*p;
			l.oh = h + 2 * l.pad - l.k + 1;
			l.ow = w + 2 * l.pad - l.k + 1;
		} else if (strncmp(p, "max", 3) == 0 || strncmp(p, "avg", 3) == 0) {
			l.kind = p[0] == 'm' ? NN_MAXPOOL : NN_AVGPOOL;
			p += 3;
			l.k = number(&p, 2, 8);
			ok = l.k > 0 && !*p;
			if (ok) {
				l.oh = h / l.k;
				l.ow = w / l.k;
			}
		} else if (strncmp(p, "drop", 4) == 0) {
			p += 4;
			l.kind = NN_DROPOUT;
			l.k = number(&p, 1, 90);
			ok = l.k > 0 && !*p;
		} else if (strcmp(p, "relu") == 0) {
			l.kind = NN_RELU;
		} else if (strcmp(p, "tanh") == 0) {
			l.kind = NN_TANH;
		} else if (strcmp(p, "sigmoid") == 0) {
			l.kind = NN_SIGMOID;
		} else if (strncmp(p, "fc", 2) == 0) {
			p += 2;
			l.kind = NN_FC;
			l.oc = number(&p, 1, 65536);
			l.oh = l.ow = 1;
			ok = l.oc > 0 && !*p;
		} else {
			ok = 0;
		}
		if (!ok) {
			snprintf(err, errlen, "spec token '%s' is not one of pad<P> c<OC>k<K>[p<P>] "
				 "max<S> avg<S> relu tanh sigmoid fc<O> drop<P>", tok);
			return -1;
		}
		if (add_layer(net, &l, tok, err, errlen) < 0)
			return -1;
		c = l.oc; h = l.oh; w = l.ow;
	}
	net->in_side = 28 + 2 * net->in_pad;
	if (net->nlayers == 0 || net->layer[net->nlayers - 1].kind != NN_FC) {
		snprintf(err, errlen, "spec '%s' must end with a fully connected layer fc<classes>", spec);
		return -1;
	}
	net->classes = net->layer[net->nlayers - 1].oc;
	if (net->classes < 2 || net->classes > 64) {
		snprintf(err, errlen, "spec '%s' has %d outputs; 2..64 are supported", spec, net->classes);
		return -1;
	}
	return 0;
}
