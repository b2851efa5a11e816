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
 * The parallel executor's ready queue (src/batch_schedule.c),
 * "operations whose dependencies are done run concurrently".
 */
#include "unit.h"
#include "batch.h"
#include "batch_schedule.h"

/* n operations without dependencies, as validation leaves them. */
static batch_t *new_batch(apr_pool_t *p, int n)
{
    batch_t *b = apr_pcalloc(p, sizeof(*b));
    int i;

    b->ops = apr_array_make(p, n, sizeof(batch_op_t));
    for (i = 0; i < n; i++) {
        batch_op_t *op = apr_array_push(b->ops);

        memset(op, 0, sizeof(*op));
        op->index = i;
        op->deps = apr_array_make(p, 2, sizeof(int));
    }
    return b;
}

/* Operation i depends on operation dep. */
static void depend(batch_t *b, int i, int dep)
{
    APR_ARRAY_PUSH(unit_op_at(b, i)->deps, int) = dep;
}

static void assert_takes_nothing(batch_schedule_t *s)
{
    assert_false(batch_schedule_has_ready(s));
    assert_int_equal(batch_schedule_take(s), -1);
}

static void independent_ops_are_all_ready_in_request_order(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_schedule_t *s = batch_schedule_make(p, new_batch(p, 5));
    int i;

    assert_int_equal(batch_schedule_left(s), 5);
    for (i = 0; i < 5; i++) {
        assert_true(batch_schedule_has_ready(s));
        assert_int_equal(batch_schedule_take(s), i);
    }
    assert_takes_nothing(s);
    assert_int_equal(batch_schedule_left(s), 0);
}

static void dependent_waits_for_its_dependency(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p, 2);
    batch_schedule_t *s;

    depend(b, 0, 1);
    s = batch_schedule_make(p, b);
    assert_int_equal(batch_schedule_take(s), 1);
    assert_takes_nothing(s);
    batch_schedule_done(s, 1);
    assert_int_equal(batch_schedule_take(s), 0);
    assert_int_equal(batch_schedule_left(s), 0);
}

static void dependent_waits_for_every_dependency(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p, 4);
    batch_schedule_t *s;

    /* a diamond: 3 needs 1 and 2, which both need 0 */
    depend(b, 1, 0);
    depend(b, 2, 0);
    depend(b, 3, 1);
    depend(b, 3, 2);
    s = batch_schedule_make(p, b);
    assert_int_equal(batch_schedule_take(s), 0);
    assert_takes_nothing(s);
    batch_schedule_done(s, 0);
    assert_int_equal(batch_schedule_take(s), 1);
    assert_int_equal(batch_schedule_take(s), 2);
    batch_schedule_done(s, 2);
    assert_takes_nothing(s);
    batch_schedule_done(s, 1);
    assert_int_equal(batch_schedule_take(s), 3);
}

static void earliest_ready_op_comes_first(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p, 6);
    batch_schedule_t *s;

    /* 0 and 2 wait for 5; 1, 3, 4 and 5 are ready at once */
    depend(b, 0, 5);
    depend(b, 2, 5);
    s = batch_schedule_make(p, b);
    assert_int_equal(batch_schedule_take(s), 1);
    assert_int_equal(batch_schedule_take(s), 3);
    assert_int_equal(batch_schedule_take(s), 4);
    assert_int_equal(batch_schedule_take(s), 5);
    batch_schedule_done(s, 5);
    assert_int_equal(batch_schedule_take(s), 0);
    assert_int_equal(batch_schedule_take(s), 2);
    assert_takes_nothing(s);
}

static void released_ops_interleave_with_waiting_ones(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p, 8);
    batch_schedule_t *s;
    int i;

    for (i = 1; i < 8; i += 2) {
        depend(b, i, 0);
    }
    s = batch_schedule_make(p, b);
    assert_int_equal(batch_schedule_take(s), 0);
    assert_int_equal(batch_schedule_take(s), 2);
    batch_schedule_done(s, 0);
    for (i = 1; i < 8; i++) {
        if (i != 2) {
            assert_int_equal(batch_schedule_take(s), i);
        }
    }
    assert_int_equal(batch_schedule_left(s), 0);
}

static void chain_runs_one_at_a_time(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p, 4);
    batch_schedule_t *s;
    int i;

    /* 3 -> 2 -> 1 -> 0, written backwards */
    for (i = 0; i < 3; i++) {
        depend(b, i, i + 1);
    }
    s = batch_schedule_make(p, b);
    for (i = 3; i >= 0; i--) {
        assert_int_equal(batch_schedule_take(s), i);
        assert_takes_nothing(s);
        batch_schedule_done(s, i);
    }
    assert_int_equal(batch_schedule_left(s), 0);
}

static void dependency_named_twice_is_released_once_done(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p, 2);
    batch_schedule_t *s;

    /* dependsOn ["a"] plus a group that holds "a" */
    depend(b, 1, 0);
    depend(b, 1, 0);
    s = batch_schedule_make(p, b);
    assert_int_equal(batch_schedule_take(s), 0);
    assert_takes_nothing(s);
    batch_schedule_done(s, 0);
    assert_int_equal(batch_schedule_take(s), 1);
}

static void done_counts_once_and_only_for_taken_ops(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_t *b = new_batch(p, 3);
    batch_schedule_t *s;

    depend(b, 2, 0);
    depend(b, 2, 1);
    s = batch_schedule_make(p, b);
    /* 1 was never taken: reporting it done releases nothing */
    batch_schedule_done(s, 1);
    batch_schedule_done(s, -1);
    batch_schedule_done(s, 3);
    assert_int_equal(batch_schedule_take(s), 0);
    batch_schedule_done(s, 0);
    batch_schedule_done(s, 0);
    assert_int_equal(batch_schedule_take(s), 1);
    assert_takes_nothing(s);
    batch_schedule_done(s, 1);
    assert_int_equal(batch_schedule_take(s), 2);
}

static void empty_batch_has_nothing(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    batch_schedule_t *s = batch_schedule_make(p, new_batch(p, 0));

    assert_int_equal(batch_schedule_left(s), 0);
    assert_takes_nothing(s);
}

static void large_fan_out_releases_every_dependent(void **state)
{
    apr_pool_t *p = UNIT_POOL(state);
    int n = 1000;
    batch_t *b = new_batch(p, n);
    batch_schedule_t *s;
    int i;

    /* everything waits for the last operation */
    for (i = 0; i < n - 1; i++) {
        depend(b, i, n - 1);
    }
    s = batch_schedule_make(p, b);
    assert_int_equal(batch_schedule_take(s), n - 1);
    assert_takes_nothing(s);
    batch_schedule_done(s, n - 1);
    for (i = 0; i < n - 1; i++) {
        assert_int_equal(batch_schedule_take(s), i);
    }
    assert_takes_nothing(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(independent_ops_are_all_ready_in_request_order),
        UNIT_TEST(dependent_waits_for_its_dependency),
        UNIT_TEST(dependent_waits_for_every_dependency),
        UNIT_TEST(earliest_ready_op_comes_first),
        UNIT_TEST(released_ops_interleave_with_waiting_ones),
        UNIT_TEST(chain_runs_one_at_a_time),
        UNIT_TEST(dependency_named_twice_is_released_once_done),
        UNIT_TEST(done_counts_once_and_only_for_taken_ops),
        UNIT_TEST(empty_batch_has_nothing),
        UNIT_TEST(large_fan_out_releases_every_dependent),
    };
    int failed;

    apr_initialize();
    failed = cmocka_run_group_tests_name("schedule", tests, NULL, NULL);
    apr_terminate();
    return failed;
}
