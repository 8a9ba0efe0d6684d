// A jszmq (independent ZWS 2.0 implementation) peer for test_jszmq.cpp.
//   node jszmq_peer.js <role> [endpoint]
// Connecting roles (zlink binds): dealer, req, sub. Binding roles (zlink
// connects; prints "ENDPOINT ws://127.0.0.1:<port>/jszmq" once listening):
// router-bind, rep-bind, pub-bind. Prints "OK" and exits 0 when its part of
// the exchange checked out; exits 1 with a reason otherwise, 2 on timeout.
'use strict';
const http = require('http');
const zmq = require('jszmq');

const [role, endpoint] = process.argv.slice(2);
const fail = (why) => { console.log('FAIL ' + why); process.exit(1); };
const done = () => { console.log('OK'); process.exit(0); };
setTimeout(() => { console.log('FAIL timeout'); process.exit(2); }, 10000);
const text = (frames) => frames.map((f) => f.toString());

// jszmq binds only on a given port: an http server on port 0 carries it.
function bindEphemeral(socket, ready) {
  const server = http.createServer();
  server.listen(0, '127.0.0.1', () => {
    const ep = 'ws://127.0.0.1:' + server.address().port + '/jszmq';
    socket.bind(ep, server);
    console.log('ENDPOINT ' + ep);
    if (ready) ready();
  });
}

if (role === 'dealer') { // zlink ROUTER echoes every message back
  const s = new zmq.Dealer();
  let next = 0;
  s.on('message', (...frames) => {
    const got = text(frames);
    if (got.length !== 2 || got[0] !== 'hello' || got[1] !== String(next)) fail('dealer got ' + got);
    if (++next === 5) done();
  });
  s.connect(endpoint);
  for (let i = 0; i < 5; ++i) s.send(['hello', String(i)]);
} else if (role === 'req') { // zlink REP answers "rep <request>"
  const s = new zmq.Req();
  let i = 0;
  s.on('message', (reply) => {
    if (reply.toString() !== 'rep req ' + i) fail('req got ' + reply.toString());
    if (++i === 5) return done();
    s.send('req ' + i);
  });
  s.connect(endpoint);
  s.send('req 0');
} else if (role === 'sub') { // zlink PUB sends "topic n" and "other n"
  const s = new zmq.Sub();
  let n = 0;
  s.on('message', (msg) => {
    if (!msg.toString().startsWith('topic ')) fail('sub got ' + msg.toString());
    if (++n === 3) done();
  });
  s.connect(endpoint);
  s.subscribe('topic');
} else if (role === 'router-bind') { // zlink DEALER sends, we echo, "END" ends
  const s = new zmq.Router();
  s.on('message', (id, ...frames) => {
    s.send([id, ...frames]);
    if (frames.length === 1 && frames[0].toString() === 'END') setTimeout(done, 200);
  });
  bindEphemeral(s);
} else if (role === 'rep-bind') { // zlink REQ asks, we answer "rep <request>"
  const s = new zmq.Rep();
  s.on('message', (msg) => {
    s.send('rep ' + msg.toString());
    if (msg.toString() === 'END') setTimeout(done, 200);
  });
  bindEphemeral(s);
} else if (role === 'pub-bind') { // zlink SUB subscribes to "topic"; stdin closing ends it
  const s = new zmq.Pub();
  bindEphemeral(s, () => {
    let n = 0;
    setInterval(() => { s.send('other ' + n); s.send('topic ' + n); ++n; }, 20);
  });
  process.stdin.on('end', done);
  process.stdin.resume();
} else {
  fail('unknown role ' + role);
}
