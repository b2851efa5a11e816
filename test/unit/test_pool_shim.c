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
 * The pool shim (test/support/pool_shim.c) every unit test and fuzzer is
 * linked with: each pool allocation is a block of its own, ASan sees past
 * its end, and blocks live until the pool's clear or destroy has run every
 * cleanup, as APR's own memory does, whatever order things were registered
 * in. The checks of poisoned bytes need ASan; built without it, they skip.
 */
#include <apr_buckets.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <apr_thread_proc.h>

#include "unit.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#define poisoned(addr) __asan_address_is_poisoned(addr)
#define require_asan()
#else
#define poisoned(addr) ((void)(addr), 0)
#define require_asan() skip()
#endif

/* Fails unless [mem, mem + size) is addressable and mem[size] is not
 * (size > 0). */
static void assert_block_of_size(const void *mem, size_t size)
{
    const char *c = mem;

    assert_non_null(mem);
    assert_false(poisoned(c));
    assert_false(poisoned(c + size - 1));
    assert_true(poisoned(c + size));
}

static void test_palloc_block_ends_at_its_size(void **state)
{
    require_asan();
    assert_block_of_size(apr_palloc(UNIT_POOL(state), 13), 13);
    assert_block_of_size(apr_palloc(UNIT_POOL(state), 1), 1);
}

/* ASan gives malloc(0) one byte: an empty block is told from others. */
static void test_palloc_empty_blocks_are_distinct(void **state)
{
    void *a = apr_palloc(UNIT_POOL(state), 0);
    void *b = apr_palloc(UNIT_POOL(state), 0);

    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
}

static void test_pcalloc_zeroes_exactly_its_size(void **state)
{
    unsigned char *mem = apr_pcalloc(UNIT_POOL(state), 7);
    int i;

    for (i = 0; i < 7; i++) {
        assert_int_equal(mem[i], 0);
    }
    require_asan();
    assert_block_of_size(mem, 7);
}

static void test_libapr_allocations_are_exact(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    apr_array_header_t *arr = apr_array_make(p, 3, sizeof(int));

    require_asan();
    assert_block_of_size(apr_pstrdup(p, "abc"), 4);
    assert_block_of_size(apr_pstrcat(p, "ab", "cd", NULL), 5);
    assert_block_of_size(apr_pstrmemdup(p, "abcdef", 2), 3);
    assert_block_of_size(arr->elts, 3 * sizeof(int));
}

static char *format_v(apr_pool_t *p, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = apr_pvsprintf(p, fmt, ap);
    va_end(ap);
    return s;
}

static void test_psprintf_result_is_exact(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    char *s = apr_psprintf(p, "%d-%s-%pp", 42, "x", (void *)NULL);
    char *v = format_v(p, "%" APR_SIZE_T_FMT "!", (apr_size_t)7);

    assert_string_equal(s, apr_pstrcat(p, "42-x-", apr_psprintf(
        p, "%pp", (void *)NULL), NULL));
    assert_string_equal(v, "7!");
    require_asan();
    assert_block_of_size(s, strlen(s) + 1);
    assert_block_of_size(v, 3);
}

static void test_blocks_freed_when_pool_cleared(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    char *before = apr_pstrdup(p, "before");
    char *after;

    apr_pool_clear(p);
    after = apr_pstrdup(p, "after");
    assert_string_equal(after, "after");
    require_asan();
    assert_true(poisoned(before));
}

static void test_subpool_blocks_freed_with_parent(void **state)
{
    apr_pool_t *parent, *child, *grandchild;
    char *in_child, *in_grandchild;

    (void)state;
    assert_int_equal(apr_pool_create(&parent, NULL), APR_SUCCESS);
    assert_int_equal(apr_pool_create(&child, parent), APR_SUCCESS);
    assert_int_equal(apr_pool_create(&grandchild, child), APR_SUCCESS);
    in_child = apr_pstrdup(child, "child");
    in_grandchild = apr_pstrdup(grandchild, "grandchild");
    /* APR destroys subpools by a direct call the shim does not see */
    apr_pool_destroy(parent);
    require_asan();
    assert_true(poisoned(in_child));
    assert_true(poisoned(in_grandchild));
}

typedef struct holder_t {
    const char *later;
    char seen[16];
} holder_t;

static apr_status_t copy_later_field(void *data)
{
    holder_t *h = data;

    snprintf(h->seen, sizeof(h->seen), "%s", h->later);
    return APR_SUCCESS;
}

/* APR frees pool memory after every cleanup; a cleanup may read what was
 * allocated after it was registered. */
static void test_cleanup_reads_block_allocated_after_it(void **state)
{
    apr_pool_t *p;
    holder_t *h = calloc(1, sizeof(*h));

    (void)state;
    assert_non_null(h);
    assert_int_equal(apr_pool_create(&p, NULL), APR_SUCCESS);
    apr_pool_cleanup_register(p, h, copy_later_field, apr_pool_cleanup_null);
    h->later = apr_pstrdup(p, "later");
    apr_pool_destroy(p);
    assert_string_equal(h->seen, "later");
    free(h);
}

/* A pool bucket in a longer-lived brigade: when its pool goes, its cleanup
 * copies the data (allocated before the bucket) to the heap. */
static void test_pool_bucket_outlives_its_pool(void **state)
{
    apr_pool_t *p = UNIT_POOL(state), *scratch;
    apr_bucket_brigade *bb = apr_brigade_create(p,
                                                apr_bucket_alloc_create(p));
    const char *data;
    apr_size_t len;
    char *flat;

    assert_int_equal(apr_pool_create(&scratch, p), APR_SUCCESS);
    data = apr_pstrdup(scratch, "pool data");
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_pool_create(
        data, strlen(data), scratch, bb->bucket_alloc));
    apr_pool_destroy(scratch);
    assert_int_equal(apr_brigade_pflatten(bb, &flat, &len, p), APR_SUCCESS);
    assert_int_equal(len, 9);
    assert_memory_equal(flat, "pool data", 9);
    require_asan();
    assert_block_of_size(flat, 9);
}

/* The brigade's cleanup (registered first) runs after the pool bucket's
 * and after the blocks allocated later were last used. */
static void test_brigade_cleanup_with_later_blocks(void **state)
{
    apr_pool_t *p;
    apr_bucket_brigade *bb;
    char *later;

    (void)state;
    assert_int_equal(apr_pool_create(&p, NULL), APR_SUCCESS);
    bb = apr_brigade_create(p, apr_bucket_alloc_create(p));
    later = apr_pstrdup(p, "allocated after the brigade");
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_pool_create(
        later, strlen(later), p, bb->bucket_alloc));
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_transient_create(
        later, 9, bb->bucket_alloc));
    assert_int_equal(apr_brigade_puts(bb, NULL, NULL, later), APR_SUCCESS);
    apr_pool_destroy(p);
}

/* APR reads the apr_proc_t of a noted subprocess after every cleanup. */
static void test_noted_subprocess_read_after_cleanups(void **state)
{
    apr_pool_t *p;
    apr_procattr_t *attr;
    apr_proc_t *proc;
    const char *argv[] = { "/bin/true", NULL };

    (void)state;
    assert_int_equal(apr_pool_create(&p, NULL), APR_SUCCESS);
    proc = apr_pcalloc(p, sizeof(*proc));
    assert_int_equal(apr_procattr_create(&attr, p), APR_SUCCESS);
    assert_int_equal(apr_procattr_cmdtype_set(attr, APR_PROGRAM),
                     APR_SUCCESS);
    assert_int_equal(apr_proc_create(proc, argv[0], argv, NULL, attr, p),
                     APR_SUCCESS);
    apr_pool_note_subprocess(p, proc, APR_JUST_WAIT);
    apr_pool_destroy(p);
}

typedef struct cleanup_alloc_t {
    apr_pool_t *pool;
    char *made;
} cleanup_alloc_t;

static apr_status_t allocate_in_cleanup(void *data)
{
    cleanup_alloc_t *c = data;

    c->made = apr_pstrdup(c->pool, "made during the cleanups");
    return APR_SUCCESS;
}

static void test_block_allocated_in_cleanup_freed(void **state)
{
    cleanup_alloc_t c = { NULL, NULL };

    (void)state;
    assert_int_equal(apr_pool_create(&c.pool, NULL), APR_SUCCESS);
    apr_pool_cleanup_register(c.pool, &c, allocate_in_cleanup,
                              apr_pool_cleanup_null);
    apr_pstrdup(c.pool, "before");
    apr_pool_destroy(c.pool);
    assert_non_null(c.made);
    require_asan();
    assert_true(poisoned(c.made));
}

/* The first allocation of this pool happens inside apr_pool_userdata_set's
 * own hash: the shim must not disturb it. */
static void test_userdata_set_on_fresh_pool(void **state)
{
    apr_pool_t *p;
    void *got = NULL;
    static int a, b;

    (void)state;
    assert_int_equal(apr_pool_create(&p, NULL), APR_SUCCESS);
    apr_pool_userdata_setn(&a, "a", NULL, p);
    apr_pool_userdata_set(&b, "b", NULL, p);
    apr_pool_userdata_get(&got, "a", p);
    assert_ptr_equal(got, &a);
    apr_pool_userdata_get(&got, "b", p);
    assert_ptr_equal(got, &b);
    apr_pool_destroy(p);
}

#define THREADS 4

/* cmocka's asserts cannot fail outside the main thread: the thread's
 * status says what went wrong. */
static void *APR_THREAD_FUNC churn_pools(apr_thread_t *t, void *data)
{
    apr_status_t rv = APR_SUCCESS;
    apr_pool_t *p;
    apr_table_t *tab;
    const char *last;
    int i, j;

    (void)data;
    for (i = 0; i < 200 && rv == APR_SUCCESS; i++) {
        if ((rv = apr_pool_create(&p, NULL)) != APR_SUCCESS) {
            break;
        }
        tab = apr_table_make(p, 2);
        for (j = 0; j < 20; j++) {
            apr_table_set(tab, apr_itoa(p, j), apr_psprintf(p, "v%d", j));
        }
        last = apr_table_get(tab, "19");
        if (!last || strcmp(last, "v19")) {
            rv = APR_EGENERAL;
        }
        apr_pool_destroy(p);
    }
    apr_thread_exit(t, rv);
    return NULL;
}

static void test_pools_in_threads(void **state)
{
    apr_thread_t *threads[THREADS];
    apr_status_t rv;
    int i;

    for (i = 0; i < THREADS; i++) {
        assert_int_equal(apr_thread_create(&threads[i], NULL, churn_pools,
                                           NULL, UNIT_POOL(state)),
                         APR_SUCCESS);
    }
    for (i = 0; i < THREADS; i++) {
        assert_int_equal(apr_thread_join(&rv, threads[i]), APR_SUCCESS);
        assert_int_equal(rv, APR_SUCCESS);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_palloc_block_ends_at_its_size),
        UNIT_TEST(test_palloc_empty_blocks_are_distinct),
        UNIT_TEST(test_pcalloc_zeroes_exactly_its_size),
        UNIT_TEST(test_libapr_allocations_are_exact),
        UNIT_TEST(test_psprintf_result_is_exact),
        UNIT_TEST(test_blocks_freed_when_pool_cleared),
        UNIT_TEST(test_subpool_blocks_freed_with_parent),
        UNIT_TEST(test_cleanup_reads_block_allocated_after_it),
        UNIT_TEST(test_pool_bucket_outlives_its_pool),
        UNIT_TEST(test_brigade_cleanup_with_later_blocks),
        UNIT_TEST(test_noted_subprocess_read_after_cleanups),
        UNIT_TEST(test_block_allocated_in_cleanup_freed),
        UNIT_TEST(test_userdata_set_on_fresh_pool),
        UNIT_TEST(test_pools_in_threads),
    };
    int failed;

    apr_initialize();
    failed = cmocka_run_group_tests_name("pool_shim", tests, NULL, NULL);
    apr_terminate();
    return failed;
}
