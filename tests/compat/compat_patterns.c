/*
 * Compatibility check written only against libzmq's documented C API (C99).
 * The same source is built twice: against zlink's <zmq.h> + libzmq.so.5 from
 * zlink, and against the system libzmq (then run on zlink via
 * LD_LIBRARY_PATH).  It exercises every classic pattern over inproc and
 * exits 0, printing "compat: OK", only if all of them behave as documented.
 *
 * With ZLINK_EXPECT_ZLINK=1 in the environment it also insists that the
 * library actually loaded is zlink (zlink exports zlink_version).
 */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <zmq.h>

#include "compat_check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every socket gets timeouts so a misbehaving library fails instead of
   hanging the test run. */
static void *make_socket(void *ctx, int type) {
    int timeout = 2000;
    int linger = 0;
    void *s = zmq_socket(ctx, type);
    if (s) {
        zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
        zmq_setsockopt(s, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
        zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    }
    return s;
}

static int send_str(void *s, const char *str, int flags) {
    return zmq_send(s, str, strlen(str), flags);
}

/* Receives one frame and compares it with the expected text. */
static int recv_expect(void *s, const char *expected) {
    char buf[256];
    size_t len = strlen(expected);
    int rc = zmq_recv(s, buf, sizeof buf, 0);
    CHECK(rc >= 0);
    CHECK((size_t)rc == len);
    CHECK(memcmp(buf, expected, len) == 0);
    return 0;
}

static int rcvmore(void *s) {
    int more = 0;
    size_t size = sizeof more;
    if (zmq_getsockopt(s, ZMQ_RCVMORE, &more, &size) != 0)
        return -1;
    return more;
}

static int test_pair(void *ctx) {
    void *a = make_socket(ctx, ZMQ_PAIR);
    void *b = make_socket(ctx, ZMQ_PAIR);
    CHECK(a && b);
    CHECK(zmq_bind(a, "inproc://compat-pair") == 0);
    CHECK(zmq_connect(b, "inproc://compat-pair") == 0);
    CHECK(send_str(b, "to-a", 0) == 4);
    CHECK(recv_expect(a, "to-a") == 0);
    CHECK(send_str(a, "to-b", 0) == 4);
    CHECK(recv_expect(b, "to-b") == 0);
    CHECK(zmq_close(a) == 0);
    CHECK(zmq_close(b) == 0);
    return 0;
}

static int test_pub_sub(void *ctx) {
    char buf[64];
    int rc, attempts;
    void *pub = make_socket(ctx, ZMQ_PUB);
    void *sub = make_socket(ctx, ZMQ_SUB);
    CHECK(pub && sub);
    CHECK(zmq_bind(pub, "inproc://compat-pubsub") == 0);
    CHECK(zmq_connect(sub, "inproc://compat-pubsub") == 0);
    CHECK(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "A", 1) == 0);

    /* Subscriptions reach the publisher asynchronously: publish until one
       matching message arrives (bounded). */
    for (attempts = 0; attempts < 200; attempts++) {
        zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
        CHECK(send_str(pub, "Async", 0) == 5);
        rc = zmq_poll(&item, 1, 10);
        CHECK(rc >= 0);
        if (rc == 1)
            break;
    }
    CHECK(attempts < 200);

    /* Now filtering is in place: "B..." must be dropped, "A..." delivered. */
    CHECK(send_str(pub, "Bdropped", 0) == 8);
    CHECK(send_str(pub, "Afinal", 0) == 6);
    for (;;) {
        rc = zmq_recv(sub, buf, sizeof buf, 0);
        CHECK(rc >= 0);
        if (rc == 5 && memcmp(buf, "Async", 5) == 0)
            continue;
        CHECK(rc == 6 && memcmp(buf, "Afinal", 6) == 0);
        break;
    }
    /* Nothing else (in particular not "Bdropped") is pending. */
    CHECK(zmq_recv(sub, buf, sizeof buf, ZMQ_DONTWAIT) == -1);
    CHECK(zmq_errno() == EAGAIN);
    CHECK(zmq_close(pub) == 0);
    CHECK(zmq_close(sub) == 0);
    return 0;
}

static int test_xpub_xsub(void *ctx) {
    void *xpub = make_socket(ctx, ZMQ_XPUB);
    void *xsub = make_socket(ctx, ZMQ_XSUB);
    CHECK(xpub && xsub);
    CHECK(zmq_bind(xpub, "inproc://compat-xpubxsub") == 0);
    CHECK(zmq_connect(xsub, "inproc://compat-xpubxsub") == 0);

    /* XSUB subscribes by sending \x01<topic>; XPUB sees it as a message. */
    CHECK(zmq_send(xsub, "\x01topic", 6, 0) == 6);
    CHECK(recv_expect(xpub, "\x01topic") == 0);
    CHECK(send_str(xpub, "topic-data", 0) == 10);
    CHECK(send_str(xpub, "other-data", 0) == 10);
    CHECK(recv_expect(xsub, "topic-data") == 0);

    /* Unsubscribing is \x00<topic>. */
    CHECK(zmq_send(xsub, "\x00topic", 6, 0) == 6);
    {
        char buf[16];
        int rc = zmq_recv(xpub, buf, sizeof buf, 0);
        CHECK(rc == 6);
        CHECK(buf[0] == 0 && memcmp(buf + 1, "topic", 5) == 0);
    }
    CHECK(zmq_close(xpub) == 0);
    CHECK(zmq_close(xsub) == 0);
    return 0;
}

static int test_dealer_router(void *ctx) {
    char id[32];
    int rc;
    int mandatory = 1;
    void *router = make_socket(ctx, ZMQ_ROUTER);
    void *dealer = make_socket(ctx, ZMQ_DEALER);
    CHECK(router && dealer);
    CHECK(zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "dealer-1", 8) == 0);
    CHECK(zmq_setsockopt(router, ZMQ_ROUTER_MANDATORY, &mandatory, sizeof mandatory) == 0);
    CHECK(zmq_bind(router, "inproc://compat-dealerrouter") == 0);
    CHECK(zmq_connect(dealer, "inproc://compat-dealerrouter") == 0);

    CHECK(send_str(dealer, "hello", 0) == 5);
    rc = zmq_recv(router, id, sizeof id, 0);
    CHECK(rc == 8 && memcmp(id, "dealer-1", 8) == 0);
    CHECK(rcvmore(router) == 1);
    CHECK(recv_expect(router, "hello") == 0);
    CHECK(rcvmore(router) == 0);

    CHECK(zmq_send(router, "dealer-1", 8, ZMQ_SNDMORE) == 8);
    CHECK(send_str(router, "world", 0) == 5);
    CHECK(recv_expect(dealer, "world") == 0);

    /* With ZMQ_ROUTER_MANDATORY an unknown peer is an error. */
    CHECK(zmq_send(router, "nobody", 6, ZMQ_SNDMORE) == -1);
    CHECK(zmq_errno() == EHOSTUNREACH);

    CHECK(zmq_close(router) == 0);
    CHECK(zmq_close(dealer) == 0);
    return 0;
}

static int test_req_rep(void *ctx) {
    void *rep = make_socket(ctx, ZMQ_REP);
    void *req = make_socket(ctx, ZMQ_REQ);
    CHECK(rep && req);
    CHECK(zmq_bind(rep, "inproc://compat-reqrep") == 0);
    CHECK(zmq_connect(req, "inproc://compat-reqrep") == 0);
    CHECK(send_str(req, "ping", 0) == 4);
    /* REQ must wait for the reply before sending again. */
    CHECK(send_str(req, "again", 0) == -1);
    CHECK(zmq_errno() == EFSM);
    CHECK(recv_expect(rep, "ping") == 0);
    CHECK(send_str(rep, "pong", 0) == 4);
    CHECK(recv_expect(req, "pong") == 0);
    CHECK(zmq_close(rep) == 0);
    CHECK(zmq_close(req) == 0);
    return 0;
}

static int test_push_pull(void *ctx) {
    int i, got1 = 0, got2 = 0;
    char buf[16];
    void *push = make_socket(ctx, ZMQ_PUSH);
    void *pull1 = make_socket(ctx, ZMQ_PULL);
    void *pull2 = make_socket(ctx, ZMQ_PULL);
    CHECK(push && pull1 && pull2);
    CHECK(zmq_bind(push, "inproc://compat-pushpull") == 0);
    CHECK(zmq_connect(pull1, "inproc://compat-pushpull") == 0);
    CHECK(zmq_connect(pull2, "inproc://compat-pushpull") == 0);
    for (i = 0; i < 4; i++)
        CHECK(send_str(push, "job", 0) == 3);
    /* Round-robin: every message arrives exactly once, both pullers work. */
    while (zmq_recv(pull1, buf, sizeof buf, ZMQ_DONTWAIT) == 3)
        got1++;
    while (zmq_recv(pull2, buf, sizeof buf, ZMQ_DONTWAIT) == 3)
        got2++;
    /* Whatever has not arrived yet must arrive within the timeout. */
    while (got1 + got2 < 4) {
        zmq_pollitem_t items[2] = {{pull1, 0, ZMQ_POLLIN, 0}, {pull2, 0, ZMQ_POLLIN, 0}};
        CHECK(zmq_poll(items, 2, 2000) > 0);
        if (items[0].revents & ZMQ_POLLIN) {
            CHECK(zmq_recv(pull1, buf, sizeof buf, 0) == 3);
            got1++;
        }
        if (items[1].revents & ZMQ_POLLIN) {
            CHECK(zmq_recv(pull2, buf, sizeof buf, 0) == 3);
            got2++;
        }
    }
    CHECK(got1 + got2 == 4);
    CHECK(got1 >= 1 && got2 >= 1);
    CHECK(zmq_close(push) == 0);
    CHECK(zmq_close(pull1) == 0);
    CHECK(zmq_close(pull2) == 0);
    return 0;
}

static int test_multipart(void *ctx) {
    zmq_msg_t msg;
    int part;
    const char *parts[3] = {"one", "two", "three"};
    void *a = make_socket(ctx, ZMQ_PAIR);
    void *b = make_socket(ctx, ZMQ_PAIR);
    CHECK(a && b);
    CHECK(zmq_bind(a, "inproc://compat-multipart") == 0);
    CHECK(zmq_connect(b, "inproc://compat-multipart") == 0);

    for (part = 0; part < 3; part++) {
        size_t len = strlen(parts[part]);
        CHECK(zmq_msg_init_size(&msg, len) == 0);
        memcpy(zmq_msg_data(&msg), parts[part], len);
        CHECK(zmq_msg_send(&msg, a, part < 2 ? ZMQ_SNDMORE : 0) == (int)len);
    }
    for (part = 0; part < 3; part++) {
        size_t len = strlen(parts[part]);
        CHECK(zmq_msg_init(&msg) == 0);
        CHECK(zmq_msg_recv(&msg, b, 0) == (int)len);
        CHECK(zmq_msg_size(&msg) == len);
        CHECK(memcmp(zmq_msg_data(&msg), parts[part], len) == 0);
        CHECK(zmq_msg_more(&msg) == (part < 2));
        CHECK(zmq_msg_get(&msg, ZMQ_MORE) == (part < 2));
        CHECK(zmq_msg_close(&msg) == 0);
    }
    CHECK(zmq_close(a) == 0);
    CHECK(zmq_close(b) == 0);
    return 0;
}

static int test_poll(void *ctx) {
    zmq_pollitem_t items[2];
    void *push = make_socket(ctx, ZMQ_PUSH);
    void *pull = make_socket(ctx, ZMQ_PULL);
    CHECK(push && pull);
    CHECK(zmq_bind(pull, "inproc://compat-poll") == 0);
    CHECK(zmq_connect(push, "inproc://compat-poll") == 0);

    items[0].socket = pull;
    items[0].fd = 0;
    items[0].events = ZMQ_POLLIN;
    items[0].revents = 0;
    items[1].socket = push;
    items[1].fd = 0;
    items[1].events = ZMQ_POLLOUT;
    items[1].revents = 0;

    /* Nothing to read yet; the connected PUSH can write. */
    CHECK(zmq_poll(items, 2, 0) == 1);
    CHECK(items[0].revents == 0);
    CHECK(items[1].revents == ZMQ_POLLOUT);

    CHECK(send_str(push, "wake", 0) == 4);
    CHECK(zmq_poll(items, 1, 2000) == 1);
    CHECK(items[0].revents == ZMQ_POLLIN);
    CHECK(recv_expect(pull, "wake") == 0);
    CHECK(zmq_poll(items, 1, 0) == 0);
    CHECK(items[0].revents == 0);

    CHECK(zmq_close(push) == 0);
    CHECK(zmq_close(pull) == 0);
    return 0;
}

static int check_library_identity(void) {
    const char *expect = getenv("ZLINK_EXPECT_ZLINK");
    if (expect && strcmp(expect, "1") == 0) {
        if (!loaded_library_is_zlink()) {
            fprintf(stderr, "compat: the loaded libzmq is not zlink "
                            "(zlink_version not found)\n");
            failures++;
            return -1;
        }
        printf("compat: running on zlink\n");
    }
    return 0;
}

int main(void) {
    int major, minor, patch;
    void *ctx;

    zmq_version(&major, &minor, &patch);
    printf("compat: zmq_version %d.%d.%d\n", major, minor, patch);
    if (major != 4 || minor != 3) {
        fprintf(stderr, "compat: expected a 4.3 library\n");
        return 1;
    }
    check_library_identity();

    ctx = zmq_ctx_new();
    if (!ctx) {
        fprintf(stderr, "compat: zmq_ctx_new failed\n");
        return 1;
    }
    test_pair(ctx);
    test_pub_sub(ctx);
    test_xpub_xsub(ctx);
    test_dealer_router(ctx);
    test_req_rep(ctx);
    test_push_pull(ctx);
    test_multipart(ctx);
    test_poll(ctx);
    if (failures) {
        /* A failed check may have left sockets open; zmq_ctx_term would
           then block, so report without terminating the context. */
        fprintf(stderr, "compat: %d failure(s)\n", failures);
        return 1;
    }
    if (zmq_ctx_term(ctx) != 0) {
        fprintf(stderr, "compat: zmq_ctx_term failed\n");
        failures++;
    }

    if (failures) {
        fprintf(stderr, "compat: %d failure(s)\n", failures);
        return 1;
    }
    printf("compat: OK\n");
    return 0;
}
