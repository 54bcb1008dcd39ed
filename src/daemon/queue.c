/* queue.c: see queue.h.  A ring buffer under one mutex; the queues carry a few
 * dozen jobs per second at most, so contention is not a concern. */
#include "daemon/queue.h"

#include <stdlib.h>

int queue_init(queue *q, size_t cap)
{
	q->items = calloc(cap, sizeof *q->items);
	if (!q->items) return -1;
	q->cap = cap;
	q->head = q->len = 0;
	q->closed = q->discard = false;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	pthread_cond_init(&q->not_full, NULL);
	return 0;
}

void queue_destroy(queue *q)
{
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->not_empty);
	pthread_cond_destroy(&q->not_full);
	free(q->items);
	q->items = NULL;
}

bool queue_push(queue *q, void *item)
{
	pthread_mutex_lock(&q->mu);
	while (q->len == q->cap && !q->closed) pthread_cond_wait(&q->not_full, &q->mu);
	bool ok = !q->closed;
	if (ok) {
		q->items[(q->head + q->len) % q->cap] = item;
		q->len++;
		pthread_cond_signal(&q->not_empty);
	}
	pthread_mutex_unlock(&q->mu);
	return ok;
}

static void *take(queue *q)
{
	void *item = q->items[q->head];
	q->head = (q->head + 1) % q->cap;
	q->len--;
	pthread_cond_signal(&q->not_full);
	return item;
}

void *queue_pop(queue *q)
{
	void *item = NULL;
	pthread_mutex_lock(&q->mu);
	while (q->len == 0 && !q->closed) pthread_cond_wait(&q->not_empty, &q->mu);
	if (q->len > 0 && !q->discard) item = take(q);
	pthread_mutex_unlock(&q->mu);
	return item;
}

void *queue_try_pop(queue *q)
{
	void *item = NULL;
	pthread_mutex_lock(&q->mu);
	if (q->len > 0) item = take(q);
	pthread_mutex_unlock(&q->mu);
	return item;
}

size_t queue_len(queue *q)
{
	pthread_mutex_lock(&q->mu);
	size_t n = q->len;
	pthread_mutex_unlock(&q->mu);
	return n;
}

void queue_close(queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->closed = true;
	pthread_cond_broadcast(&q->not_empty);
	pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->mu);
}

void queue_close_discard(queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->discard = true;
	pthread_mutex_unlock(&q->mu);
	queue_close(q);
}
