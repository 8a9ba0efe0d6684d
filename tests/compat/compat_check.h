/*
 * What the C compatibility programs share (compat_patterns.c,
 * czmq_program.c): the failure count, CHECK, and which library was loaded.
 * Each program includes it once, after defining _GNU_SOURCE.
 */
#ifndef ZLINK_COMPAT_CHECK_H
#define ZLINK_COMPAT_CHECK_H

#include <zmq.h>

#include <dlfcn.h>
#include <stdio.h>

static int failures = 0;

/* In a function returning int: report, count, and return -1. */
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s (errno %d: %s)\n", __FILE__, __LINE__, #cond, \
                    zmq_errno(), zmq_strerror(zmq_errno()));                                       \
            failures++;                                                                            \
            return -1;                                                                             \
        }                                                                                          \
    } while (0)

/* 1 when the libzmq.so.5 this process loaded is zlink's (it exports
 * zlink_version; libzmq does not). */
static int loaded_library_is_zlink(void) { return dlsym(RTLD_DEFAULT, "zlink_version") != NULL; }

#endif
