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
 * The growing byte buffer (src/batch_buf.c): what an operation answered
 * and the batch body are read into it.
 */
#include "unit.h"
#include "batch_buf.h"

static void starts_empty(void **state)
{
    batch_buf_t *b = batch_buf_make(UNIT_POOL(state), 4);

    assert_null(b->data);
    assert_int_equal(b->len, 0);
}

static void grows_and_stays_nul_terminated(void **state)
{
    batch_buf_t *b = batch_buf_make(UNIT_POOL(state), 4);
    int i;

    for (i = 0; i < 1000; i++) {
        assert_int_equal(batch_buf_append(b, "abc", 3), APR_SUCCESS);
    }
    assert_int_equal(b->len, 3000);
    assert_true(b->cap > b->len);
    assert_int_equal(b->data[b->len], '\0');
    assert_memory_equal(b->data + 2997, "abc", 3);
}

/* a declared length and its NUL fit the first block: no second one */
static void first_block_of_the_right_size_is_kept(void **state)
{
    batch_buf_t *b = batch_buf_make(UNIT_POOL(state), 6);

    assert_int_equal(batch_buf_append(b, "hello", 5), APR_SUCCESS);
    assert_int_equal(b->cap, 6);
    assert_string_equal(b->data, "hello");
}

/* LeakSanitizer would report the block if clearing the pool did not
 * free it */
static void freed_with_its_pool(void **state)
{
    apr_pool_t *p;
    batch_buf_t *b;

    apr_pool_create(&p, UNIT_POOL(state));
    b = batch_buf_make(p, 1);
    assert_int_equal(batch_buf_append(b, "x", 1), APR_SUCCESS);
    apr_pool_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(starts_empty),
        UNIT_TEST(grows_and_stays_nul_terminated),
        UNIT_TEST(first_block_of_the_right_size_is_kept),
        UNIT_TEST(freed_with_its_pool),
    };
    int failed;

    apr_initialize();
    failed = cmocka_run_group_tests_name("buf", tests, NULL, NULL);
    apr_terminate();
    return failed;
}
