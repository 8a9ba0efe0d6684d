// pyzmq's zmq.auth on zlink's drop-in libzmq.so.5: certificates made by
// zmq.auth.create_certificates, a ThreadAuthenticator allowing the client's
// key, a CURVE REP server on one library and a REQ client on the other (the
// system libzmq), both ways; a client whose key is not allowed gets nothing.
// Against the system libzmq both processes run on it.
#include "interop_util.hpp"

#include <cstdlib>

using namespace interop;

namespace {

// Roles: certs DIR | server DIR | client DIR EP [--stranger].
// Both print "LIB <libzmq version>" first; the server then "ENDPOINT <ep>",
// answers one request with the User-Id
// zmq.auth gave it (the client's Z85 key) and exits 0.
const char *kAuthScript = R"PY(
import os, sys, zmq, zmq.auth
from zmq.auth.thread import ThreadAuthenticator
role, d = sys.argv[1], sys.argv[2]
keys, allowed = os.path.join(d, 'keys'), os.path.join(d, 'allowed')
if role == 'certs':
    for p in (keys, allowed):
        os.makedirs(p, exist_ok=True)
    zmq.auth.create_certificates(keys, 'server')
    zmq.auth.create_certificates(keys, 'client')
    zmq.auth.create_certificates(keys, 'stranger')
    os.replace(os.path.join(keys, 'client.key'), os.path.join(allowed, 'client.key'))
    sys.exit(0)
ctx = zmq.Context()
print('LIB ' + zmq.zmq_version(), flush=True)
if role == 'server':
    auth = ThreadAuthenticator(ctx)
    auth.start()
    auth.configure_curve(domain='*', location=allowed)
    s = ctx.socket(zmq.REP)
    s.curve_publickey, s.curve_secretkey = zmq.auth.load_certificate(
        os.path.join(keys, 'server.key_secret'))
    s.curve_server = True
    s.rcvtimeo = 5000
    s.linger = 1000
    s.bind('tcp://127.0.0.1:*')
    print('ENDPOINT ' + s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
    frame = s.recv(copy=False)
    s.send(frame.bytes + b' from ' + frame.get('User-Id').encode())
    s.close()
    auth.stop()
    ctx.term()
    sys.exit(0)
name = 'stranger' if '--stranger' in sys.argv else 'client'
c = ctx.socket(zmq.REQ)
c.curve_publickey, c.curve_secretkey = zmq.auth.load_certificate(
    os.path.join(keys, name + '.key_secret'))
c.curve_serverkey, _ = zmq.auth.load_certificate(os.path.join(keys, 'server.key'))
c.rcvtimeo = 1000 if name == 'stranger' else 5000
c.linger = 0
c.connect(sys.argv[3])
c.send(b'hello')
try:
    reply = c.recv()
except zmq.Again:
    print('NO REPLY', flush=True)
    sys.exit(3)
print('REPLY ' + reply.decode(), flush=True)
sys.exit(0 if reply.startswith(b'hello from ') and len(reply) == 51 else 1)
)PY";

bool pyzmq_auth_available() {
    const std::string py = ZLINK_INTEROP_PYTHON;
    if (py.empty() || py.find("NOTFOUND") != std::string::npos)
        return false;
    peer_process p;
    if (!p.start({py, "-c", "import zmq, zmq.auth.thread; assert zmq.has('curve')"}))
        return false;
    return p.wait_exit() == 0;
}

std::vector<std::string> dropin_env() {
    std::vector<std::string> env;
#ifdef ZLINK_INTEROP_DROPIN_DIR
    env.push_back(std::string("LD_LIBRARY_PATH=") + ZLINK_INTEROP_DROPIN_DIR);
#endif
    return env;
}

class PyzmqAuth : public ::testing::TestWithParam<bool> {
  protected:
    void SetUp() override {
        if (!pyzmq_auth_available())
            GTEST_SKIP() << "python3-zmq with CURVE not available";
        SKIP_WITHOUT_TCP();
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
        GTEST_SKIP() << "a sanitized libzmq.so.5 cannot be loaded into python";
#endif
        char tmpl[] = "/tmp/zlink-auth-XXXXXX";
        ASSERT_NE(nullptr, mkdtemp(tmpl));
        dir = tmpl;
        peer_process certs;
        ASSERT_TRUE(certs.start({ZLINK_INTEROP_PYTHON, "-c", kAuthScript, "certs", dir}));
        ASSERT_EQ(0, certs.wait_exit());
    }
    void TearDown() override {
        if (!dir.empty())
            EXPECT_EQ(0, std::system(("rm -rf '" + dir + "'").c_str()));
    }
    // The server on the drop-in when GetParam(), else the client.
    std::vector<std::string> env_for(bool server) const {
        return server == GetParam() ? dropin_env() : std::vector<std::string>{};
    }
    // zlink reports 4.3.5, Debian's libzmq 4.3.4: proves which one a
    // process really loaded.
    void expect_library(peer_process &p, bool server) {
        const std::string line = p.read_line();
#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ
        (void)server;
        EXPECT_EQ("LIB 4.3.4", line);
#else
        EXPECT_EQ(server == GetParam() ? "LIB 4.3.5" : "LIB 4.3.4", line);
#endif
    }
    std::string dir;
};

} // namespace

TEST_P(PyzmqAuth, ThreadAuthenticatorAllowsTheCertifiedClient) {
    peer_process server, client;
    ASSERT_TRUE(
        server.start({ZLINK_INTEROP_PYTHON, "-c", kAuthScript, "server", dir}, env_for(true)));
    expect_library(server, true);
    const std::string ep = server.endpoint();
    ASSERT_FALSE(ep.empty());
    ASSERT_TRUE(
        client.start({ZLINK_INTEROP_PYTHON, "-c", kAuthScript, "client", dir, ep}, env_for(false)));
    expect_library(client, false);
    const std::string reply = client.read_line();
    EXPECT_EQ(0u, reply.find("REPLY hello from ")) << reply;
    EXPECT_EQ(0, client.wait_exit());
    EXPECT_EQ(0, server.wait_exit());
}

TEST_P(PyzmqAuth, ThreadAuthenticatorRefusesAStranger) {
    peer_process server, stranger;
    ASSERT_TRUE(
        server.start({ZLINK_INTEROP_PYTHON, "-c", kAuthScript, "server", dir}, env_for(true)));
    expect_library(server, true);
    const std::string ep = server.endpoint();
    ASSERT_FALSE(ep.empty());
    ASSERT_TRUE(
        stranger.start({ZLINK_INTEROP_PYTHON, "-c", kAuthScript, "client", dir, ep, "--stranger"},
                       env_for(false)));
    expect_library(stranger, false);
    EXPECT_EQ("NO REPLY", stranger.read_line());
    EXPECT_EQ(3, stranger.wait_exit());
    server.kill_and_reap();
}

INSTANTIATE_TEST_SUITE_P(Dropin, PyzmqAuth, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool> &i) {
                             return std::string(i.param ? "server_on_dropin" : "client_on_dropin");
                         });
