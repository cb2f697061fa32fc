/* Assertions of petrod: programmer errors, never operating errors.
 *
 * PETROD_ASSERT(cond) is always on, release builds included: a node that holds money stops
 * (abort, so a core dump shows where) rather than continue in a state it does not understand.
 * PETROD_DEBUG_ASSERT(cond) is for checks that cost more than a comparison (scans, locking);
 * it is compiled only when PETRO_DEBUG is defined (Debug, sanitizer and fuzz builds: see the
 * top-level CMakeLists.txt), as libpetro's PETRO_DEBUG_ASSERT.
 *
 * Rules (shared/STYLE.md, "Assertions"): assert what the code relies on (preconditions on
 * pointers and sizes passed between petrod's own modules, buffer bounds before a copy, state
 * transitions, lock ownership); one fact per assertion; no side effects. Never assert on what
 * arrives from outside (HTTP bodies, etcd values, files, blocks of other nodes): that must
 * return an error. The failure line is logged as
 * "petrod error: assertion failed: FILE:LINE FUNC: EXPR".
 *
 * petrod/ is on petrod's include path, so this file also answers #include <assert.h> there:
 * bare assert() does not exist in petrod (it vanishes under NDEBUG), and a system header that
 * needed it would fail to compile, loudly, rather than lose its checks. */
#ifndef PETROD_ASSERT_H
#define PETROD_ASSERT_H

#include <errno.h>
#include <pthread.h>

/** Log the failed assertion on one line and abort. Never returns. */
_Noreturn void petrod_assert_fail(const char *file, int line, const char *func,
                                  const char *expr);

#define PETROD_ASSERT(cond) \
    ((cond) ? (void)0 : petrod_assert_fail(__FILE__, __LINE__, __func__, #cond))

#ifdef PETRO_DEBUG
#define PETROD_DEBUG_ASSERT(cond) PETROD_ASSERT(cond)
#else
#define PETROD_DEBUG_ASSERT(cond) ((void)0)
#endif

/* The mutex is held (debug builds): a function documented "under X->lock" checks that some
 * thread holds it. pthreads cannot tell which thread owns a normal mutex, so this catches the
 * caller that forgot to lock, not one that relies on another thread's lock. If the mutex is
 * free, trylock takes it, and the assertion fails and aborts: the only side effect happens on
 * the way to abort. */
#ifdef PETRO_DEBUG
#define PETROD_ASSERT_HELD(mutex)                                                     \
    (pthread_mutex_trylock(mutex) == EBUSY                                            \
         ? (void)0                                                                    \
         : petrod_assert_fail(__FILE__, __LINE__, __func__, "lock held: " #mutex))
#else
#define PETROD_ASSERT_HELD(mutex) ((void)0)
#endif

#endif
