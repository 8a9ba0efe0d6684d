"""Soak section of the benchmark report (used by report.py).

DIR/soak/ holds, per library, soak_<lib>.csv (one row per sample, see
`soak_zlink --header`), soak_<lib>.summary (one `soak_summary key=value ...`
line) and soak_<lib>.log (stderr: the first errors, fd listings), plus env.txt.
"""
import csv
import os

LIB_ORDER = ["zlink", "libzmq"]
SCENARIOS = ["pushpull", "dealer", "pubsub", "reqrep", "churn"]


def load_soak(results):
    d = os.path.join(results, "soak")
    if not os.path.isdir(d):
        return None
    runs = {}
    for name in sorted(os.listdir(d)):
        if not (name.startswith("soak_") and name.endswith(".summary")):
            continue
        lib = name[len("soak_"):-len(".summary")]
        summary = {}
        for word in open(os.path.join(d, name)).read().split()[1:]:
            if "=" in word:
                k, v = word.split("=", 1)
                summary[k] = v
        rows = []
        path = os.path.join(d, "soak_%s.csv" % lib)
        if os.path.exists(path):
            rows = list(csv.DictReader(open(path)))
        log = os.path.join(d, "soak_%s.log" % lib)
        lines = [l.rstrip() for l in open(log)] if os.path.exists(log) else []
        errors = [l for l in lines if l.startswith("SOAK")][:12]
        if summary.get("result") == "CRASHED":  # how it died: the last words
            errors += [l for l in lines if l and not l.startswith("  fd ")][-4:]
        runs[lib] = {"summary": summary, "rows": rows, "log": errors}
    env = {}
    if os.path.exists(os.path.join(d, "env.txt")):
        for line in open(os.path.join(d, "env.txt")):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    order = [l for l in LIB_ORDER if l in runs] + sorted(l for l in runs if l not in LIB_ORDER)
    notes = os.path.join(d, "notes.md")
    notes = open(notes).read().rstrip() if os.path.exists(notes) else ""
    return {"runs": runs, "env": env, "libs": order, "notes": notes} if runs else None


def _scenario_rate(rows, name):
    run = [r for r in rows if r["phase"] == "run"]
    vals = [float(r[name + ("_ops_per_s" if name == "churn" else "_per_s")]) for r in run]
    return sum(vals) / len(vals) if vals else 0.0


def _kb(v):
    return "%.1f MiB" % (int(v) / 1024.0) if v not in (None, "") else "—"


def summary_table(soak):
    libs = soak["libs"]
    S = {lib: soak["runs"][lib]["summary"] for lib in libs}
    R = {lib: soak["runs"][lib]["rows"] for lib in libs}
    lines = ["| | " + " | ".join(libs) + " |", "|---|" + "---|" * len(libs)]

    def row(label, fn):
        cells = []
        for lib in libs:
            try:
                cells.append(fn(lib))
            except (KeyError, ValueError, ZeroDivisionError):
                cells.append("—")
        lines.append("| %s | %s |" % (label, " | ".join(cells)))

    row("result", lambda l: "**%s**" % S[l]["result"] + (
        " (exit %s, last sample at %s s)" % (S[l]["exit"], R[l][-1]["t_s"] if R[l] else "?")
        if "exit" in S[l] else ""))
    row("measured run (s)", lambda l: S[l]["seconds"])
    row("verified messages", lambda l: "{:,}".format(int(S[l]["msgs"])))
    row("messages/s (mean over the run)", lambda l: "{:,.0f}".format(float(S[l]["msgs_per_s"])))
    for sc in SCENARIOS:
        unit = "operations/s" if sc == "churn" else "messages/s"
        row("&nbsp;&nbsp;%s %s" % (sc, unit), lambda l, sc=sc: "{:,.0f}".format(_scenario_rate(R[l], sc)))
    row("integrity errors (lost / corrupt / order / unexpected)", lambda l: "**%s** (%s / %s / %s / %s)" % (
        S[l]["errors"], S[l]["lost"], S[l]["corrupt"], S[l]["order"], S[l]["unexpected"]))
    row("drops the pattern allows (across a server restart)", lambda l: S[l]["reset_drops"])
    row("server restarts / client reconnects / sockets created", lambda l: "%s / %s / %s" % (
        S[l]["restarts"], S[l]["reconnects"], S[l]["sockets_created"]))
    row("RSS baseline / peak / after churn / after zmq_ctx_term", lambda l: " / ".join(
        _kb(S[l][k]) for k in ("rss_kb_start", "rss_kb_peak", "rss_kb_end", "rss_kb_term")))
    row("RSS growth over the run's 2nd half", lambda l: "%s KiB/min" % S[l]["rss_growth_kb_per_min"])
    row("open fds before ctx / baseline / peak / after churn / after term", lambda l: " / ".join(
        S[l][k] for k in ("fds_pre", "fds_start", "fds_peak", "fds_end", "fds_term")))
    row("threads baseline / peak / after churn", lambda l: " / ".join(
        S[l][k] for k in ("threads_start", "threads_peak", "threads_end")))
    row("back to baseline after the churn: fds / threads / RSS", lambda l: " / ".join(
        S[l][k] for k in ("fds_returned", "threads_returned", "rss_returned")))
    row("everything released by zmq_ctx_term", lambda l: S[l]["term_returned"])
    return lines


def soak_chart(soak, charts_dir, plt):
    """messages/s, RSS, fds, threads and errors against time, both libraries."""
    panels = [("msgs_per_s", "verified messages/s", 1.0),
              ("rss_kb", "RSS (MiB)", 1 / 1024.0),
              ("fds", "open fds", 1.0),
              ("threads", "threads", 1.0),
              ("errors", "integrity errors (cumulative)", 1.0)]
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, 12), sharex=True)
    styles = {"zlink": ("-", "C0"), "libzmq": ("--", "C1")}
    for lib in soak["libs"]:
        rows = soak["runs"][lib]["rows"]
        if not rows:
            continue
        ls, color = styles.get(lib, (":", "C2"))
        t = [float(r["t_s"]) for r in rows]
        for ax, (col, label, scale) in zip(axes, panels):
            ax.plot(t, [float(r[col]) * scale for r in rows], ls, color=color, lw=1.2, label=lib)
            ax.set_ylabel(label, fontsize=8)
            ax.grid(True, alpha=0.3)
        stops = [float(r["t_s"]) for r in rows if r["phase"] != "run" and r["phase"] != "baseline"]
        if stops:
            for ax in axes:
                ax.axvline(stops[0], color=color, ls=ls, lw=0.6, alpha=0.5)
    axes[-1].set_ylim(bottom=0, top=max(1.0, axes[-1].get_ylim()[1]))
    axes[0].set_title("Soak: mixed patterns with reconnect churn (solid: zlink, dashed: libzmq;"
                      " vertical line: churn stops)", fontsize=9)
    axes[0].legend(fontsize=8)
    axes[-1].set_xlabel("time (s)")
    fig.tight_layout()
    fig.savefig(os.path.join(charts_dir, "soak.png"), dpi=100)
    plt.close(fig)
    return "soak.png"


def soak_section(soak, charts_dir, md_dir, plt):
    env = soak["env"]
    out = ["## Soak: mixed patterns with reconnect churn", "",
           "`run_benchmarks.sh --soak`: %s s, %s. Five scenario threads per library (PUSH/PULL, "
           "DEALER/ROUTER multipart with a reset streamer, PUB/SUB, REQ/REP lazy pirate, socket "
           "churn) over tcp, ipc and inproc, every message checked; servers restart every 2 s "
           "and clients are replaced at a fixed pace, so both libraries churn alike. "
           "See benchwithzmq/README.md (Soak) for what each figure means."
           % (env.get("soak_seconds", "?"), env.get("soak_mode", "?")), ""]
    if env.get("libzmq_only") == "1":
        out += ["> **Self-check run: the zlink column ran libzmq too.**", ""]
    out += summary_table(soak) + [""]
    logs = [(lib, soak["runs"][lib]["log"]) for lib in soak["libs"] if soak["runs"][lib]["log"]]
    if logs:
        out += ["First reports from the runs (stderr):", "", "```"]
        for lib, lines in logs:
            out += ["[%s] %s" % (lib, l) for l in lines]
        out += ["```", ""]
    if plt:
        name = soak_chart(soak, charts_dir, plt)
        out += ["![%s](%s)" % (name, os.path.relpath(os.path.join(charts_dir, name), md_dir)), ""]
    # What the figures mean, written by hand after a run (results/soak/notes.md).
    if soak.get("notes"):
        out += [soak["notes"], ""]
    out += ["| soak environment | |", "|---|---|"] + ["| %s | %s |" % kv for kv in env.items()] + [""]
    return out
