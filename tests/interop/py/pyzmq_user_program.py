# A pyzmq program written the way pyzmq users write them (options, zero-copy
# send with a tracker, json and multipart, monitor events, Poller, asyncio
# over ZMQ_FD, ctx.term() against a blocked recv). ctest runs it on pyzmq
# over zlink's libzmq.so.5 (LD_LIBRARY_PATH) and, in the libzmq lane, on the
# system libzmq: the same answers either way. Exit status is the verdict.
import asyncio, json, sys, threading, time
import zmq, zmq.asyncio
from zmq.utils.monitor import recv_monitor_message

fails = []
def check(cond, what):
    if not cond:
        fails.append(what)
        print("check failed:", what, file=sys.stderr)

ctx = zmq.Context()

# Options round-trip and a receive timeout as zmq.Again.
s = ctx.socket(zmq.PULL)
s.rcvtimeo = 30
s.sndhwm = 7
check(s.sndhwm == 7 and s.rcvtimeo == 30 and s.type == zmq.PULL, "options")
try:
    s.recv()
    check(False, "recv timeout raises Again")
except zmq.Again:
    pass
s.close()

# Zero-copy send with a tracker (zmq_msg_init_data and its free function).
push = ctx.socket(zmq.PUSH); pull = ctx.socket(zmq.PULL)
port = pull.bind_to_random_port("tcp://127.0.0.1")
push.connect("tcp://127.0.0.1:%d" % port)
big = bytearray(b"z" * 500000)
tracker = push.send(big, copy=False, track=True)
frame = pull.recv(copy=False)
check(len(frame.bytes) == 500000 and frame.bytes[-1:] == b"z", "zero-copy body")
tracker.wait(5)
check(tracker.done, "tracker done once the library released the buffer")
push.send_json({"a": [1, 2, 3]})
check(pull.recv_json() == {"a": [1, 2, 3]}, "json")
push.send_multipart([b"x", b"", b"y" * 70000])
check(pull.recv_multipart() == [b"x", b"", b"y" * 70000], "multipart")
push.close(); pull.close()

# Socket monitor events as pyzmq parses them.
srv = ctx.socket(zmq.DEALER)
mon = srv.get_monitor_socket(zmq.EVENT_LISTENING | zmq.EVENT_ACCEPTED | zmq.EVENT_HANDSHAKE_SUCCEEDED)
port = srv.bind_to_random_port("tcp://127.0.0.1")
cli = ctx.socket(zmq.DEALER); cli.connect("tcp://127.0.0.1:%d" % port)
seen = set()
mon.rcvtimeo = 5000
try:
    while len(seen) < 3:
        ev = recv_monitor_message(mon)
        seen.add(ev["event"])
except zmq.Again:
    pass
check(seen == {zmq.EVENT_LISTENING, zmq.EVENT_ACCEPTED, zmq.EVENT_HANDSHAKE_SUCCEEDED}, "monitor events %r" % seen)
srv.disable_monitor(); mon.close(); cli.close(); srv.close()

# Poller over several sockets.
a = ctx.socket(zmq.PAIR); b = ctx.socket(zmq.PAIR)
a.bind("inproc://user-pair"); b.connect("inproc://user-pair")
poller = zmq.Poller(); poller.register(a, zmq.POLLIN); poller.register(b, zmq.POLLIN | zmq.POLLOUT)
ev = dict(poller.poll(1000))
check(ev.get(b) == zmq.POLLOUT and a not in ev, "poller: writable only")
b.send(b"hi")
ev = dict(poller.poll(1000))
check(ev.get(a) == zmq.POLLIN, "poller: readable")
check(a.recv() == b"hi", "pair")
a.close(); b.close()

# asyncio: pyzmq waits on ZMQ_FD (edge-triggered) and reads ZMQ_EVENTS.
async def async_echo():
    actx = zmq.asyncio.Context()
    rep = actx.socket(zmq.REP); req = actx.socket(zmq.REQ)
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    req.connect("tcp://127.0.0.1:%d" % port)
    async def server():
        for _ in range(200):
            m = await rep.recv()
            await rep.send(m + b"!")
    task = asyncio.ensure_future(server())
    for i in range(200):
        await req.send(b"%d" % i)
        r = await asyncio.wait_for(req.recv(), 5)
        if r != b"%d!" % i:
            return False
    await task
    req.close(); rep.close(); actx.term()
    return True
check(asyncio.run(async_echo()), "asyncio REQ/REP")

# asyncio stream: bursts larger than the HWM, so the receiver's ZMQ_FD edge
# must come again after every drain or the consumer hangs.
async def async_stream():
    actx = zmq.asyncio.Context()
    pull = actx.socket(zmq.PULL); push = actx.socket(zmq.PUSH)
    pull.rcvhwm = 100; push.sndhwm = 100
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    push.connect("tcp://127.0.0.1:%d" % port)
    n = 20000
    async def produce():
        for i in range(n):
            await push.send(b"%d" % i)
    task = asyncio.ensure_future(produce())
    ok = True
    for i in range(n):
        m = await asyncio.wait_for(pull.recv(), 5)
        ok = ok and m == b"%d" % i
    await task
    push.close(); pull.close(); actx.term()
    return ok
check(asyncio.run(async_stream()), "asyncio stream in order, no hang")

# ctx.term() while another thread is blocked in recv: ContextTerminated.
ctx2 = zmq.Context()
blocked = ctx2.socket(zmq.PULL)
result = []
def wait_recv():
    try:
        blocked.recv()
        result.append("message?")
    except zmq.ContextTerminated:
        result.append("ETERM")
    blocked.close()
t = threading.Thread(target=wait_recv); t.start()
time.sleep(0.05)  # not a synchronisation: the thread is blocked either way
ctx2.term(); t.join(5)
check(result == ["ETERM"], "ETERM in a blocked recv: %r" % result)

ctx.term()
print("lib", zmq.zmq_version(), "has curve", zmq.has("curve"))
if fails:
    sys.exit(1)
print("pyzmq user program: OK")
