// pyzmq (Debian's python3-zmq, on the system libzmq) exchanging with our
// process, both directions over tcp and ipc; and pyzmq loaded on zlink's
// libzmq.so.5 through LD_LIBRARY_PATH talking to pyzmq on the system libzmq.
#include "interop_util.hpp"

using namespace interop;

namespace {

// PAIR echo (or, with role "client", send a fixed set and check the echoes).
// Prints "ENDPOINT <last endpoint>" first; exit status is the verdict.
const char *kScript = R"PY(
import sys, zmq
role, ep = sys.argv[1], sys.argv[2]
ctx = zmq.Context()
s = ctx.socket(zmq.PAIR)
s.rcvtimeo = 5000
s.sndtimeo = 5000
s.linger = 3000
s.ipv6 = True
if role == 'connect' or role == 'client':
    s.connect(ep)
else:
    s.bind(ep)
print('ENDPOINT ' + s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
print('VERSION %d.%d.%d' % zmq.zmq_version_info(), flush=True)
rc = 0
if role == 'client':
    msgs = [[b'hello'], [b''], [b'multi', b'', b'part'], [bytes(range(256)) * 4096]]
    msgs += [[b'seq-%d' % i] for i in range(50)] + [[b'END']]
    for m in msgs:
        s.send_multipart(m)
        if s.recv_multipart() != m:
            rc = 1
            break
else:
    while True:
        m = s.recv_multipart()
        s.send_multipart(m)
        if m == [b'END']:
            break
s.close()
ctx.term()
sys.exit(rc)
)PY";

class Pyzmq : public net_test, public ::testing::WithParamInterface<std::tuple<bool, transport>> {
  protected:
    void SetUp() override {
        net_test::SetUp();
        if (!pyzmq_available())
            GTEST_SKIP() << "python3-zmq not installed";
        SKIP_WITHOUT_NET(std::get<1>(GetParam()));
    }
    peer_process py;
};

} // namespace

TEST_P(Pyzmq, EchoExchange) {
    const bool we_bind = std::get<0>(GetParam());
    const transport t = std::get<1>(GetParam());
    void *s = make(ZMQ_PAIR);
    set_int(s, ZMQ_RCVTIMEO, wait_ms);
    if (we_bind) {
        const std::string ep = bind_any(s, t);
        ASSERT_TRUE(py.start({ZLINK_INTEROP_PYTHON, "-c", kScript, "connect", ep}));
        ASSERT_EQ(ep, py.endpoint());
    } else {
        ASSERT_TRUE(py.start({ZLINK_INTEROP_PYTHON, "-c", kScript, "bind", bind_spec(t)}));
        const std::string ep = py.endpoint();
        ASSERT_FALSE(ep.empty());
        prepare(s, t);
        ASSERT_EQ(0, zmq_connect(s, ep.c_str()));
    }
    EXPECT_EQ(0u, py.read_line().find("VERSION "));
    for (int i = 0; i < 54; ++i) {
        const auto m = standard_message(i);
        ASSERT_EQ(0, send_parts(s, m));
        ASSERT_TRUE(recv_multipart(s) == m) << i;
    }
    ASSERT_EQ(0, send_parts(s, {"END"}));
    EXPECT_EQ(std::vector<std::string>{"END"}, recv_multipart(s));
    EXPECT_EQ(0, py.wait_exit());
}

INSTANTIATE_TEST_SUITE_P(
    Both, Pyzmq,
    ::testing::Combine(::testing::Bool(), ::testing::Values(transport::tcp4, transport::ipc_path)),
    [](const ::testing::TestParamInfo<std::tuple<bool, transport>> &i) {
        return std::string(std::get<0>(i.param) ? "we_bind_" : "py_binds_") +
               transport_name(std::get<1>(i.param));
    });

// The issue's "done when": pyzmq on our libzmq.so.5 (LD_LIBRARY_PATH) talks
// to pyzmq on the system libzmq. Against the system libzmq both run on it.
TEST(PyzmqDropin, PyzmqOnOurLibraryTalksToPyzmqOnLibzmq) {
    if (!pyzmq_available())
        GTEST_SKIP() << "python3-zmq not installed";
    SKIP_WITHOUT_TCP();
    std::vector<std::string> ours_env;
#ifdef ZLINK_INTEROP_DROPIN_DIR
    ours_env.push_back(std::string("LD_LIBRARY_PATH=") + ZLINK_INTEROP_DROPIN_DIR);
#endif
    peer_process ours, theirs;
    ASSERT_TRUE(
        ours.start({ZLINK_INTEROP_PYTHON, "-c", kScript, "bind", "tcp://127.0.0.1:*"}, ours_env));
    const std::string ep = ours.endpoint();
    ASSERT_FALSE(ep.empty());
    ASSERT_TRUE(theirs.start({ZLINK_INTEROP_PYTHON, "-c", kScript, "client", ep}));
    EXPECT_EQ(0, theirs.wait_exit()) << "client on the system libzmq saw a bad echo";
    EXPECT_EQ(0, ours.wait_exit()) << "echo side on our library failed";
}

namespace {

// Runs tests/interop/py/<script> on pyzmq over our libzmq.so.5 (the system
// libzmq in the libzmq lane) until it exits: its last stdout line and its
// exit status (-1: it did not exit within the bound and was killed).
struct script_result {
    std::string last_line;
    int status = -1;
};
script_result run_py_script(const std::string &script, int line_timeout_ms) {
    std::vector<std::string> env;
#ifdef ZLINK_INTEROP_DROPIN_DIR
    env.push_back(std::string("LD_LIBRARY_PATH=") + ZLINK_INTEROP_DROPIN_DIR);
#endif
    script_result r;
    peer_process py;
    if (!py.start({ZLINK_INTEROP_PYTHON, std::string(ZLINK_INTEROP_PY_SRC) + "/" + script}, env))
        return r;
    std::string line;
    while (!(line = py.read_line(line_timeout_ms)).empty())
        r.last_line = line;
    r.status = py.wait_exit(30000);
    return r;
}

} // namespace

// A pyzmq user's program (tests/interop/py/pyzmq_user_program.py) on our
// libzmq.so.5: pyzmq's own layers (zero-copy frames and trackers, the
// monitor parser, Poller, zmq.asyncio on ZMQ_FD) get libzmq's answers.
TEST(PyzmqDropin, UserProgramGetsTheSameAnswers) {
    if (!pyzmq_available())
        GTEST_SKIP() << "python3-zmq not installed";
    const script_result r = run_py_script("pyzmq_user_program.py", 30000);
    EXPECT_EQ(r.last_line, "pyzmq user program: OK") << "(its failed checks are on stderr)";
    EXPECT_EQ(0, r.status);
}

// A Jupyter front end and an IPython kernel (jupyter_client, ipykernel), both
// on our libzmq.so.5: a real application built on pyzmq, end to end.
TEST(PyzmqDropin, JupyterKernelRoundTrip) {
    if (!pyzmq_available())
        GTEST_SKIP() << "python3-zmq not installed";
    const script_result r = run_py_script("jupyter_kernel.py", 60000);
    if (r.status == 77)
        GTEST_SKIP() << "python3-jupyter-client / python3-ipykernel not installed";
    EXPECT_EQ(r.last_line, "jupyter kernel round trip: OK") << "(the reason is on stderr)";
    EXPECT_EQ(0, r.status);
}
