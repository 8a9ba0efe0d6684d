/*
 * A czmq 4.2 program, the way a czmq user writes one: built against Debian's
 * libczmq (which links the system libzmq.so.5) and run twice by ctest, on the
 * system libzmq and on zlink's libzmq.so.5 through LD_LIBRARY_PATH. czmq
 * drives libzmq in its own way (its own context set-up and shutdown, ZAP
 * through the zauth actor, socket monitors through zmonitor, actor pipes
 * over inproc PAIR, zloop and zpoller over zmq_poll), so differences in
 * those paths show up here. Exits 0 after "czmq: OK" only if every check
 * passed.
 */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <czmq.h>

#include "compat_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A received string equals `want` (frees it). */
static int str_is(char *got, const char *want) {
    const int same = got != NULL && strcmp(got, want) == 0;
    if (!same)
        fprintf(stderr, "  got \"%s\", want \"%s\"\n", got ? got : "(null)", want);
    zstr_free(&got);
    return same;
}

static void set_timeouts(zsock_t *s) {
    zsock_set_rcvtimeo(s, 5000);
    zsock_set_sndtimeo(s, 5000);
}

static int check_req_rep(const char *transport) {
    zsock_t *rep = zsock_new(ZMQ_REP);
    CHECK(rep);
    set_timeouts(rep);
    char bind_ep[128];
    if (strcmp(transport, "ipc") == 0)
        snprintf(bind_ep, sizeof bind_ep, "ipc:///tmp/zlink-czmq-%d.ipc", (int)getpid());
    else
        snprintf(bind_ep, sizeof bind_ep, "tcp://127.0.0.1:*");
    CHECK(zsock_bind(rep, "%s", bind_ep) >= 0);
    const char *ep = zsock_endpoint(rep);
    CHECK(ep);
    zsock_t *req = zsock_new_req(ep);
    CHECK(req);
    set_timeouts(req);
    for (int i = 0; i < 100; i++) {
        CHECK(zstr_sendf(req, "request %d", i) == 0);
        char want[32];
        snprintf(want, sizeof want, "request %d", i);
        CHECK(str_is(zstr_recv(rep), want));
        CHECK(zstr_sendx(rep, "reply", "two parts", NULL) == 0);
        char *a = NULL, *b = NULL;
        CHECK(zstr_recvx(req, &a, &b, NULL) == 2);
        CHECK(str_is(a, "reply") && str_is(b, "two parts"));
    }
    /* REQ's state machine: a second send without a reply is EFSM. */
    CHECK(zstr_send(req, "one") == 0);
    CHECK(zstr_send(req, "two") == -1 && zmq_errno() == EFSM);
    zsock_destroy(&req);
    zsock_destroy(&rep);
    return 0;
}

static int check_pub_sub_and_poller(void) {
    zsock_t *pub = zsock_new_pub("@tcp://127.0.0.1:*");
    CHECK(pub);
    zsock_t *news = zsock_new_sub(zsock_endpoint(pub), "news");
    zsock_t *all = zsock_new_sub(zsock_endpoint(pub), "");
    CHECK(news && all);
    zpoller_t *poller = zpoller_new(news, all, NULL);
    CHECK(poller);
    /* Subscriptions travel asynchronously: publish until one arrives. */
    void *which = NULL;
    for (int i = 0; i < 200 && which == NULL; i++) {
        zstr_send(pub, "news hello");
        which = zpoller_wait(poller, 25);
    }
    CHECK(which != NULL);
    CHECK(!zpoller_terminated(poller));
    /* Drain, then a filtered and an unfiltered topic. */
    while ((which = zpoller_wait(poller, 100)) != NULL)
        zstr_free(&(char *){zstr_recv(which)});
    CHECK(zpoller_expired(poller));
    CHECK(zstr_send(pub, "weather rain") == 0);
    CHECK(zpoller_wait(poller, 5000) == all);
    CHECK(str_is(zstr_recv(all), "weather rain"));
    CHECK(zpoller_wait(poller, 100) == NULL);
    CHECK(zstr_send(pub, "news more") == 0);
    int seen_news = 0, seen_all = 0;
    while (seen_news + seen_all < 2 && (which = zpoller_wait(poller, 5000)) != NULL) {
        CHECK(str_is(zstr_recv(which), "news more"));
        if (which == news)
            seen_news++;
        else
            seen_all++;
    }
    CHECK(seen_news == 1 && seen_all == 1);
    zpoller_destroy(&poller);
    zsock_destroy(&all);
    zsock_destroy(&news);
    zsock_destroy(&pub);
    return 0;
}

static int check_router_dealer_multipart(void) {
    zsock_t *router = zsock_new_router("@tcp://127.0.0.1:*");
    CHECK(router);
    set_timeouts(router);
    zsock_t *dealer = zsock_new(ZMQ_DEALER);
    CHECK(dealer);
    set_timeouts(dealer);
    zsock_set_identity(dealer, "dealer-1");
    CHECK(zsock_connect(dealer, "%s", zsock_endpoint(router)) == 0);
    zmsg_t *m = zmsg_new();
    zmsg_addstr(m, "part 1");
    zmsg_addmem(m, NULL, 0);
    zframe_t *big = zframe_new(NULL, 300000);
    memset(zframe_data(big), 'x', 300000);
    zmsg_append(m, &big);
    CHECK(zmsg_send(&m, dealer) == 0);
    zmsg_t *in = zmsg_recv(router);
    CHECK(in && zmsg_size(in) == 4);
    zframe_t *id = zmsg_pop(in);
    CHECK(zframe_streq(id, "dealer-1"));
    CHECK(str_is(zmsg_popstr(in), "part 1"));
    zframe_t *empty = zmsg_pop(in);
    CHECK(zframe_size(empty) == 0);
    zframe_destroy(&empty);
    zframe_t *body = zmsg_pop(in);
    CHECK(zframe_size(body) == 300000 && zframe_data(body)[299999] == 'x');
    zframe_destroy(&body);
    zmsg_destroy(&in);
    /* Route a reply back by identity; an unknown identity is dropped
     * silently, or EHOSTUNREACH with ROUTER_MANDATORY. */
    zmsg_t *reply = zmsg_new();
    zmsg_append(reply, &id);
    zmsg_addstr(reply, "back");
    CHECK(zmsg_send(&reply, router) == 0);
    CHECK(str_is(zstr_recv(dealer), "back"));
    zsock_set_router_mandatory(router, 1);
    CHECK(zstr_sendx(router, "nobody", "lost", NULL) == -1 && zmq_errno() == EHOSTUNREACH);
    zsock_destroy(&dealer);
    zsock_destroy(&router);
    return 0;
}

/* An actor: czmq's thread + inproc PAIR pipe + signal handshake. */
static void echo_actor(zsock_t *pipe, void *args) {
    (void)args;
    zsock_signal(pipe, 0);
    while (true) {
        zmsg_t *msg = zmsg_recv(pipe);
        if (!msg)
            break;
        char *cmd = zmsg_popstr(msg);
        const int term = cmd && strcmp(cmd, "$TERM") == 0;
        if (!term && cmd && strcmp(cmd, "ECHO") == 0)
            zmsg_send(&msg, pipe);
        zstr_free(&cmd);
        zmsg_destroy(&msg);
        if (term)
            break;
    }
}

static int check_actor(void) {
    zactor_t *actor = zactor_new(echo_actor, NULL);
    CHECK(actor);
    for (int i = 0; i < 50; i++) {
        CHECK(zstr_sendx(actor, "ECHO", "ping", NULL) == 0);
        CHECK(str_is(zstr_recv(actor), "ping"));
    }
    zactor_destroy(&actor); /* sends $TERM and waits for the actor's signal */
    CHECK(actor == NULL);
    return 0;
}

typedef struct {
    zsock_t *pull;
    int received;
    int ticks;
} loop_state_t;

static int on_message(zloop_t *loop, zsock_t *reader, void *arg) {
    (void)loop;
    loop_state_t *st = (loop_state_t *)arg;
    char *s = zstr_recv(reader);
    if (s)
        st->received++;
    zstr_free(&s);
    return st->received == 20 ? -1 : 0;
}

static int on_timer(zloop_t *loop, int timer_id, void *arg) {
    (void)loop;
    (void)timer_id;
    ((loop_state_t *)arg)->ticks++;
    return 0;
}

static int on_give_up(zloop_t *loop, int timer_id, void *arg) {
    (void)loop;
    (void)timer_id;
    (void)arg;
    return -1;
}

static int check_zloop(void) {
    zsock_t *pull = zsock_new_pull("@inproc://zlink-czmq-loop");
    zsock_t *push = zsock_new_push(">inproc://zlink-czmq-loop");
    CHECK(pull && push);
    for (int i = 0; i < 20; i++)
        CHECK(zstr_sendf(push, "%d", i) == 0);
    zloop_t *loop = zloop_new();
    CHECK(loop);
    loop_state_t st = {pull, 0, 0};
    CHECK(zloop_reader(loop, pull, on_message, &st) == 0);
    CHECK(zloop_timer(loop, 1, 3, on_timer, &st) >= 0);
    CHECK(zloop_timer(loop, 10000, 1, on_give_up, &st) >= 0);
    zloop_start(loop);
    CHECK(st.received == 20);
    zloop_destroy(&loop);
    zsock_destroy(&push);
    zsock_destroy(&pull);
    return 0;
}

/* CURVE with zauth: a client that knows the server key gets in; one that
 * has the wrong server key does not (its message never arrives). */
static int check_curve_with_zauth(void) {
    zactor_t *auth = zactor_new(zauth, NULL);
    CHECK(auth);
    CHECK(zstr_sendx(auth, "CURVE", CURVE_ALLOW_ANY, NULL) == 0);
    CHECK(zsock_wait(auth) == 0);
    zcert_t *server_cert = zcert_new();
    zcert_t *client_cert = zcert_new();
    zcert_t *other_cert = zcert_new();
    CHECK(server_cert && client_cert && other_cert);
    zsock_t *server = zsock_new(ZMQ_PULL);
    CHECK(server);
    set_timeouts(server);
    zcert_apply(server_cert, server);
    zsock_set_curve_server(server, 1);
    zsock_set_zap_domain(server, "global");
    CHECK(zsock_bind(server, "tcp://127.0.0.1:*") > 0);
    CHECK(zsock_curve_server(server) == 1);

    zsock_t *good = zsock_new(ZMQ_PUSH);
    zcert_apply(client_cert, good);
    zsock_set_curve_serverkey(good, zcert_public_txt(server_cert));
    CHECK(zsock_connect(good, "%s", zsock_endpoint(server)) == 0);
    CHECK(zstr_send(good, "secret") == 0);
    CHECK(str_is(zstr_recv(server), "secret"));

    zsock_t *bad = zsock_new(ZMQ_PUSH);
    zcert_apply(client_cert, bad);
    zsock_set_curve_serverkey(bad, zcert_public_txt(other_cert));
    zsock_set_sndtimeo(bad, 0);
    CHECK(zsock_connect(bad, "%s", zsock_endpoint(server)) == 0);
    zstr_send(bad, "intruder"); /* may queue or EAGAIN: never delivered */
    zsock_set_rcvtimeo(server, 300);
    char *leaked = zstr_recv(server);
    CHECK(leaked == NULL);
    zsock_destroy(&bad);
    zsock_destroy(&good);
    zsock_destroy(&server);
    zcert_destroy(&other_cert);
    zcert_destroy(&client_cert);
    zcert_destroy(&server_cert);
    zactor_destroy(&auth);
    return 0;
}

/* zmonitor (zmq_socket_monitor underneath): LISTENING, then ACCEPTED when
 * a peer connects. */
static int check_zmonitor(void) {
    zsock_t *server = zsock_new(ZMQ_DEALER);
    CHECK(server);
    zactor_t *monitor = zactor_new(zmonitor, server);
    CHECK(monitor);
    CHECK(zstr_sendx(monitor, "LISTEN", "LISTENING", "ACCEPTED", NULL) == 0);
    CHECK(zstr_sendx(monitor, "START", NULL) == 0);
    CHECK(zsock_wait(monitor) == 0);
    CHECK(zsock_bind(server, "tcp://127.0.0.1:*") > 0);
    zsock_set_rcvtimeo(monitor, 5000);
    zmsg_t *ev = zmsg_recv(monitor);
    CHECK(ev);
    CHECK(str_is(zmsg_popstr(ev), "LISTENING"));
    zmsg_destroy(&ev);
    zsock_t *client = zsock_new_dealer(zsock_endpoint(server));
    CHECK(client);
    ev = zmsg_recv(monitor);
    CHECK(ev);
    CHECK(str_is(zmsg_popstr(ev), "ACCEPTED"));
    zmsg_destroy(&ev);
    zsock_destroy(&client);
    zactor_destroy(&monitor);
    zsock_destroy(&server);
    return 0;
}

/* zproxy: czmq's own proxy actor between a PULL frontend and PUSH backend. */
static int check_zproxy(void) {
    zactor_t *proxy = zactor_new(zproxy, NULL);
    CHECK(proxy);
    CHECK(zstr_sendx(proxy, "FRONTEND", "PULL", "inproc://zlink-czmq-front", NULL) == 0);
    CHECK(zsock_wait(proxy) == 0);
    CHECK(zstr_sendx(proxy, "BACKEND", "PUSH", "inproc://zlink-czmq-back", NULL) == 0);
    CHECK(zsock_wait(proxy) == 0);
    zsock_t *in = zsock_new_push(">inproc://zlink-czmq-front");
    zsock_t *out = zsock_new_pull(">inproc://zlink-czmq-back");
    CHECK(in && out);
    set_timeouts(out);
    for (int i = 0; i < 10; i++)
        CHECK(zstr_sendf(in, "through %d", i) == 0);
    for (int i = 0; i < 10; i++) {
        char want[32];
        snprintf(want, sizeof want, "through %d", i);
        CHECK(str_is(zstr_recv(out), want));
    }
    zsock_destroy(&out);
    zsock_destroy(&in);
    zactor_destroy(&proxy);
    return 0;
}

int main(void) {
    const int is_zlink = loaded_library_is_zlink();
    if (getenv("ZLINK_EXPECT_ZLINK") && !is_zlink) {
        fprintf(stderr, "czmq: the library loaded is not zlink\n");
        return 2;
    }
    zsys_init();
    zsys_handler_set(NULL); /* keep the default SIGINT behaviour */
    const char *lib = is_zlink ? "zlink" : "libzmq";
    int major, minor, patch;
    zmq_version(&major, &minor, &patch);
    printf("czmq %d.%d.%d on %s %d.%d.%d\n", CZMQ_VERSION_MAJOR, CZMQ_VERSION_MINOR,
           CZMQ_VERSION_PATCH, lib, major, minor, patch);
    struct {
        const char *name;
        int (*run)(void);
    } checks[] = {
        {"zloop", check_zloop},
        {"actor", check_actor},
        {"pub/sub + zpoller", check_pub_sub_and_poller},
        {"router/dealer multipart", check_router_dealer_multipart},
        {"curve + zauth", check_curve_with_zauth},
        {"zmonitor", check_zmonitor},
        {"zproxy", check_zproxy},
    };
    if (check_req_rep("tcp") != 0)
        fprintf(stderr, "FAILED: req/rep tcp\n");
    if (check_req_rep("ipc") != 0)
        fprintf(stderr, "FAILED: req/rep ipc\n");
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
        if (checks[i].run() != 0)
            fprintf(stderr, "FAILED: %s\n", checks[i].name);
    zsys_shutdown();
    if (failures) {
        fprintf(stderr, "czmq: %d check(s) failed\n", failures);
        return 1;
    }
    printf("czmq: OK\n");
    return 0;
}
