/* queue.h: a bounded, blocking FIFO of pointers between threads.
 *
 * The bound is the daemon's back-pressure: a full queue blocks the producer,
 * so a burst of 10,000 dropped files costs memory for `cap` jobs, not for
 * 10,000.  Closing wakes every waiter: pop then drains what is left (or, with
 * queue_close_discard, returns NULL at once so shutdown does not start new
 * work; the discarded items are the owner's to free). */
#ifndef DIGITD_QUEUE_H
#define DIGITD_QUEUE_H
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	void **items;
	size_t cap, head, len;
	bool closed, discard;
} queue;

int queue_init(queue *q, size_t cap);
void queue_destroy(queue *q);
/* Block until there is room; false if the queue was closed (item not queued). */
bool queue_push(queue *q, void *item);
/* Block until an item arrives; NULL once closed and (drained or discarding). */
void *queue_pop(queue *q);
/* Non-blocking pop for draining after shutdown; NULL when empty. */
void *queue_try_pop(queue *q);
size_t queue_len(queue *q);
void queue_close(queue *q);
void queue_close_discard(queue *q);

#endif
