// Node.js peers of the ws:// interop tests (js/: jszmq, and Chromium through
// puppeteer-core): npm installs js/package.json into the build tree on first
// use, under a lock since ctest runs the cases in parallel. Without node, npm
// or the network the cases skip and say why.
#pragma once

#include <sys/stat.h>

#include "interop_util.hpp"

namespace interop {

inline bool file_exists(const std::string &path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
}

inline bool program_usable(const char *program) {
    const std::string p = program;
    return !p.empty() && p.find("NOTFOUND") == std::string::npos && file_exists(p);
}

// "" when node and the npm package `module` are there, else why not.
inline std::string ensure_js_module(const std::string &module) {
    if (!program_usable(ZLINK_INTEROP_NODE))
        return "node not found (Debian: apt-get install nodejs)";
    const std::string dir = ZLINK_INTEROP_JS_DIR;
    const std::string marker = dir + "/node_modules/" + module + "/package.json";
    if (file_exists(marker))
        return "";
    if (!program_usable(ZLINK_INTEROP_NPM) || !file_exists("/usr/bin/flock"))
        return "npm not found (Debian: apt-get install npm)";
    peer_process npm;
    if (!npm.start({"/usr/bin/flock", dir + "/.install.lock", ZLINK_INTEROP_NPM, "install",
                    "--silent", "--no-audit", "--no-fund", "--prefix", dir}))
        return "could not run npm";
    const int rc = npm.wait_exit(180000);
    if (rc != 0 || !file_exists(marker))
        return "npm install " + module + " failed (no network?): exit " + std::to_string(rc);
    return "";
}

// Starts `node js/<script> args...` with the build tree's node_modules.
inline bool start_node_script(peer_process &p, const std::string &script,
                              const std::vector<std::string> &args,
                              std::vector<std::string> env = {}) {
    std::vector<std::string> argv = {ZLINK_INTEROP_NODE,
                                     std::string(ZLINK_INTEROP_JS_SRC) + "/" + script};
    argv.insert(argv.end(), args.begin(), args.end());
    env.push_back("NODE_PATH=" + std::string(ZLINK_INTEROP_JS_DIR) + "/node_modules");
    return p.start(argv, env);
}

} // namespace interop
