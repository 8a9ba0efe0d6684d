# A Jupyter front end's conversation with an IPython kernel (Debian's
# python3-jupyter-client and python3-ipykernel), both processes on the
# libzmq that LD_LIBRARY_PATH selects: shell (ROUTER/DEALER), iopub
# (PUB/SUB), control, stdin, the heartbeat (a zmq_proxy with one socket as
# both ends) and HMAC-signed multipart messages. Prints "jupyter kernel
# round trip: OK" last when all of it worked; exits 77 when the packages
# are missing.
import os
import sys

try:
    import zmq
    from jupyter_client.manager import start_new_kernel
except ImportError as e:
    print("SKIP", e, flush=True)
    sys.exit(77)

os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
km, kc = start_new_kernel(kernel_name="python3", startup_timeout=60)
ok = False
try:
    results = []
    reply = kc.execute_interactive("x = 6 * 7\nx", timeout=30, output_hook=results.append)
    assert reply["content"]["status"] == "ok", reply
    values = [m["content"]["data"]["text/plain"] for m in results if m["msg_type"] == "execute_result"]
    assert values == ["42"], values
    # The kernel answers with its own library's version over iopub.
    outputs = []
    r = kc.execute_interactive("import zmq; print(zmq.zmq_version())", timeout=30,
                               output_hook=outputs.append)
    assert r["content"]["status"] == "ok", r
    streams = [m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream"]
    kernel_version = "".join(streams).strip()
    assert kernel_version == zmq.zmq_version(), (kernel_version, zmq.zmq_version())
    assert kc.is_alive() and km.is_alive()  # heartbeat through the proxy
    ok = True
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=False)
print("libzmq", zmq.zmq_version(), flush=True)
if ok:
    print("jupyter kernel round trip: OK", flush=True)
sys.stdout.flush()
os._exit(0 if ok else 1)  # skip jupyter_client's noisy __del__ at exit
