/*
 * The JSON dialects of SPEC section 8: which one a document is
 * (src/dialect.c), and each dialect's parser and emitter
 * (src/dialect_rails.c, src/dialect_array.c, src/dialect_keyed.c).
 */
#include <apr_strings.h>
#include <apr_tables.h>

#include "unit.h"
#include "batch.h"
#include "batch_format.h"
#include "batch_json.h"

/* --- helpers --- */

static const batch_format_t *detect(apr_pool_t *p, const char *json)
{
    batch_error_t *err = NULL;
    const batch_format_t *fmt = batch_dialect_choose(
        p, NULL, unit_exact(p, json, strlen(json)), strlen(json), &err);

    assert_null(err);
    return fmt;
}

static batch_error_t *choose_refused(apr_pool_t *p,
                                     const batch_format_t *forced,
                                     const char *json)
{
    batch_error_t *err = NULL;

    assert_null(batch_dialect_choose(p, forced, unit_exact(p, json,
                                                           strlen(json)),
                                     strlen(json), &err));
    assert_non_null(err);
    return err;
}

/* --- detection and BatchDialect --- */

static void test_detect_graph(void **state)
{
    assert_ptr_equal(detect(UNIT_POOL(state), "{\"requests\": []}"),
                     &batch_format_json);
}

static void test_detect_not_json_is_graph(void **state)
{
    assert_ptr_equal(detect(UNIT_POOL(state), "{nope"), &batch_format_json);
}

static void test_detect_unknown_shape_is_graph(void **state)
{
    assert_ptr_equal(detect(UNIT_POOL(state), "{}"), &batch_format_json);
}

static void test_facebook_not_implemented(void **state)
{
    batch_error_t *err = choose_refused(UNIT_POOL(state), NULL,
                                        "{\"batch\": []}");

    unit_assert_error(err, 400, BATCH_E_INVALID_REQUEST, NULL);
    assert_contains(err->message, "facebook");
    assert_contains(err->message, "not implemented");
}

static void test_forced_dialect_mismatch(void **state)
{
    batch_error_t *err = choose_refused(UNIT_POOL(state), &batch_format_json,
                                        "{\"batch\": []}");

    unit_assert_error(err, 400, BATCH_E_INVALID_REQUEST, NULL);
    assert_contains(err->message, "BatchDialect graph");
    assert_contains(err->message, "a \"requests\" array");
    assert_contains(err->message, "not a batch of the dialect facebook");
}

static void test_forced_dialect_unknown_shape(void **state)
{
    batch_error_t *err = choose_refused(UNIT_POOL(state), &batch_format_json,
                                        "{}");

    assert_contains(err->message, "BatchDialect graph");
    assert_contains(err->message, "a \"requests\" array");
}

static void test_forced_dialect_fits(void **state)
{
    batch_error_t *err = NULL;

    assert_ptr_equal(batch_dialect_choose(UNIT_POOL(state),
                                          &batch_format_json,
                                          "{\"requests\": []}", 16, &err),
                     &batch_format_json);
    assert_null(err);
}

static void test_forced_dialect_not_json_goes_to_its_parser(void **state)
{
    batch_error_t *err = NULL;

    assert_ptr_equal(batch_dialect_choose(UNIT_POOL(state),
                                          &batch_format_json, "[", 1, &err),
                     &batch_format_json);
    assert_null(err);
}

static void test_dialect_names(void **state)
{
    int known;

    (void)state;
    assert_ptr_equal(batch_dialect_named("graph", &known),
                     &batch_format_json);
    assert_true(known);
    assert_ptr_equal(batch_dialect_named("GRAPH", &known),
                     &batch_format_json);
    assert_null(batch_dialect_named("auto", &known));
    assert_true(known);
    assert_null(batch_dialect_named("facebook", &known));
    assert_false(known);
    assert_null(batch_dialect_named("soap", &known));
    assert_false(known);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_detect_graph),
        UNIT_TEST(test_detect_not_json_is_graph),
        UNIT_TEST(test_detect_unknown_shape_is_graph),
        UNIT_TEST(test_facebook_not_implemented),
        UNIT_TEST(test_forced_dialect_mismatch),
        UNIT_TEST(test_forced_dialect_unknown_shape),
        UNIT_TEST(test_forced_dialect_fits),
        UNIT_TEST(test_forced_dialect_not_json_goes_to_its_parser),
        UNIT_TEST(test_dialect_names),
    };
    int failed;

    apr_initialize();
    failed = cmocka_run_group_tests_name("dialects", tests, NULL, NULL);
    apr_terminate();
    return failed;
}
