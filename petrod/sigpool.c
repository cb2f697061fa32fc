/* Signature workers: see sigpool.h.
 *
 * A job is one caller's batch, living on the caller's stack. Workers and the caller claim
 * chunks of SIGPOOL_CHUNK items under the pool lock and verify them unlocked; the thread
 * that claims the last chunk takes the job off the queue, and the thread that finishes the
 * last item wakes the caller. A job is therefore never touched after its done count reaches
 * its item count, which is when the caller may return and free it. */
#include "sigpool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "assert.h"
#include "log.h"

#define SIGPOOL_CHUNK 8u

typedef struct sigpool_job {
    sigpool_item *items;
    size_t count;
    size_t next_index; /* first item not yet claimed */
    size_t done_count; /* items verified */
} sigpool_job;

struct sigpool {
    pthread_mutex_t lock;
    pthread_cond_t work_cond; /* workers: a job was queued, or stop */
    pthread_cond_t done_cond; /* callers: some job completed */
    sigpool_job *queue[SIGPOOL_QUEUE_JOBS_MAX];
    size_t queue_count;
    bool is_stopping;
    uint32_t thread_count;
    pthread_t *threads;
};

static void verify_range(sigpool_item *items, size_t begin, size_t end) {
    PETROD_ASSERT(items != NULL);
    PETROD_ASSERT(begin <= end);
    for (size_t i = begin; i < end; i++)
        items[i].mask = petro_tx_verify_sigs(items[i].tx, items[i].id);
}

/* Under the lock: claim the next chunk of job; take it off the queue when fully claimed. */
static size_t claim_chunk(sigpool *p, sigpool_job *job, size_t *begin) {
    PETROD_ASSERT_HELD(&p->lock);
    PETROD_ASSERT(job->next_index < job->count); /* a fully claimed job is off the queue */
    *begin = job->next_index;
    size_t n = job->count - job->next_index;
    if (n > SIGPOOL_CHUNK) n = SIGPOOL_CHUNK;
    job->next_index += n;
    if (job->next_index == job->count) {
        bool is_queued = false;
        for (size_t i = 0; i < p->queue_count && !is_queued; i++) {
            if (p->queue[i] == job) {
                memmove(&p->queue[i], &p->queue[i + 1],
                        (p->queue_count - i - 1) * sizeof p->queue[0]);
                p->queue_count--;
                is_queued = true;
            }
        }
        PETROD_ASSERT(is_queued); /* only the claimer of the last chunk takes it off */
    }
    PETROD_ASSERT(n > 0);
    return n;
}

/* Under the lock: record n finished items of job. */
static void finish_chunk(sigpool *p, sigpool_job *job, size_t n) {
    PETROD_ASSERT_HELD(&p->lock);
    PETROD_ASSERT(n <= job->count - job->done_count);
    job->done_count += n;
    if (job->done_count == job->count) pthread_cond_broadcast(&p->done_cond);
}

static void *worker_main(void *arg) {
    prctl(PR_SET_NAME, "sigverify", 0, 0, 0); /* thread name, for top -H and perf */
    sigpool *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (p->queue_count == 0 && !p->is_stopping) pthread_cond_wait(&p->work_cond, &p->lock);
        if (p->queue_count == 0) break; /* stopping and nothing left */
        sigpool_job *job = p->queue[0];
        size_t begin;
        size_t n = claim_chunk(p, job, &begin);
        pthread_mutex_unlock(&p->lock);
        verify_range(job->items, begin, begin + n);
        pthread_mutex_lock(&p->lock);
        finish_chunk(p, job, n);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

petro_result sigpool_create(sigpool **out, uint32_t thread_count) {
    *out = NULL;
    if (thread_count > SIGPOOL_THREAD_COUNT_MAX) thread_count = SIGPOOL_THREAD_COUNT_MAX;
    sigpool *p = calloc(1, sizeof *p);
    if (p == NULL) return PETRO_ERR_NOMEM;
    if (thread_count > 0) {
        p->threads = calloc(thread_count, sizeof p->threads[0]);
        if (p->threads == NULL) {
            free(p);
            return PETRO_ERR_NOMEM;
        }
    }
    if (pthread_mutex_init(&p->lock, NULL) != 0) goto fail_mutex;
    if (pthread_cond_init(&p->work_cond, NULL) != 0) goto fail_work;
    if (pthread_cond_init(&p->done_cond, NULL) != 0) goto fail_done;
    for (uint32_t i = 0; i < thread_count; i++) {
        int rc = pthread_create(&p->threads[i], NULL, worker_main, p);
        if (rc != 0) {
            log_error("sigpool: cannot start worker %u: %s", i, strerror(rc));
            p->thread_count = i;
            sigpool_destroy(p);
            return PETRO_ERR_IO;
        }
        p->thread_count = i + 1;
    }
    *out = p;
    return PETRO_OK;
fail_done:
    pthread_cond_destroy(&p->work_cond);
fail_work:
    pthread_mutex_destroy(&p->lock);
fail_mutex:
    free(p->threads);
    free(p);
    return PETRO_ERR_NOMEM;
}

void sigpool_destroy(sigpool *p) {
    if (p == NULL) return;
    pthread_mutex_lock(&p->lock);
    p->is_stopping = true;
    pthread_cond_broadcast(&p->work_cond);
    pthread_mutex_unlock(&p->lock);
    for (uint32_t i = 0; i < p->thread_count; i++) pthread_join(p->threads[i], NULL);
    PETROD_ASSERT(p->queue_count == 0); /* callers wait for their jobs: none outlives them */
    pthread_cond_destroy(&p->done_cond);
    pthread_cond_destroy(&p->work_cond);
    pthread_mutex_destroy(&p->lock);
    free(p->threads);
    free(p);
}

void sigpool_verify(sigpool *p, sigpool_item *items, size_t count) {
    if (count == 0) return;
    PETROD_ASSERT(items != NULL);
    if (p->thread_count == 0 || count <= 1) {
        verify_range(items, 0, count);
        return;
    }
    sigpool_job job = {.items = items, .count = count};
    pthread_mutex_lock(&p->lock);
    if (p->queue_count == SIGPOOL_QUEUE_JOBS_MAX || p->is_stopping) {
        pthread_mutex_unlock(&p->lock);
        verify_range(items, 0, count);
        return;
    }
    p->queue[p->queue_count++] = &job;
    pthread_cond_broadcast(&p->work_cond);
    /* Work on our own job too; bounded by count / SIGPOOL_CHUNK chunks. */
    while (job.next_index < job.count) {
        size_t begin;
        size_t n = claim_chunk(p, &job, &begin);
        pthread_mutex_unlock(&p->lock);
        verify_range(items, begin, begin + n);
        pthread_mutex_lock(&p->lock);
        finish_chunk(p, &job, n);
    }
    while (job.done_count < job.count) pthread_cond_wait(&p->done_cond, &p->lock);
    /* The job lives on this stack: nothing may refer to it once we return. */
    PETROD_ASSERT(job.next_index == job.count);
    PETROD_DEBUG_ASSERT(p->queue_count == 0 || p->queue[0] != &job);
    pthread_mutex_unlock(&p->lock);
}
