// A real browser on ws:// and wss://: Debian's headless Chromium, driven by
// puppeteer-core (js/browser_peer.js), loads a page whose script opens a
// WebSocket to a zlink ROUTER and exchanges ZWS 2.0 messages with it (a
// routing id, a two-frame message with a 300 kB frame, and the reply). For
// wss Chromium trusts the test CA through an NSS database. Skips, saying
// why, without chromium (scripts/install-deps.sh installs it), certutil,
// node or npm. The system libzmq reports zmq_has("ws") = 0.
#include "interop_util.hpp"

using namespace interop;

#ifdef ZLINK_TESTING_SYSTEM_LIBZMQ

TEST(Browser, NoWsInLibzmq) { EXPECT_EQ(0, zmq_has("ws")); }

#else

#include <cstdlib>

#include "js_util.hpp"
#include "tls_testutil.hpp"

namespace {

std::string chromium_path() {
    const char *env = std::getenv("CHROMIUM");
    return env && *env ? env : "/usr/bin/chromium";
}

class Browser : public net_test, public ::testing::WithParamInterface<bool> {
  protected:
    void SetUp() override {
        net_test::SetUp();
        if (!file_exists(chromium_path()))
            GTEST_SKIP() << "chromium not installed (scripts/install-deps.sh installs it)";
        if (GetParam() && !file_exists("/usr/bin/certutil"))
            GTEST_SKIP() << "certutil not installed (Debian: libnss3-tools)";
        const std::string why = ensure_js_module("puppeteer-core");
        if (!why.empty())
            GTEST_SKIP() << why;
    }
};

} // namespace

TEST_P(Browser, PageExchangesWithARouter) {
    const bool secure = GetParam();
    void *router = make(ZMQ_ROUTER);
    if (secure)
        tls_server(router, tls_certs::get().server);
    ASSERT_EQ(0,
              zmq_bind(router, secure ? "wss://127.0.0.1:*/browser" : "ws://127.0.0.1:*/browser"));
    std::vector<std::string> args = {last_endpoint(router)};
    if (secure)
        args.push_back(tls_certs::get().ca_file);
    peer_process browser;
    ASSERT_TRUE(
        start_node_script(browser, "browser_peer.js", args, {"CHROMIUM=" + chromium_path()}));
    // Chromium takes a few seconds to start.
    std::vector<std::string> m = recv_multipart(router, 20000);
    ASSERT_EQ(3u, m.size()) << "browser: " << browser.read_line(100);
    EXPECT_EQ("chromium", m[0]); // the page's routing id
    EXPECT_EQ("hello", m[1]);
    ASSERT_EQ(300000u, m[2].size());
    bool same = true;
    for (size_t i = 0; i < m[2].size(); ++i)
        same = same && static_cast<unsigned char>(m[2][i]) == ((i * 7) & 255);
    EXPECT_TRUE(same) << "the 300 kB frame differs";
    ASSERT_EQ(0, send_parts(router, {m[0], "hi", m[2]}));
    EXPECT_EQ("OK", browser.read_line(20000));
    EXPECT_EQ(0, browser.wait_exit(10000));
}

// wss to a server whose certificate Chromium does not trust (no test CA
// given): the page's WebSocket closes without opening, zlink's side sees
// no connection succeed (a handshake failure when Chromium got as far as
// the TLS alert), and a trusted client connects afterwards.
TEST_P(Browser, UntrustedWssCertificateFailsInThePage) {
    if (!GetParam())
        GTEST_SKIP() << "wss only";
    void *router = make(ZMQ_ROUTER);
    tls_server(router, tls_certs::get().server);
    void *mon = monitor(router);
    ASSERT_EQ(0, zmq_bind(router, "wss://127.0.0.1:*/browser"));
    peer_process browser;
    ASSERT_TRUE(start_node_script(browser, "browser_peer.js",
                                  {last_endpoint(router), "", "untrusted"},
                                  {"CHROMIUM=" + chromium_path()}));
    const std::string verdict = browser.read_line(20000);
    EXPECT_EQ(0u, verdict.find("REFUSED ")) << verdict;
    EXPECT_EQ(0, browser.wait_exit(10000));
    // Nothing reached the router, and no handshake succeeded.
    EXPECT_FALSE(wait_readable(router, 50));
    std::vector<event> events;
    EXPECT_EQ(0, count_events(mon, ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 100, &events));
    bool failed = false;
    for (const event &e : events)
        failed = failed || e.id == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ||
                 e.id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ||
                 e.id == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
    EXPECT_TRUE(failed) << "no handshake failure among " << events.size() << " events";
    // A client that trusts the CA still gets through.
    void *dealer = make(ZMQ_DEALER);
    tls_client(dealer);
    ASSERT_EQ(0, zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "good", 4));
    ASSERT_EQ(0, zmq_connect(dealer, last_endpoint(router).c_str()));
    send_ok(dealer, "after the refusal");
    std::vector<std::string> m = recv_multipart(router, 5000);
    ASSERT_EQ(2u, m.size());
    EXPECT_EQ("good", m[0]);
    EXPECT_EQ("after the refusal", m[1]);
}

INSTANTIATE_TEST_SUITE_P(Ws, Browser, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool> &info) {
                             return info.param ? "wss" : "ws";
                         });

#endif
