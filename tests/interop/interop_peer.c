/* The other process of the interop tests. Written only against the public
 * libzmq API and built against the system libzmq, so the test executable
 * (zlink, or libzmq under ZLINK_TESTS_AGAINST_LIBZMQ) talks to a real libzmq.
 *
 *   interop_peer --type TYPE (--bind EP | --connect EP) [--count N]
 *                [--plain-server] [--plain-user U --plain-pass P] [--heartbeat]
 *                [--curve-server [--no-zap]] [--curve-client]
 *                [--sink N [--rcvhwm H] [--pace-us U]]
 *
 * It prints "ENDPOINT <ZMQ_LAST_ENDPOINT>" once bound/connected, then plays
 * the fixed role of its socket type (see run_*). Exit status is the verdict:
 * 0 ok, 1 wrong data, 2 timeout or API error. stdin EOF ends the open-ended
 * publisher roles; every receive has a timeout and alarm() bounds the whole
 * run, so the process can never outlive a test.
 */
#define _POSIX_C_SOURCE 200809L
#include <zmq.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_PARTS 8
#define MIB (1024 * 1024)

typedef struct {
    int n;
    size_t size[MAX_PARTS];
    char *data[MAX_PARTS];
} parts_t;

static void parts_free(parts_t *p) {
    int i;
    for (i = 0; i < p->n; ++i)
        free(p->data[i]);
    p->n = 0;
}

static void parts_add(parts_t *p, const char *d, size_t n) {
    p->data[p->n] = malloc(n ? n : 1);
    if (n)
        memcpy(p->data[p->n], d, n);
    p->size[p->n] = n;
    p->n++;
}

static int parts_equal(const parts_t *a, const parts_t *b) {
    int i;
    if (a->n != b->n)
        return 0;
    for (i = 0; i < a->n; ++i)
        if (a->size[i] != b->size[i] || memcmp(a->data[i], b->data[i], a->size[i]) != 0)
            return 0;
    return 1;
}

static int parts_is(const parts_t *p, const char *s) {
    return p->n == 1 && p->size[0] == strlen(s) && memcmp(p->data[0], s, p->size[0]) == 0;
}

/* Receive a whole message; -1 on timeout/error. */
static int recv_parts(void *s, parts_t *p) {
    int more = 1;
    p->n = 0;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, s, 0) < 0) {
            zmq_msg_close(&m);
            parts_free(p);
            return -1;
        }
        if (p->n < MAX_PARTS)
            parts_add(p, zmq_msg_data(&m), zmq_msg_size(&m));
        more = zmq_msg_more(&m);
        zmq_msg_close(&m);
    }
    return 0;
}

static int send_parts(void *s, const parts_t *p, int first) {
    int i;
    for (i = first; i < p->n; ++i)
        if (zmq_send(s, p->data[i], p->size[i], i + 1 < p->n ? ZMQ_SNDMORE : 0) < 0)
            return -1;
    return 0;
}

static int send_str(void *s, const char *str, int flags) {
    return zmq_send(s, str, strlen(str), flags);
}

/* The standard message set, identical to the test side's (test_interop.cpp):
 * "hello", an empty message, a 3-part message with an empty middle part,
 * 1 MiB of pattern, then "seq-<i>" for i < count. */
static void standard_message(int i, parts_t *p) {
    p->n = 0;
    if (i == 0) {
        parts_add(p, "hello", 5);
    } else if (i == 1) {
        parts_add(p, "", 0);
    } else if (i == 2) {
        parts_add(p, "multi", 5);
        parts_add(p, "", 0);
        parts_add(p, "part", 4);
    } else if (i == 3) {
        char *big = malloc(MIB);
        size_t k;
        for (k = 0; k < MIB; ++k)
            big[k] = (char)((k * 7 + 3) & 0xFF);
        parts_add(p, big, MIB);
        free(big);
    } else {
        char buf[32];
        snprintf(buf, sizeof buf, "seq-%d", i - 4);
        parts_add(p, buf, strlen(buf));
    }
}

/* ---------------------------------------------------------------- ZAP */

/* CURVE: the test key pairs from zmq_curve(7), the same in test_interop.cpp. */
static const char curve_client_public[] = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
static const char curve_client_secret[] = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";
static const char curve_server_public[] = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
static const char curve_server_secret[] = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";

/* A CURVE ZAP request from the known client key. */
static int curve_client_known(const parts_t *req) {
    uint8_t key[32];
    zmq_z85_decode(key, curve_client_public);
    return req->n >= 7 && req->size[5] == 5 && memcmp(req->data[5], "CURVE", 5) == 0 &&
           req->size[6] == 32 && memcmp(req->data[6], key, 32) == 0;
}

static volatile int zap_stop = 0;

/* Accepts PLAIN admin/secret and the known CURVE client key with user id
 * "admin-id"; denies the rest (400). */
static void *zap_thread(void *sock) {
    while (!zap_stop) {
        zmq_pollitem_t it;
        parts_t req;
        int ok;
        it.socket = sock;
        it.fd = 0;
        it.events = ZMQ_POLLIN;
        it.revents = 0;
        if (zmq_poll(&it, 1, 20) <= 0)
            continue;
        if (recv_parts(sock, &req) != 0)
            break;
        ok = req.n >= 8 && req.size[5] == 5 && memcmp(req.data[5], "PLAIN", 5) == 0 &&
             req.size[6] == 5 && memcmp(req.data[6], "admin", 5) == 0 && req.size[7] == 6 &&
             memcmp(req.data[7], "secret", 6) == 0;
        ok = ok || curve_client_known(&req);
        send_str(sock, "1.0", ZMQ_SNDMORE);
        zmq_send(sock, req.n > 1 ? req.data[1] : "", req.n > 1 ? req.size[1] : 0, ZMQ_SNDMORE);
        send_str(sock, ok ? "200" : "400", ZMQ_SNDMORE);
        send_str(sock, ok ? "OK" : "denied", ZMQ_SNDMORE);
        send_str(sock, ok ? "admin-id" : "", ZMQ_SNDMORE);
        send_str(sock, "", 0);
        parts_free(&req);
    }
    return NULL;
}

/* ---------------------------------------------------------------- roles */

static int count = 50;

static int stdin_closed(void) {
    struct pollfd p;
    char c;
    p.fd = 0;
    p.events = POLLIN;
    p.revents = 0;
    if (poll(&p, 1, 0) != 1)
        return 0;
    return read(0, &c, 1) <= 0;
}

/* PAIR, DEALER, REP, ROUTER: echo every message until a lone "END" (which is
 * echoed too). ROUTER keeps the routing-id frame as the envelope. */
static int run_echo(void *s, int type) {
    if (type == ZMQ_DEALER && send_str(s, "HELLO", 0) < 0)
        return 2;
    for (;;) {
        parts_t m;
        int end;
        if (recv_parts(s, &m) != 0)
            return 2;
        if (type == ZMQ_ROUTER)
            end = m.n == 2 && m.size[1] == 3 && memcmp(m.data[1], "END", 3) == 0;
        else
            end = parts_is(&m, "END");
        if (send_parts(s, &m, 0) != 0)
            return 2;
        parts_free(&m);
        if (end)
            return 0;
    }
}

/* REQ: send the standard set, each reply must be the same message. */
static int run_req(void *s) {
    int i;
    parts_t out, in;
    for (i = 0; i < count + 4; ++i) {
        int same;
        standard_message(i, &out);
        if (send_parts(s, &out, 0) != 0 || recv_parts(s, &in) != 0) {
            parts_free(&out);
            return 2;
        }
        same = parts_equal(&out, &in);
        parts_free(&out);
        parts_free(&in);
        if (!same)
            return 1;
    }
    if (send_str(s, "END", 0) < 0 || recv_parts(s, &in) != 0)
        return 2;
    i = parts_is(&in, "END");
    parts_free(&in);
    return i ? 0 : 1;
}

/* PUSH: send the standard set then "END". */
static int run_push(void *s) {
    int i;
    parts_t out;
    for (i = 0; i < count + 4; ++i) {
        standard_message(i, &out);
        if (send_parts(s, &out, 0) != 0) {
            parts_free(&out);
            return 2;
        }
        parts_free(&out);
    }
    return send_str(s, "END", 0) < 0 ? 2 : 0;
}

/* PULL: receive exactly the standard set then "END". */
static int run_pull(void *s) {
    int i, same;
    parts_t want, in;
    for (i = 0; i < count + 4; ++i) {
        if (recv_parts(s, &in) != 0)
            return 2;
        standard_message(i, &want);
        same = parts_equal(&want, &in);
        parts_free(&want);
        parts_free(&in);
        if (!same)
            return 1;
    }
    if (recv_parts(s, &in) != 0)
        return 2;
    same = parts_is(&in, "END");
    parts_free(&in);
    return same ? 0 : 1;
}

/* PULL --sink N: take the messages "0".."N-1" (one part each), pausing
 * pace_us after each (a reader slower than its io thread), until N arrived
 * or 2 s of silence. Prints "RECEIVED <k>"; 0 all in order, 1 wrong data,
 * 3 some missing. */
static int run_sink(void *s, int n, int pace_us) {
    int got = 0, v = 2000;
    char buf[32], want[32];
    zmq_setsockopt(s, ZMQ_RCVTIMEO, &v, sizeof v);
    while (got < n) {
        const int len = zmq_recv(s, buf, sizeof buf - 1, 0);
        if (len < 0)
            break;
        buf[len] = 0;
        snprintf(want, sizeof want, "%d", got);
        if (strcmp(buf, want) != 0) {
            printf("RECEIVED %d WRONG %s\n", got, buf);
            return 1;
        }
        ++got;
        if (pace_us > 0) {
            struct timespec ts;
            ts.tv_sec = 0;
            ts.tv_nsec = (long)pace_us * 1000;
            nanosleep(&ts, NULL);
        }
    }
    printf("RECEIVED %d\n", got);
    fflush(stdout);
    return got == n ? 0 : 3;
}

/* PUB: publish "B-noise" and "A-<i>" until stdin closes. */
static int run_pub(void *s) {
    int i = 0;
    char buf[32];
    while (!stdin_closed()) {
        send_str(s, "B-noise", 0);
        snprintf(buf, sizeof buf, "A-%d", i++);
        send_str(s, buf, 0);
        zmq_poll(NULL, 0, 1); /* pacing only */
    }
    return 0;
}

/* SUB/XSUB: subscribe to "A", take `count` messages, all must match. XSUB
 * then unsubscribes, which its XPUB partner waits for. */
static int run_sub(void *s, int type) {
    int i;
    if (type == ZMQ_SUB)
        zmq_setsockopt(s, ZMQ_SUBSCRIBE, "A", 1);
    else if (zmq_send(s, "\1A", 2, 0) < 0)
        return 2;
    for (i = 0; i < count; ++i) {
        parts_t in;
        int ok;
        if (recv_parts(s, &in) != 0)
            return 2;
        ok = in.n == 1 && in.size[0] >= 1 && in.data[0][0] == 'A';
        parts_free(&in);
        if (!ok)
            return 1;
    }
    if (type == ZMQ_XSUB && zmq_send(s, "\0A", 2, 0) < 0)
        return 2;
    return 0;
}

/* XPUB: wait for the "\1A" subscription, publish until "\0A" arrives. */
static int run_xpub(void *s) {
    parts_t in;
    int i = 0, ok;
    char buf[32];
    if (recv_parts(s, &in) != 0)
        return 2;
    ok = in.n == 1 && in.size[0] == 2 && memcmp(in.data[0], "\1A", 2) == 0;
    parts_free(&in);
    if (!ok)
        return 1;
    for (;;) {
        zmq_pollitem_t it;
        send_str(s, "B-noise", 0);
        snprintf(buf, sizeof buf, "A-%d", i++);
        send_str(s, buf, 0);
        it.socket = s;
        it.fd = 0;
        it.events = ZMQ_POLLIN;
        it.revents = 0;
        if (zmq_poll(&it, 1, 1) == 1) {
            if (recv_parts(s, &in) != 0)
                return 2;
            ok = in.n == 1 && in.size[0] == 2 && memcmp(in.data[0], "\0A", 2) == 0;
            parts_free(&in);
            return ok ? 0 : 1;
        }
        if (stdin_closed())
            return 2;
    }
}

static int type_of(const char *name) {
    static const struct {
        const char *name;
        int type;
    } types[] = {{"PAIR", ZMQ_PAIR},     {"PUB", ZMQ_PUB},   {"SUB", ZMQ_SUB},
                 {"REQ", ZMQ_REQ},       {"REP", ZMQ_REP},   {"DEALER", ZMQ_DEALER},
                 {"ROUTER", ZMQ_ROUTER}, {"PULL", ZMQ_PULL}, {"PUSH", ZMQ_PUSH},
                 {"XPUB", ZMQ_XPUB},     {"XSUB", ZMQ_XSUB}};
    size_t i;
    for (i = 0; i < sizeof types / sizeof types[0]; ++i)
        if (strcmp(types[i].name, name) == 0)
            return types[i].type;
    return -1;
}

int main(int argc, char **argv) {
    const char *type_name = NULL, *bind_ep = NULL, *connect_ep = NULL;
    const char *user = NULL, *pass = NULL;
    int plain_server = 0, heartbeat = 0, type, i, rc = 2, v;
    int curve_server = 0, curve_client = 0, no_zap = 0;
    int sink = -1, rcvhwm = -1, pace_us = 0;
    void *ctx, *s, *zap = NULL, *mon = NULL;
    pthread_t zt;
    char ep[256];
    size_t len = sizeof ep;

    alarm(20);
    for (i = 1; i < argc; ++i) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--type") == 0 && next)
            type_name = argv[++i];
        else if (strcmp(a, "--bind") == 0 && next)
            bind_ep = argv[++i];
        else if (strcmp(a, "--connect") == 0 && next)
            connect_ep = argv[++i];
        else if (strcmp(a, "--count") == 0 && next)
            count = atoi(argv[++i]);
        else if (strcmp(a, "--plain-user") == 0 && next)
            user = argv[++i];
        else if (strcmp(a, "--plain-pass") == 0 && next)
            pass = argv[++i];
        else if (strcmp(a, "--plain-server") == 0)
            plain_server = 1;
        else if (strcmp(a, "--curve-server") == 0)
            curve_server = 1;
        else if (strcmp(a, "--curve-client") == 0)
            curve_client = 1;
        else if (strcmp(a, "--no-zap") == 0)
            no_zap = 1;
        else if (strcmp(a, "--heartbeat") == 0)
            heartbeat = 1;
        else if (strcmp(a, "--sink") == 0 && next)
            sink = atoi(argv[++i]);
        else if (strcmp(a, "--rcvhwm") == 0 && next)
            rcvhwm = atoi(argv[++i]);
        else if (strcmp(a, "--pace-us") == 0 && next)
            pace_us = atoi(argv[++i]);
        else {
            fprintf(stderr, "interop_peer: bad argument %s\n", a);
            return 2;
        }
    }
    type = type_name ? type_of(type_name) : -1;
    if (type < 0 || (!bind_ep == !connect_ep)) {
        fprintf(stderr, "interop_peer: need --type and one of --bind/--connect\n");
        return 2;
    }

    ctx = zmq_ctx_new();
    s = zmq_socket(ctx, type);
    v = 5000;
    zmq_setsockopt(s, ZMQ_RCVTIMEO, &v, sizeof v);
    zmq_setsockopt(s, ZMQ_SNDTIMEO, &v, sizeof v);
    v = 1;
    zmq_setsockopt(s, ZMQ_IPV6, &v, sizeof v);
    if (rcvhwm >= 0)
        zmq_setsockopt(s, ZMQ_RCVHWM, &rcvhwm, sizeof rcvhwm);
    if (type == ZMQ_DEALER)
        zmq_setsockopt(s, ZMQ_ROUTING_ID, "peer-dealer", 11);
    if (plain_server || (curve_server && !no_zap)) {
        zap = zmq_socket(ctx, ZMQ_REP);
        if (zmq_bind(zap, "inproc://zeromq.zap.01") != 0)
            return 2;
        pthread_create(&zt, NULL, zap_thread, zap);
    }
    if (plain_server) {
        v = 1;
        zmq_setsockopt(s, ZMQ_PLAIN_SERVER, &v, sizeof v);
    }
    if (curve_server) {
        v = 1;
        zmq_setsockopt(s, ZMQ_CURVE_SERVER, &v, sizeof v);
        zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, curve_server_secret, 40);
    }
    if (curve_client) {
        zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, curve_server_public, 40);
        zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, curve_client_public, 40);
        zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, curve_client_secret, 40);
    }
    if (user && pass) {
        zmq_setsockopt(s, ZMQ_PLAIN_USERNAME, user, strlen(user));
        zmq_setsockopt(s, ZMQ_PLAIN_PASSWORD, pass, strlen(pass));
    }
    if (heartbeat) {
        v = 20;
        zmq_setsockopt(s, ZMQ_HEARTBEAT_IVL, &v, sizeof v);
        v = 300;
        zmq_setsockopt(s, ZMQ_HEARTBEAT_TIMEOUT, &v, sizeof v);
        zmq_setsockopt(s, ZMQ_HEARTBEAT_TTL, &v, sizeof v);
    }
    if (getenv("INTEROP_PEER_TRACE")) {
        /* Debug aid: the socket's monitor events go to stderr at exit. */
        zmq_socket_monitor(s, "inproc://peer-monitor", ZMQ_EVENT_ALL);
        mon = zmq_socket(ctx, ZMQ_PAIR);
        zmq_connect(mon, "inproc://peer-monitor");
    }
    if (bind_ep ? zmq_bind(s, bind_ep) : zmq_connect(s, connect_ep)) {
        fprintf(stderr, "interop_peer: %s: %s\n", bind_ep ? bind_ep : connect_ep,
                zmq_strerror(zmq_errno()));
        return 2;
    }
    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, ep, &len);
    printf("ENDPOINT %s\n", ep);
    fflush(stdout);

    switch (type) {
    case ZMQ_PAIR:
    case ZMQ_DEALER:
    case ZMQ_REP:
    case ZMQ_ROUTER:
        rc = run_echo(s, type);
        break;
    case ZMQ_REQ:
        rc = run_req(s);
        break;
    case ZMQ_PUSH:
        rc = run_push(s);
        break;
    case ZMQ_PULL:
        rc = sink >= 0 ? run_sink(s, sink, pace_us) : run_pull(s);
        break;
    case ZMQ_PUB:
        rc = run_pub(s);
        break;
    case ZMQ_SUB:
    case ZMQ_XSUB:
        rc = run_sub(s, type);
        break;
    case ZMQ_XPUB:
        rc = run_xpub(s);
        break;
    }
    if (rc != 0)
        fprintf(stderr, "interop_peer %s: failed with %d (%s)\n", type_name, rc,
                zmq_strerror(zmq_errno()));

    while (mon) {
        unsigned char ev[6];
        char where[256];
        unsigned short id;
        unsigned int value;
        if (zmq_recv(mon, ev, sizeof ev, ZMQ_DONTWAIT) != 6)
            break;
        zmq_recv(mon, where, sizeof where, 0);
        memcpy(&id, ev, 2);
        memcpy(&value, ev + 2, 4);
        fprintf(stderr, "interop_peer event 0x%x value %u\n", id, value);
    }
    if (mon) {
        v = 0;
        zmq_setsockopt(mon, ZMQ_LINGER, &v, sizeof v);
        zmq_close(mon);
    }
    /* Bounded linger: what was sent gets flushed, a dead peer cannot hang us. */
    v = 3000;
    zmq_setsockopt(s, ZMQ_LINGER, &v, sizeof v);
    zmq_close(s);
    if (zap) {
        zap_stop = 1;
        pthread_join(zt, NULL);
        zmq_close(zap);
    }
    zmq_ctx_term(ctx);
    return rc;
}
