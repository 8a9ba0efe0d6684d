#!/usr/bin/env python3
"""Turn the benchmark CSVs into zlink_BENCHMARK_RESULTS.md and PNG charts.

    report.py --results DIR --md OUT.md --charts CHART_DIR [--print-table]

DIR holds raw.csv (one line per measurement, with a run column), env.txt and,
when present, syscalls.csv, debug_counters.txt, failures.txt, soak/ (the
soak run: report_soak.py), security/ (report_security.py), latency/ and web/
(report_latency.py).
"""
import argparse
import csv
import math
import os
import statistics
import sys
from collections import defaultdict

from report_soak import load_soak, soak_section
from report_security import load_security, security_section
from report_latency import sections as latency_sections

WARN_SPREAD = 5.0  # percent: relative standard deviation that earns a WARN
PCTS = [("lat_p50_us", "p50"), ("lat_p90_us", "p90"), ("lat_p99_us", "p99"),
        ("lat_p999_us", "p99.9"), ("lat_max_us", "max")]
TRANSPORT_ORDER = ["inproc", "ipc", "tcp"]


def load(results):
    rows = []
    path = os.path.join(results, "raw.csv")
    if os.path.exists(path):  # absent when the directory holds only a soak run
        with open(path) as f:
            rows = list(csv.DictReader(f))
    env = {}
    path = os.path.join(results, "env.txt")
    if os.path.exists(path):
        for line in open(path):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    return rows, env


def stats(values):
    """median, min, max, stddev and relative stddev (percent of median)."""
    med = statistics.median(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    rel = 100.0 * sd / med if med else 0.0
    return {"med": med, "min": min(values), "max": max(values), "sd": sd,
            "rel": rel, "n": len(values)}


def group(rows):
    """(lib, kind, pattern, transport, size) -> {column: stats}."""
    raw = defaultdict(lambda: defaultdict(list))
    for r in rows:
        key = (r["lib"], r["kind"], r["pattern"], r["transport"], int(r["size"]))
        for col in ["msg_per_s", "mb_per_s", "cpu_user_us_per_msg",
                    "cpu_sys_us_per_msg"] + [c for c, _ in PCTS]:
            if r.get(col):
                raw[key][col].append(float(r[col]))
        if r.get("cpu_user_us_per_msg"):
            raw[key]["cpu_us_per_msg"].append(
                float(r["cpu_user_us_per_msg"]) + float(r["cpu_sys_us_per_msg"]))
    return {k: {c: stats(v) for c, v in cols.items()} for k, cols in raw.items()}


def fmt_rate(v):
    if v >= 1e6:
        return "%.2f M" % (v / 1e6)
    if v >= 1e3:
        return "%.1f k" % (v / 1e3)
    return "%.0f" % v


def fmt_size(n):
    return "%d KiB" % (n // 1024) if n >= 1024 and n % 1024 == 0 else "%d B" % n


def spread(s):
    text = "±%.1f%%" % s["rel"]
    return text + " WARN" if s["rel"] > WARN_SPREAD else text


def libs_in(g):
    zl = sorted({k[0] for k in g if k[0].startswith("zlink")})
    base = ["libzmq"] if any(k[0] == "libzmq" for k in g) else []
    return base, zl


def configs(g, transport):
    """Measured (kind, pattern, size) for a transport, throughput first."""
    out = {(k[1], k[2], k[4]) for k in g if k[3] == transport and k[0] != "raw"}
    return sorted(out, key=lambda c: (c[0] != "thr", c[1], c[2]))


def metric(kind):
    return "msg_per_s" if kind == "thr" else "lat_p50_us"


def fmt_metric(kind, v):
    return fmt_rate(v) + " msg/s" if kind == "thr" else "%.1f µs" % v


def floor_of(g, kind, transport, size):
    pat = "STREAM" if kind == "thr" else "PINGPONG"
    s = g.get(("raw", kind, pat, transport, size), {}).get(metric(kind))
    return fmt_metric(kind, s["med"]) if s else ""


def comparison_table(g, transport):
    base, zl = libs_in(g)
    head = ["config"] + base
    for z in zl:
        head += [z] + (["%s/libzmq" % z] if base else [])
    head += ["spread (median ± rel. stddev)", "raw floor"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for kind, pat, size in configs(g, transport):
        m = metric(kind)
        cells = ["%s %s %s" % (pat, "thr" if kind == "thr" else "lat p50 one-way",
                               fmt_size(size))]
        spreads = []
        ref = g.get(("libzmq", kind, pat, transport, size), {}).get(m)
        if base:
            cells.append(fmt_metric(kind, ref["med"]) if ref else "—")
            if ref:
                spreads.append("libzmq " + spread(ref))
        for z in zl:
            s = g.get((z, kind, pat, transport, size), {}).get(m)
            cells.append(fmt_metric(kind, s["med"]) if s else "FAILED")
            if base:
                cells.append("%.2f" % (s["med"] / ref["med"]) if s and ref and ref["med"] else "—")
            if s:
                spreads.append("%s %s" % (z, spread(s)))
        cells += ["; ".join(spreads), floor_of(g, kind, transport, size)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def range_table(g, transport):
    """min, median, max and stddev of the headline figure of every cell."""
    lines = ["| config | library | median | min | max | stddev | spread |",
             "|---|---|---|---|---|---|---|"]
    keys = sorted((k for k in g if k[3] == transport),
                  key=lambda k: (k[1] != "thr", k[2], k[4], k[0]))
    for k in keys:
        s = g[k].get(metric(k[1]))
        if not s:
            continue
        unit = "msg/s" if k[1] == "thr" else "µs p50"
        num = (lambda v: "%.0f" % v) if k[1] == "thr" else (lambda v: "%.2f" % v)
        lines.append("| %s %s %s (%s) | %s | %s | %s | %s | %s | %s |" % (
            k[2], k[1], fmt_size(k[4]), unit, k[0], num(s["med"]), num(s["min"]),
            num(s["max"]), num(s["sd"]), spread(s)))
    return lines


def write_summary(g, path):
    with open(path, "w") as f:
        f.write("lib,kind,pattern,transport,size,metric,runs,median,min,max,stddev,rel_stddev_pct\n")
        for k in sorted(g):
            for col, s in sorted(g[k].items()):
                f.write("%s,%s,%s,%s,%d,%s,%d,%g,%g,%g,%g,%.2f\n" % (
                    k + (col, s["n"], s["med"], s["min"], s["max"], s["sd"], s["rel"])))


def latency_table(g, transport):
    lines = ["| config | library | " + " | ".join(n for _, n in PCTS) + " |",
             "|" + "---|" * (2 + len(PCTS))]
    keys = sorted((k for k in g if k[3] == transport and k[1] == "lat"),
                  key=lambda k: (k[2] == "PINGPONG", k[2], k[4], k[0]))
    for k in keys:
        cells = ["%s %s" % (k[2], fmt_size(k[4])), k[0]]
        cells += ["%.1f" % g[k][c]["med"] if c in g[k] else "" for c, _ in PCTS]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def cpu_table(g, transport):
    base, zl = libs_in(g)
    libs = base + zl
    lines = ["| config | " + " | ".join(libs) + " |", "|" + "---|" * (1 + len(libs))]
    for kind, pat, size in configs(g, transport):
        cells = ["%s %s %s" % (pat, kind, fmt_size(size))]
        for lib in libs:
            s = g.get((lib, kind, pat, transport, size), {}).get("cpu_us_per_msg")
            cells.append("%.2f" % s["med"] if s else "—")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def chart(g, transport, charts_dir, plt):
    """Throughput vs size and latency percentiles, both libraries."""
    made = []
    libs = sorted({k[0] for k in g if k[3] == transport})
    thr = sorted({k[2] for k in g if k[3] == transport and k[1] == "thr"})
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    lib_color = {lib: ("gray" if lib == "raw" else colors[i % len(colors)])
                 for i, lib in enumerate(l for l in libs if l != "raw")}
    lib_color["raw"] = "gray"
    styles = {"libzmq": "--", "raw": ":"}
    if thr:
        fig, ax = plt.subplots(figsize=(9, 5.5))
        for i, pat in enumerate(thr):
            for lib in libs:
                pts = sorted((k[4], v["msg_per_s"]["med"]) for k, v in g.items()
                             if k[:4] == (lib, "thr", pat, transport))
                if pts:
                    ax.plot([p[0] for p in pts], [p[1] for p in pts],
                            styles.get(lib, "-"), marker="o", ms=3,
                            color="gray" if lib == "raw" else colors[i % len(colors)],
                            label="%s %s" % (lib, pat))
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("message size (bytes)")
        ax.set_ylabel("messages per second (median)")
        ax.set_title("Throughput over %s (solid: zlink, dashed: libzmq, dotted: raw socket)"
                     % transport)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
        name = "throughput_%s.png" % transport
        fig.tight_layout()
        fig.savefig(os.path.join(charts_dir, name), dpi=100)
        plt.close(fig)
        made.append(name)
    lat = [k for k in g if k[3] == transport and k[1] == "lat"]
    if lat:
        size = min(k[4] for k in lat)
        pats = sorted({k[2] for k in lat if k[2] != "PINGPONG"})
        pat = "REQREP" if "REQREP" in pats else (pats[0] if pats else "PINGPONG")
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 5))
        bars = [lib for lib in libs if (lib, "lat", pat, transport, size) in g]
        if ("raw", "lat", "PINGPONG", transport, size) in g:
            bars.append("raw")
        width = 0.8 / max(1, len(bars))
        for j, lib in enumerate(bars):
            key = (lib, "lat", "PINGPONG" if lib == "raw" else pat, transport, size)
            vals = [g[key][c]["med"] for c, _ in PCTS]
            a1.bar([x + j * width for x in range(len(PCTS))], vals, width,
                   label=lib, color=lib_color[lib])
        a1.set_xticks([x + width * (len(bars) - 1) / 2 for x in range(len(PCTS))])
        a1.set_xticklabels([n for _, n in PCTS])
        a1.set_yscale("log")
        a1.set_ylabel("one-way latency (µs, median of runs)")
        a1.set_title("%s %s over %s: percentiles" % (pat, fmt_size(size), transport))
        a1.legend(fontsize=8)
        for lib in libs:
            for col, ls in (("lat_p50_us", "-"), ("lat_p99_us", "--")):
                p = "PINGPONG" if lib == "raw" else pat
                pts = sorted((k[4], v[col]["med"]) for k, v in g.items()
                             if k[:4] == (lib, "lat", p, transport) and col in v)
                if pts:
                    a2.plot([q[0] for q in pts], [q[1] for q in pts], ls, marker="o", ms=3,
                            color=lib_color[lib],
                            label="%s %s" % (lib, col[4:7]))
        a2.set_xscale("log", base=2)
        a2.set_yscale("log")
        a2.set_xlabel("message size (bytes)")
        a2.set_title("p50 (solid) and p99 (dashed) against size")
        a2.grid(True, which="both", alpha=0.3)
        a2.legend(fontsize=7)
        name = "latency_%s.png" % transport
        fig.tight_layout()
        fig.savefig(os.path.join(charts_dir, name), dpi=100)
        plt.close(fig)
        made.append(name)
    return made


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--md", required=True)
    ap.add_argument("--charts", required=True)
    ap.add_argument("--print-table", action="store_true")
    ap.add_argument("--notes", help="hand-written notes (markdown) placed after the intro")
    a = ap.parse_args()

    rows, env = load(a.results)
    g = group(rows)
    transports = [t for t in TRANSPORT_ORDER if any(k[3] == t for k in g)]
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        plt = None
        print("matplotlib missing: no charts", file=sys.stderr)

    md_dir = os.path.dirname(os.path.abspath(a.md))
    os.makedirs(a.charts, exist_ok=True)
    out = ["# zlink vs libzmq: benchmark results", ""]
    if env.get("libzmq_only") == "1":
        out += ["> **Self-check run (`--libzmq-only`): the `zlink` column ran the system "
                "libzmq too.** These figures say nothing about zlink; they show the "
                "suite works and how much two identical libraries differ by noise.", ""]
    fail_path = os.path.join(a.results, "failures.txt")
    if os.path.exists(fail_path) and "FAILED" in open(fail_path).read():
        out += ["> **Some runs FAILED** (correctness check or crash); see "
                "`failures.txt` in the results directory. Their cells read FAILED.", ""]
    if rows:
        out += ["Generated by `benchwithzmq/run_benchmarks.sh` (%s run(s) per configuration, "
                "zlink and libzmq interleaved, %s warm-up messages). Every cell is the "
                "**median** of the runs; spread is the relative standard deviation, "
                "marked WARN above %.0f%%. Throughput ratio > 1 means zlink is faster; "
                "latency ratio < 1 means zlink is faster. Latency is one-way "
                "(round trip / 2) over every round trip after warm-up. The raw floor is "
                "the same exchange over a plain socket with no library (blocking writes "
                "packed up to 8 KiB, so a library that gathers more per system call can "
                "pass it for small messages)."
                % (env.get("runs", "?"), env.get("warmup", "?"), WARN_SPREAD), ""]
    if a.notes and os.path.exists(a.notes):
        out += [open(a.notes).read().rstrip(), ""]
    table_text = []
    for t in transports:
        out += ["## %s" % t, ""]
        tbl = comparison_table(g, t)
        out += tbl + [""]
        table_text += ["", "== %s ==" % t] + tbl
        if any(k[3] == t and k[1] == "lat" for k in g):
            out += ["### %s latency percentiles (one-way µs, median of runs)" % t, ""]
            out += latency_table(g, t) + [""]
        out += ["<details><summary>%s: min / max / stddev of every cell</summary>" % t, ""]
        out += range_table(g, t) + ["", "</details>", ""]
        out += ["### %s CPU per message (user + system µs, both ends; per round trip "
                "for latency)" % t, ""]
        out += cpu_table(g, t) + [""]
        if plt:
            for name in chart(g, t, a.charts, plt):
                rel = os.path.relpath(os.path.join(a.charts, name), md_dir)
                out += ["![%s](%s)" % (name, rel), ""]

    sc = os.path.join(a.results, "syscalls.csv")
    if os.path.exists(sc):
        rows_sc = list(csv.DictReader(open(sc)))
        method = ("Two runs of N1 and N2 messages (round trips for lat) after the same warm-up, "
                  "counted with `%s`; the table shows (calls2 - calls1) / (N2 - N1), so set-up "
                  "and teardown cancel out." % rows_sc[0]["method"].split("-", 1)[1]
                  if rows_sc and rows_sc[0].get("method") else
                  "One run under `strace -f -c`: all calls of the run, set-up and warm-up "
                  "included, divided by messages + warm-up (the method before 2026-11-30).")
        out += ["## Syscalls per message (separate short run, 64 B, both processes)", "",
                method, "",
                "| library | kind | pattern | transport | syscalls/msg |",
                "|---|---|---|---|---|"]
        for r in rows_sc:
            out.append("| %s | %s | %s | %s | %s |" % (
                r["lib"], r["kind"], r["pattern"], r["transport"], r["syscalls_per_msg"]))
        out.append("")
    dc = os.path.join(a.results, "debug_counters.txt")
    if os.path.exists(dc) and os.path.getsize(dc) > 0:
        # One line per configuration and process side, from its last run.
        last = {}
        for line in open(dc):
            parts = line.split()
            if len(parts) >= 8 and "=" in parts[7]:
                key = (" ".join(parts[:5]), parts[6])
                name, value = parts[7].split("=", 1)
                if int(value):
                    last.setdefault(key, {})[name] = int(value)
        out += ["## zlink debug counters (last run of each configuration, non-zero only)", "",
                "`msgs/write` = engine_messages_out / engine_writes: how many messages "
                "shared one write system call. `pool hit %` = msg_pool_hits / "
                "(hits + misses): large bodies served from recycled blocks.", "", "```"]
        for (cfg, who), cs in list(last.items())[:400]:
            extra = ""
            if cs.get("engine_writes") and cs.get("engine_messages_out"):
                extra += " msgs/write=%.1f" % (cs.get("engine_messages_out", 0) / cs["engine_writes"])
            pooled = cs.get("msg_pool_hits", 0) + cs.get("msg_pool_misses", 0)
            if pooled:
                extra += " pool_hit%%=%.1f" % (100.0 * cs.get("msg_pool_hits", 0) / pooled)
            out.append("%s [%s] %s%s" % (cfg, who, " ".join(
                "%s=%d" % (k, v) for k, v in cs.items()), extra))
        out += ["```", ""]
    soak = load_soak(a.results)
    if soak:
        out += soak_section(soak, a.charts, md_dir, plt)
    security = load_security(a.results)
    if security:
        out += security_section(security)
    extra = latency_sections(a.results)
    for section in extra:
        out += section
    # Figures measured outside this script (the scale and churn tests), by hand.
    for name in ("scale.md", "regression_checks.md"):
        path = os.path.join(a.results, name)
        if os.path.exists(path):
            out += [open(path).read().rstrip(), ""]
    if env:
        out += ["## Environment", "", "| key | value |", "|---|---|"]
        out += ["| %s | %s |" % (k, v) for k, v in env.items()] + [""]

    write_summary(g, os.path.join(a.results, "summary.csv"))
    with open(a.md, "w") as f:
        f.write("\n".join(out))
    if a.print_table and rows:
        print("\n".join(["zlink vs libzmq (median of %s runs; ratio = zlink/libzmq)"
                         % env.get("runs", "?")] + table_text))
        for section in extra:
            print("\n" + "\n".join(l for l in section if not l.startswith("Generated by")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
