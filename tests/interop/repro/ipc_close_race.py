# The two ends of ipc_close_race.sh: "push EP [N]" or "pull EP [N]". The PUSH
# prints its monitor events (time:event:value) after its sends.
import sys, zmq, time
role, ep = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 2001
ctx = zmq.Context()
if role == 'push':
    s = ctx.socket(zmq.PUSH)
    s.sndtimeo = 5000
    s.linger = 2000
    import threading
    from zmq.utils.monitor import recv_monitor_message
    t0 = time.time()
    mon = s.get_monitor_socket()
    evs = []
    def monl():
        while True:
            try:
                e = recv_monitor_message(mon)
            except Exception:
                return
            evs.append('%.3f:%s:%s' % (time.time()-t0, e['event'], e['value']))
            if e['event'] == zmq.EVENT_MONITOR_STOPPED: return
    th = threading.Thread(target=monl); th.start()
    s.connect(ep)
    ok = 0
    for i in range(n):
        try:
            s.send(b'%d' % i)
            ok += 1
        except zmq.Again:
            break
    t1 = time.time()-t0
    s.disable_monitor()
    s.close()
    th.join(1)
    mon.close()
    print('SENT', ok, 'sent_at %.3f' % t1, ' '.join(evs), flush=True)
    ctx.term()
else:
    s = ctx.socket(zmq.PULL)
    s.rcvtimeo = 3000
    s.bind(ep)
    got = 0
    last = -1
    while got < n:
        try:
            m = s.recv()
        except zmq.Again:
            break
        got += 1
        last = int(m)
    print('GOT', got, 'LAST', last, flush=True)
    s.close()
    ctx.term()
