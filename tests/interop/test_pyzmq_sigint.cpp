// Ctrl-C reaches a Python program blocked in recv: pyzmq on zlink's
// libzmq.so.5 (LD_LIBRARY_PATH) ends with KeyboardInterrupt, as it does on
// the system libzmq. That needs both a blocking recv that returns EINTR and
// io threads that block signals, so a process-directed SIGINT lands on the
// thread that waits.
#include "interop_util.hpp"
#include "proc_testutil.hpp"

using namespace interop;

namespace {

const char *kScript = R"PY(
import signal, sys, zmq
# A launcher may have left SIGINT ignored; Python then keeps ignoring it.
signal.signal(signal.SIGINT, signal.default_int_handler)
ctx = zmq.Context()
s = ctx.socket(zmq.PULL)
s.bind('tcp://127.0.0.1:*')
print('BLOCKING', flush=True)
try:
    s.recv()
    print('RECEIVED', flush=True)
except KeyboardInterrupt:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    print('KEYBOARD_INTERRUPT', flush=True)
s.close(linger=0)
ctx.term()
)PY";

// Starts the script, waits until it sleeps in recv, then sends SIGINT to the
// process (again now and then, in case one came before the wait began) until
// it answers; returns what it printed.
std::string interrupt_python(const std::vector<std::string> &env) {
    peer_process py;
    if (!py.start({ZLINK_INTEROP_PYTHON, "-c", kScript}, env))
        return "<no start>";
    if (py.read_line() != "BLOCKING")
        return "<no BLOCKING line>";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    const std::string main_thread = "/proc/" + std::to_string(py.pid()) + "/stat";
    while (sched_state(main_thread) != 'S' && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::string line;
    while (line.empty() && std::chrono::steady_clock::now() < deadline) {
        ::kill(py.pid(), SIGINT);
        line = py.read_line(250);
    }
    return line.empty() ? "<still blocked>" : line;
}

} // namespace

TEST(PyzmqSigint, CtrlCInterruptsRecvOnOurLibrary) {
    if (!pyzmq_available())
        GTEST_SKIP() << "python3-zmq not installed";
    SKIP_WITHOUT_TCP();
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    GTEST_SKIP() << "a sanitized libzmq.so.5 cannot be loaded into python";
#endif
    std::vector<std::string> env;
#ifdef ZLINK_INTEROP_DROPIN_DIR
    env.push_back(std::string("LD_LIBRARY_PATH=") + ZLINK_INTEROP_DROPIN_DIR);
#endif
    EXPECT_EQ("KEYBOARD_INTERRUPT", interrupt_python(env));
}

// The reference: pyzmq on the system libzmq.
TEST(PyzmqSigint, CtrlCInterruptsRecvOnSystemLibzmq) {
    if (!pyzmq_available())
        GTEST_SKIP() << "python3-zmq not installed";
    SKIP_WITHOUT_TCP();
    EXPECT_EQ("KEYBOARD_INTERRUPT", interrupt_python({}));
}
