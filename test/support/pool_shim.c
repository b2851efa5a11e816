/* Copyright 2026 The mod_batch authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

/*
 * pool_shim: every APR pool allocation its own malloc'd block, so that the
 * sanitizers see pool memory. Test support only, never part of the module.
 *
 * Why: APR carves pool allocations out of big blocks (Debian's APR maps
 * them with mmap), so AddressSanitizer sees neither a read or write past
 * the end of an apr_palloc'd buffer nor a use after the pool was cleared,
 * and LeakSanitizer does not scan what pools hold. Linked into a program,
 * or preloaded into httpd after the sanitizer runtime, this file's
 * apr_palloc, apr_pcalloc, apr_pvsprintf and apr_psprintf take the place of
 * APR's, for the program's calls and for those inside libapr and
 * libaprutil, which go through the PLT (apr_pstrdup, apr_array_push,
 * apr_hash_set, apr_brigade_create ...). Each allocation is malloc'd at
 * exactly the requested size, so ASan's redzone follows its last byte.
 * apr_pvsprintf formats straight into the pool's block without calling
 * apr_palloc, so its result is copied into a block of its own.
 *
 * When blocks are freed: once the pool's apr_pool_clear or apr_pool_destroy
 * has returned, as APR frees pool memory after every cleanup has run. A
 * cleanup per block would not do: cleanups run last registered first, so a
 * block allocated after a cleanup was registered would be freed before that
 * cleanup runs, and code relies on the opposite. APR itself does:
 * free_proc_chain reads the apr_proc_t given to apr_pool_note_subprocess,
 * and its own list, after the cleanups (a crash); and any cleanup reading a
 * field filled in after it was registered would get a false
 * use-after-free. (Brigades and buckets would survive it: their cleanups
 * read memory allocated before they were registered, or bucket allocator
 * memory.) So each pool has a tracker, the list of its blocks, with one
 * cleanup that retires it: unmaps it from the pool and puts it on its
 * thread's retired list; the outermost apr_pool_clear or apr_pool_destroy
 * (also replaced here) frees the retired blocks when it returns. The
 * cleanup is needed because apr_pool_destroy destroys subpools by a direct
 * call that no interposition sees. A block allocated during the pool's
 * cleanups lands in a new tracker whose cleanup runs next (run_cleanups
 * rereads the head of the list), and is freed with the rest.
 * test/unit/test_pool_shim.c checks each of these cases.
 *
 * Trackers are found by pool address in a table of their own (a pool's
 * userdata would do, but apr_hash_set allocates while it links an entry,
 * and the shim would re-enter it). The table is static, so LeakSanitizer
 * sees the blocks of pools still alive at exit as reachable. Pools are not
 * thread-safe, so a tracker needs no lock; the table has one per bucket.
 *
 * The shim's bookkeeping allocates from the pool (the cleanup's record)
 * through APR's own apr_palloc: a thread-local flag sends calls through.
 *
 * Not covered: memory from apr_bucket_alloc and apr_allocator_alloc.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE             /* RTLD_NEXT */
#endif
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_pools.h>
#include <apr_strings.h>

/* apr_pools.h maps apr_pcalloc to a macro; libapr exports a function too */
#undef apr_pcalloc

typedef struct shim_pool shim_pool;
struct shim_pool {
    apr_pool_t *pool;
    shim_pool *next;            /* in a table bucket, then when retired */
    void **blocks;
    size_t count;
    size_t capacity;
};

#define SHIM_BUCKETS 256

typedef struct shim_bucket {
    pthread_mutex_t lock;
    shim_pool *head;
} shim_bucket;

static struct {
    void *(*palloc)(apr_pool_t *, apr_size_t);
    char *(*pvsprintf)(apr_pool_t *, const char *, va_list);
    void (*clear)(apr_pool_t *);
    void (*destroy)(apr_pool_t *);
} real;

static shim_bucket table[SHIM_BUCKETS];
static pthread_once_t shim_once = PTHREAD_ONCE_INIT;

/* set while the shim allocates for itself: APR's apr_palloc serves it */
static __thread int in_bookkeeping;
/* apr_pool_clear and apr_pool_destroy calls under way on this thread */
static __thread int clearing_depth;
/* trackers whose pool is being cleared or destroyed on this thread */
static __thread shim_pool *retired;

static void *real_symbol(const char *name)
{
    void *fn = dlsym(RTLD_NEXT, name);

    if (!fn) {
        fprintf(stderr, "pool_shim: no %s after the shim: %s\n", name,
                dlerror());
        abort();
    }
    return fn;
}

/* A fork from a threaded process must not leave a bucket locked in the
 * child. */
static void lock_table(void)
{
    int i;

    for (i = 0; i < SHIM_BUCKETS; i++) {
        pthread_mutex_lock(&table[i].lock);
    }
}

static void unlock_table(void)
{
    int i;

    for (i = SHIM_BUCKETS - 1; i >= 0; i--) {
        pthread_mutex_unlock(&table[i].lock);
    }
}

static void shim_init(void)
{
    int i;

    *(void **)&real.palloc = real_symbol("apr_palloc");
    *(void **)&real.pvsprintf = real_symbol("apr_pvsprintf");
    *(void **)&real.clear = real_symbol("apr_pool_clear");
    *(void **)&real.destroy = real_symbol("apr_pool_destroy");
    for (i = 0; i < SHIM_BUCKETS; i++) {
        pthread_mutex_init(&table[i].lock, NULL);
    }
    pthread_atfork(lock_table, unlock_table, unlock_table);
}

static shim_bucket *bucket_of(const apr_pool_t *pool)
{
    uint64_t h = (uint64_t)(uintptr_t)pool * UINT64_C(0x9E3779B97F4A7C15);

    return &table[h >> 56];
}

static shim_pool *find_tracker(apr_pool_t *pool)
{
    shim_bucket *b = bucket_of(pool);
    shim_pool *sp;

    pthread_mutex_lock(&b->lock);
    sp = b->head;
    while (sp && sp->pool != pool) {
        sp = sp->next;
    }
    pthread_mutex_unlock(&b->lock);
    return sp;
}

static void unmap_tracker(shim_pool *sp)
{
    shim_bucket *b = bucket_of(sp->pool);
    shim_pool **at;

    pthread_mutex_lock(&b->lock);
    at = &b->head;
    while (*at && *at != sp) {
        at = &(*at)->next;
    }
    if (*at) {
        *at = sp->next;
    }
    pthread_mutex_unlock(&b->lock);
}

static void release_tracker(shim_pool *sp)
{
    size_t i;

    for (i = 0; i < sp->count; i++) {
        free(sp->blocks[i]);
    }
    free(sp->blocks);
    free(sp);
}

static void release_retired(void)
{
    while (retired) {
        shim_pool *sp = retired;

        retired = sp->next;
        release_tracker(sp);
    }
}

/* The pool's cleanup: its blocks are freed once the clear or destroy
 * running it has finished. */
static apr_status_t retire_tracker(void *data)
{
    shim_pool *sp = data;

    unmap_tracker(sp);
    sp->next = retired;
    retired = sp;
    if (!clearing_depth) {
        /* run by something other than a clear or destroy: nothing left
         * to wait for */
        release_retired();
    }
    return APR_SUCCESS;
}

static shim_pool *new_tracker(apr_pool_t *pool)
{
    shim_bucket *b = bucket_of(pool);
    shim_pool *sp = calloc(1, sizeof(*sp));

    if (!sp) {
        return NULL;
    }
    sp->pool = pool;
    in_bookkeeping = 1;
    apr_pool_cleanup_register(pool, sp, retire_tracker,
                              apr_pool_cleanup_null);
    in_bookkeeping = 0;
    pthread_mutex_lock(&b->lock);
    sp->next = b->head;
    b->head = sp;
    pthread_mutex_unlock(&b->lock);
    return sp;
}

static int remember_block(shim_pool *sp, void *mem)
{
    if (sp->count == sp->capacity) {
        size_t capacity = sp->capacity ? sp->capacity * 2 : 16;
        void **blocks = realloc(sp->blocks, capacity * sizeof(*blocks));

        if (!blocks) {
            return 0;
        }
        sp->blocks = blocks;
        sp->capacity = capacity;
    }
    sp->blocks[sp->count++] = mem;
    return 1;
}

static void *out_of_memory(apr_pool_t *pool)
{
    apr_abortfunc_t abort_fn = apr_pool_abort_get(pool);

    if (abort_fn) {
        abort_fn(APR_ENOMEM);
    }
    return NULL;
}

APR_DECLARE(void *) apr_palloc(apr_pool_t *pool, apr_size_t size)
{
    shim_pool *sp;
    void *mem;

    pthread_once(&shim_once, shim_init);
    if (in_bookkeeping) {
        return real.palloc(pool, size);
    }
    sp = find_tracker(pool);
    if (!sp && !(sp = new_tracker(pool))) {
        return out_of_memory(pool);
    }
    mem = malloc(size);
    if (!mem || !remember_block(sp, mem)) {
        free(mem);
        return out_of_memory(pool);
    }
    return mem;
}

APR_DECLARE(void *) apr_pcalloc(apr_pool_t *pool, apr_size_t size)
{
    void *mem = apr_palloc(pool, size);

    return mem ? memset(mem, 0, size) : NULL;
}

APR_DECLARE(char *) apr_pvsprintf(apr_pool_t *pool, const char *fmt,
                                  va_list ap)
{
    char *formatted, *copy;
    size_t size;

    pthread_once(&shim_once, shim_init);
    formatted = real.pvsprintf(pool, fmt, ap);
    if (!formatted) {
        return NULL;
    }
    size = strlen(formatted) + 1;
    copy = apr_palloc(pool, size);
    return copy ? memcpy(copy, formatted, size) : NULL;
}

APR_DECLARE_NONSTD(char *) apr_psprintf(apr_pool_t *pool, const char *fmt,
                                        ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = apr_pvsprintf(pool, fmt, ap);
    va_end(ap);
    return s;
}

APR_DECLARE(void) apr_pool_clear(apr_pool_t *pool)
{
    pthread_once(&shim_once, shim_init);
    clearing_depth++;
    real.clear(pool);
    if (!--clearing_depth) {
        release_retired();
    }
}

APR_DECLARE(void) apr_pool_destroy(apr_pool_t *pool)
{
    pthread_once(&shim_once, shim_init);
    clearing_depth++;
    real.destroy(pool);
    if (!--clearing_depth) {
        release_retired();
    }
}
