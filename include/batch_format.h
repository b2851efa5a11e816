/*
 * A batch format: a parser that produces operations and an emitter that
 * writes their results. The executor knows no format; adding one is adding
 * a parser/emitter pair and a line in the table of src/format.c (chosen by
 * media type) or, for a JSON dialect, of src/dialect.c (chosen by the
 * document's shape).
 */
#ifndef BATCH_FORMAT_H
#define BATCH_FORMAT_H

#include "batch.h"

/* The emitter's state for one batch response. */
typedef struct batch_emit_t {
    apr_pool_t *pool;           /* lives as long as the batch */
    apr_bucket_brigade *bb;     /* where the emitter appends output */
    int written;                /* results written so far */
    void *state;                /* the format's own, made by begin */
    /* passes bb on to the client; NULL: bb only grows */
    apr_brigade_flush flush;
    void *flush_ctx;
} batch_emit_t;

/* Appends a result's bytes to e->bb: a short run is copied, a long one is
 * passed on at once without a copy (apr_brigade_write with e->flush), so
 * an answer of many megabytes is never held twice. */
apr_status_t batch_emit_bytes(batch_emit_t *e, const char *data,
                              apr_size_t len);

/* A batch request as a parser sees it. */
typedef struct batch_input_t {
    const char *body;
    apr_size_t len;
    const char *content_type;   /* of the batch request */
    /* this server as the client named it, for absolute request URLs */
    const char *self_scheme;
    const char *self_host;
    int self_port;
    /* the path after the batch location ("/users" of POST /batch/users),
     * NULL when none */
    const char *path_info;
    /* the body's JSON tree when dialect detection already parsed it */
    struct json_object *json;
    /* BatchBaseURL, NULL when none */
    const char *base_url;
} batch_input_t;

typedef struct batch_format_t {
    const char *name;
    /* Whether a request body of this media type is in this format. */
    int (*accepts)(const char *media_type);
    batch_t *(*parse)(apr_pool_t *p, const batch_input_t *in,
                      batch_error_t **err);
    /* The media type of the aggregate response, known after begin. */
    const char *(*response_type)(batch_emit_t *e);
    apr_status_t (*begin)(batch_emit_t *e);
    apr_status_t (*result)(batch_emit_t *e, const batch_op_t *op,
                           const batch_result_t *res);
    apr_status_t (*end)(batch_emit_t *e);
    /* The status a refusal of this format's batch is answered with, for
     * formats whose clients expect another than err's; NULL: err's. */
    int (*refusal_status)(const batch_error_t *err);
} batch_format_t;

extern const batch_format_t batch_format_json;
extern const batch_format_t batch_format_multipart;

/* ---- JSON dialects (SPEC section 8, src/dialect*.c) ----
 * The canonical JSON format is the "graph" dialect; the others are formats
 * too, chosen by the shape of a JSON body or forced by BatchDialect. */
extern const batch_format_t batch_format_rails;
extern const batch_format_t batch_format_array;
extern const batch_format_t batch_format_keyed;
/* facebook reads a JSON body {"batch": [...]} or an HTML form with a
 * batch field; batch_format_for gives it for a form. */
extern const batch_format_t batch_format_facebook;

/* The dialect BatchDialect names ("graph", "rails"...), NULL for "auto";
 * *known is 0 when name is no dialect at all. */
const batch_format_t *batch_dialect_named(const char *name, int *known);
/* Whether a location forcing forced (NULL: auto) takes a body read by fmt,
 * the format of its media type: an HTML form is a facebook batch only. */
int batch_dialect_takes(const batch_format_t *forced,
                        const batch_format_t *fmt);
/* The dialect for a JSON body at a location forcing forced (NULL: auto).
 * Auto takes the dialect whose shape the body has, or graph when it is not
 * JSON or has no known shape, so that graph's parser says what is wrong.
 * NULL and a 400 refusal naming the dialect when the body has the shape
 * of another dialect than the forced one, or of one not implemented.
 * The body's JSON tree, made in tree_pool, is left in *tree (NULL when
 * the body is not JSON) for the dialect's parser, so it is parsed once. */
const batch_format_t *batch_dialect_choose(apr_pool_t *p,
                                           const batch_format_t *forced,
                                           const char *body, apr_size_t len,
                                           apr_pool_t *tree_pool,
                                           struct json_object **tree,
                                           batch_error_t **err);

/* The canonical JSON format's parser and emitter (src/parse_json.c,
 * src/emit_json.c). */
batch_t *batch_parse_json(apr_pool_t *p, const char *body, apr_size_t len,
                          batch_error_t **err);
batch_t *batch_parse_rails(apr_pool_t *p, const batch_input_t *in,
                           batch_error_t **err);
batch_t *batch_parse_array(apr_pool_t *p, const batch_input_t *in,
                           batch_error_t **err);
batch_t *batch_parse_keyed(apr_pool_t *p, const batch_input_t *in,
                           batch_error_t **err);
batch_t *batch_parse_facebook(apr_pool_t *p, const batch_input_t *in,
                              batch_error_t **err);
/* A JSON dialect's parser: builds the batch in p from the document, whose
 * json-c tree lives in tree_pool. */
typedef batch_t *(*batch_json_document_fn)(apr_pool_t *p,
                                           apr_pool_t *tree_pool,
                                           const batch_input_t *in,
                                           batch_error_t **err);
/* Runs parse with a pool for the json-c tree, freed once the batch (which
 * copies what it keeps into p) is built. */
batch_t *batch_parse_json_document(apr_pool_t *p, const batch_input_t *in,
                                   batch_error_t **err,
                                   batch_json_document_fn parse);
batch_t *batch_parse_json_input(apr_pool_t *p, const batch_input_t *in,
                                batch_error_t **err);
const char *batch_emit_json_type(batch_emit_t *e);
apr_status_t batch_emit_json_begin(batch_emit_t *e);
apr_status_t batch_emit_json_result(batch_emit_t *e, const batch_op_t *op,
                                    const batch_result_t *res);
apr_status_t batch_emit_json_end(batch_emit_t *e);

/* multipart/mixed (src/parse_multipart.c, src/emit_multipart.c). */
int batch_media_type_is_multipart(const char *media_type);
/* A delimiter line of a multipart body (RFC 2046). */
typedef struct batch_delim_t {
    const char *content_end;    /* end of the part before it (line end out) */
    const char *after;          /* first byte after the delimiter line */
    int close;                  /* it was the closing "--boundary--" */
} batch_delim_t;
/* Finds the next delimiter line "--boundary" (dash, dlen) in the body
 * [start, end) at or after from; 0 when there is none. */
int batch_multipart_delimiter(const char *start, const char *from,
                              const char *end, const char *dash,
                              apr_size_t dlen, batch_delim_t *d);
/* The parameter name of a header value such as a Content-Type or a
 * Content-Disposition (form-data; name="batch"), unquoted; NULL when
 * absent or an unterminated quoted-string. */
const char *batch_header_param(apr_pool_t *p, const char *value,
                               const char *name);
batch_t *batch_parse_multipart(apr_pool_t *p, const batch_input_t *in,
                               batch_error_t **err);
const char *batch_emit_multipart_type(batch_emit_t *e);
apr_status_t batch_emit_multipart_begin(batch_emit_t *e);
apr_status_t batch_emit_multipart_result(batch_emit_t *e,
                                         const batch_op_t *op,
                                         const batch_result_t *res);
apr_status_t batch_emit_multipart_end(batch_emit_t *e);

/* HTML forms (src/form.c): application/x-www-form-urlencoded and
 * multipart/form-data. */
int batch_media_type_is_form(const char *media_type);
/* The value of the field name of a form body of Content-Type ctype, a
 * string made in p, its length in *len; NULL when the form has no such
 * field, or when the body is not a well-formed form or has the field
 * twice: then *why says so. */
const char *batch_form_field(apr_pool_t *p, const char *ctype,
                             const char *body, apr_size_t blen,
                             const char *name, apr_size_t *len,
                             const char **why);

/* The format for a request Content-Type, or NULL when none reads it. */
const batch_format_t *batch_format_for(apr_pool_t *p,
                                       const char *content_type);

/* The media type alone, lower-cased: "application/json; charset=x" gives
 * "application/json". */
const char *batch_media_type(apr_pool_t *p, const char *content_type);

/* application/json, or any type with a +json suffix; parameters after
 * ';' are ignored. */
int batch_media_type_is_json(const char *media_type);

/* BatchAllowMethods' default (SPEC section 1), a fresh array in p. */
apr_array_header_t *batch_default_allow_methods(apr_pool_t *p);

/* Checks the whole batch against the limits; resolves targets, upper-cases
 * methods and computes the execution order. NULL when the batch is good. */
batch_error_t *batch_validate(apr_pool_t *p, batch_t *batch,
                              const batch_limits_t *limits);

/* Checks op's url and headers as batch_validate does and sets op->target:
 * for an operation whose result references were just substituted. */
batch_error_t *batch_validate_target(apr_pool_t *p, batch_op_t *op,
                                     const batch_limits_t *limits);

/* Header names, values, methods and URLs as the validator sees them. */
int batch_is_token(const char *s);
int batch_is_header_value(const char *s);
/* What makes url unusable as an operation's URL (an absolute or
 * network-path URL, a fragment, a control character...), or NULL. */
const char *batch_url_problem(const char *url);
/* The name of t's first header whose name is not a token or whose value
 * is not a field value, or NULL: what httpd refuses to send (emitters
 * write only answers without one). */
const char *batch_first_bad_header(const apr_table_t *t);
int batch_utf8_valid(const char *s, apr_size_t len);
/* The length of the UTF-8 sequence at s (1 to 4), or 0 if it is invalid. */
apr_size_t batch_utf8_seq_len(const char *s, apr_size_t left);

#endif /* BATCH_FORMAT_H */
