// Recycles the heap blocks of message bodies from 129 B to 1 MiB.
//
// Why: a large message is allocated by one thread (the sender, or the io
// thread's decoder) and freed by another (the receiver). With glibc that
// pattern keeps growing and trimming the heap, and every re-grown page
// faults on first touch: measured on inproc 64 KiB PAIR, throughput swung
// between ~40 k and ~300 k msg/s depending on how the heap happened to trim
// (benchwithzmq/zlink_BENCHMARK_RESULTS.md). Keeping a bounded number of
// freed blocks per size class hands the sender memory that is already
// mapped and warm. Bodies of 49..128 B do not use these locked classes
// (pooling 64 B bodies under a lock per block measured 20% slower inproc):
// they go through per-thread magazines of 32 blocks that move between
// threads whole (msg_pool.cpp: tcp 64 B +10-20%). From 129 B up the pool measured
// faster: tcp 8 KiB DEALER/ROUTER 40 k msg/s with an 8 KiB threshold, 180-330 k
// with 512 B (libzmq 33-37 k); inproc 256 B +45% with 128 B against 512 B.
//
// Bounds: at most 64 blocks and 2 MiB per class (at least 2 blocks); beyond
// that blocks go back to malloc. Only classes in use hold memory (a flow of
// one size keeps at most 2 MiB); every class full would be about 53 MiB.
// Sizes are classed in quarter-power-of-two steps
// on the body size, so a block wastes at most a quarter of its body.
//
// Flag: ZLINK_MSG_POOL=0 in the environment turns the pool off (read once,
// at the first large allocation). Counters: msg_pool_* in zmq_debug_counters.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zlink {

struct msg_pool_counters_t {
    uint64_t hits = 0;     // allocations served from the pool
    uint64_t misses = 0;   // poolable allocations that had to call malloc
    uint64_t kept = 0;     // freed blocks kept for reuse
    uint64_t released = 0; // freed poolable blocks handed back to free() (pool full)
    // Small bodies (49..128 B) go through per-thread magazines of 32 blocks;
    // these count whole magazines handed to / taken from the shared depot.
    uint64_t small_depot_puts = 0;
    uint64_t small_depot_gets = 0;
    uint64_t small_depot_empty = 0; // a thread out of blocks found none there: malloc
                                    // (and the thread's next 31 go straight to malloc)
    uint64_t small_depot_full = 0;  // a full magazine found no room: 32 blocks to free()
};

// No class: the block came from plain malloc and goes back with free().
constexpr uint8_t msg_pool_no_class = 0xff;
// Classes from here up to msg_pool_no_class are the small per-thread caches.
constexpr uint8_t msg_pool_small_class_first = 0xf0;

// A block of at least header + body bytes; *pool_class says how to give it
// back. nullptr when out of memory.
void *msg_pool_allocate(size_t header, size_t body, uint8_t *pool_class);
void msg_pool_release(void *block, uint8_t pool_class);

// Frees every cached block (the last context going away calls this).
void msg_pool_trim();

msg_pool_counters_t msg_pool_counters();
void msg_pool_counters_reset();

// Internal, for tests: the class of a body size (msg_pool_no_class when not
// pooled), its capacity, and switching the pool on/off at run time.
uint8_t msg_pool_class_of(size_t body);
size_t msg_pool_class_capacity(uint8_t pool_class);
void msg_pool_set_enabled(bool enabled);
// "0" (and only a leading 0) in the variable turns the pool off.
bool msg_pool_enabled_by_env(const char *value);

} // namespace zlink
