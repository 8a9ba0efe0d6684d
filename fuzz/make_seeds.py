#!/usr/bin/env python3
"""Writes the committed seed corpus of the fuzz targets (fuzz/corpus/<target>/).

Each seed is a well-formed input the target's parser accepts, so the fuzzer
starts from the interesting states (a full greeting, a READY with metadata,
a PLAIN HELLO..READY exchange) instead of having to discover them.
Run it again after changing a target's input format:  python3 fuzz/make_seeds.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def greeting(mechanism=b"NULL", minor=1, as_server=0):
    g = b"\xff" + b"\x00" * 8 + b"\x7f" + bytes([3, minor])
    g += mechanism.ljust(20, b"\x00") + bytes([as_server]) + b"\x00" * 31
    assert len(g) == 64
    return g


def frame(body, more=False, command=False):
    flags = (1 if more else 0) | (4 if command else 0)
    if len(body) > 255:
        return bytes([flags | 2]) + struct.pack(">Q", len(body)) + body
    return bytes([flags, len(body)]) + body


def prop(name, value):
    return bytes([len(name)]) + name + struct.pack(">I", len(value)) + value


def command(name, data=b""):
    return bytes([len(name)]) + name + data


READY_DEALER = command(b"READY", prop(b"Socket-Type", b"DEALER") + prop(b"Identity", b""))
READY_ROUTER = command(b"READY", prop(b"Socket-Type", b"ROUTER") + prop(b"X-Custom", b"v"))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# fuzz_zmtp_greeting: byte 0 = chunk size (and expected mechanism), then the greeting.
write("fuzz_zmtp_greeting", "null_31_whole", bytes([0x8f]) + greeting())
write("fuzz_zmtp_greeting", "null_30_bytewise", bytes([0x80]) + greeting(minor=0))
write("fuzz_zmtp_greeting", "plain_server", bytes([0x07]) + greeting(b"PLAIN", 1, 1))
write("fuzz_zmtp_greeting", "zmtp2_signature", bytes([0x83]) + b"\xff" + b"\x00" * 8 + b"\x7f\x01\x05")

# fuzz_zmtp_decoder: byte 0 = chunk size, byte 1 = direct read / max size, then frames.
frames = frame(READY_DEALER, command=True) + frame(b"part1", more=True) + frame(b"x" * 300)
write("fuzz_zmtp_decoder", "ready_and_multipart", b"\x3f\x00" + frames)
write("fuzz_zmtp_decoder", "long_frame_direct", b"\x07\x01" + frame(b"y" * 70000))
write("fuzz_zmtp_decoder", "ping_pong", b"\x00\x00" + frame(command(b"PING", b"\x00\x0actx"), command=True)
      + frame(command(b"PONG", b"ctx"), command=True))
write("fuzz_zmtp_decoder", "small_max", b"\x10\x02" + frame(b"z" * 200))

# fuzz_zmtp_metadata: the bytes are metadata, then the same bytes as a command body.
write("fuzz_zmtp_metadata", "props", prop(b"Socket-Type", b"PUB") + prop(b"User-Id", b"u"))
write("fuzz_zmtp_metadata", "ready", READY_ROUTER)
write("fuzz_zmtp_metadata", "error", command(b"ERROR", b"\x03400"))
write("fuzz_zmtp_metadata", "ping", command(b"PING", b"\x00\x10" + b"c" * 16))
write("fuzz_zmtp_metadata", "hello", command(b"HELLO", b"\x04user\x04pass"))


# fuzz_plain_handshake: byte 0 = mode (bit 0 server, bits 1-3 ZAP status,
# bit 4 ROUTER, bit 5 no ZAP handler, bit 6 User-Id), then length-prefixed commands.
def seq(*cmds):
    return b"".join(bytes([len(c)]) + c for c in cmds)


hello = command(b"HELLO", b"\x04user\x04pass")
initiate = command(b"INITIATE", prop(b"Socket-Type", b"DEALER"))
welcome = command(b"WELCOME")
ready = command(b"READY", prop(b"Socket-Type", b"ROUTER"))
write("fuzz_plain_handshake", "server_ok", bytes([0x01]) + seq(hello, initiate))
write("fuzz_plain_handshake", "server_denied", bytes([0x05]) + seq(hello, initiate))
write("fuzz_plain_handshake", "server_no_zap", bytes([0x21]) + seq(hello))
write("fuzz_plain_handshake", "client_ok", bytes([0x10]) + seq(welcome, ready))
write("fuzz_plain_handshake", "client_error", bytes([0x00]) + seq(command(b"ERROR", b"\x03400")))

# fuzz_curve_handshake: byte 0 = mode (bit 0 server under test, bits 1-2 ZAP
# status, bit 3 no ZAP handler), then one operation per frame the honest peer
# sends: 0 deliver, 1 pos val xor, 2 len cut, 3 len bytes replace, 4 replay.
write("fuzz_curve_handshake", "client_clean", bytes([0x00]) + bytes(12))
write("fuzz_curve_handshake", "server_clean", bytes([0x01]) + bytes(12))
write("fuzz_curve_handshake", "server_no_zap", bytes([0x09]) + bytes(12))
write("fuzz_curve_handshake", "client_zap_denied", bytes([0x04]) + bytes(6))
write("fuzz_curve_handshake", "server_message_replay", bytes([0x01]) + bytes(4) + bytes([4, 0]))
write("fuzz_curve_handshake", "client_welcome_flip", bytes([0x00, 1, 40, 0x80]))
write("fuzz_curve_handshake", "server_hello_cut", bytes([0x01, 2, 199]))
write("fuzz_curve_handshake", "server_initiate_raw", bytes([0x01, 0, 3, 9]) + b"\x08INITIATE")


# fuzz_ws_frames: byte 0 = mode (bit 0 client side: frames unmasked; bits 1-7
# chunk size, 0 = whole), byte 1 = fragmented-message limit / 64 (0 = none),
# then WebSocket frames.
def ws_frame(opcode, payload, fin=True, mask=b"\x37\xfa\x21\x3d"):
    out = bytes([(0x80 if fin else 0) | opcode])
    bit = 0x80 if mask else 0
    n = len(payload)
    if n < 126:
        out += bytes([bit | n])
    elif n <= 0xFFFF:
        out += bytes([bit | 126]) + n.to_bytes(2, "big")
    else:
        out += bytes([bit | 127]) + n.to_bytes(8, "big")
    if mask:
        out += mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    else:
        out += payload
    return out


write("fuzz_ws_frames", "masked_small", b"\x00\x00" + ws_frame(2, b"\x00hello"))
write("fuzz_ws_frames", "unmasked_client", b"\x01\x00" + ws_frame(2, b"\x01part", mask=None)
      + ws_frame(2, b"\x00end", mask=None))
write("fuzz_ws_frames", "fragmented_with_ping", b"\x06\x00" + ws_frame(2, b"\x00ab", fin=False)
      + ws_frame(9, b"ping") + ws_frame(0, b"cd", fin=False) + ws_frame(0, b"ef"))
write("fuzz_ws_frames", "ping_pong_close", b"\x02\x00" + ws_frame(9, b"p") + ws_frame(10, b"")
      + ws_frame(8, b"\x03\xe8bye"))
write("fuzz_ws_frames", "medium_16bit", b"\x20\x00" + ws_frame(2, b"m" * 300))
# A 64-bit length (70000), cut short: a whole one would make every input 70 KB long.
write("fuzz_ws_frames", "large_64bit", b"\x00\x00" + ws_frame(2, b"L" * 70000)[:200])
write("fuzz_ws_frames", "fragmented_limit", b"\x08\x01" + ws_frame(2, b"x" * 40, fin=False)
      + ws_frame(0, b"y" * 40))
