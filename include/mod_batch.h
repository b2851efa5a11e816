/*
 * What every httpd-side unit (mod_batch.c, src/mod_batch_*.c) shares: the
 * module record, the handler name and the log tag. Only these files
 * include httpd headers.
 */
#ifndef MOD_BATCH_H
#define MOD_BATCH_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>

extern module AP_MODULE_DECLARE_DATA batch_module;

#define BATCH_HANDLER "batch"
/* Module-unique message tags; httpd's AH numbers are for in-tree modules. */
#define BATCH_LOGNO(n) "BATCH" #n ": "

#endif /* MOD_BATCH_H */
