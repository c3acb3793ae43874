"""The Markdown summary (targets met or missed, with the measured ratios) and the PNG plot."""

from __future__ import annotations

from pathlib import Path

NOTES = Path(__file__).parent / "notes.md"


def _fmt(x: float, nd: int = 2) -> str:
    return f"{x:.{nd}f}"


def _size(n: int) -> str:
    return f"{n / 1e6:g}M" if n >= 1_000_000 else (f"{n / 1e3:g}k" if n >= 1000 else str(n))


ZONE_FLOOR_TARGET = {"sqlite": 0.35, "postgresql": 0.25, "mariadb": 0.25}
QUERY_IMAGE_P50_MS = 20.0


def targets(res: dict) -> list[dict]:
    """The targets of issues 6 and 11 for one database, as ratios and figures from the same run."""
    rows = res["sizes"]
    last = rows[-1]
    out = []
    ip = last["inprocess"]
    ratio = ip["engine"]["p50"] / ip["engine_1k"]["p50"]
    http_ratio = last["http"]["candidates"]["server_p50"] / last["http"]["candidates_1k"]["server_p50"]
    small = _size(res["config"]["sizes"][0])
    out.append({"target": f"{_size(last['size'])} vs {small} catalog, same 100-candidate answer (engine p50 ratio; "
                          f"HTTP server-side p50 ratio {_fmt(http_ratio)})",
                "measured": ratio, "limit": "≤ 1.3", "met": ratio <= 1.3})
    at = min(rows, key=lambda r: abs(r["size"] - 100_000))
    zr = at["inprocess"]["zstack"]["p50"] / at["inprocess"]["engine"]["p50"]
    out.append({"target": f"faster than ZStack's plan at {_size(at['size'])} (ZStack p50 / engine p50)",
                "measured": zr, "limit": "≥ 10", "met": zr >= 10})
    p99 = last["http"]["candidates"]["server_p99"]
    out.append({"target": f"server-side p99 at {_size(last['size'])} / 100 candidates, ms",
                "measured": p99, "limit": "≤ 10 ms", "met": p99 <= 10})
    t = last.get("throughput")
    if t and "floor" in t:
        limit = ZONE_FLOOR_TARGET.get(res["backend"], 0.25)
        zf = t["zone"]["rps"] / t["floor"]["rps"]
        stack = ""
        if "floor_row" in t:  # what the stack itself allows: one SQLAlchemy row, no auth, no logging
            stack = (f"; a bare app reading the zone's row: {t['floor_row']['rps'] / t['floor']['rps']:.0%} on a"
                     f" request thread, {t['floor_row_loop']['rps'] / t['floor']['rps']:.0%} on the event loop")
        out.append({"target": f"cheapest authenticated GET (a zone) / bare floor app, req/s ({t['tool']}{stack})",
                    "measured": zf, "limit": f"≥ {limit}", "met": zf >= limit})
        cz = t["candidates_10"]["rps"] / t["zone"]["rps"]
        bound = candidates_bound(t)
        stack = "" if bound is None else (f"; at most {bound:.2f} in this stack: the call's own two statements cost"
                                          f" {_extra_us(t):.0f} µs more than one row, in bare apps")
        out.append({"target": f"10-candidate call / cheapest authenticated GET, req/s{stack}",
                    "measured": cz, "limit": "≥ 0.7", "met": cz >= 0.7})
    for name, v in last.get("query_image", {}).items():
        out.append({"target": f"QueryImage `{name}` at {_size(last['size'])}, server p50 ms",
                    "measured": v["server_p50"], "limit": f"≤ {QUERY_IMAGE_P50_MS:g} ms",
                    "met": v["server_p50"] <= QUERY_IMAGE_P50_MS})
    return out


def _extra_us(t: dict) -> float:
    """What the candidate call's statements cost more than one row, per request (µs), in the bare apps."""
    return (1 / t["floor_candidates_10"]["rps"] - 1 / t["floor_row"]["rps"]) * 1e6


def candidates_bound(t: dict) -> float | None:
    """The highest 10-candidate/GET zone ratio this stack allows: GET zone's own time per request plus at
    least what the candidate call's two statements (the scope, the candidates with their refs) and
    their rows cost more than the zone's one row, both measured in bare apps (no auth, no rendering,
    no logging) on the same request-thread hop. zslite could only meet a higher ratio by running the
    candidate call's database work for less than a bare app does."""
    if "floor_candidates_10" not in t or "floor_row" not in t:
        return None
    zone_us = 1e6 / t["zone"]["rps"]
    return zone_us / (zone_us + max(0.0, _extra_us(t)))


def nodes_targets(res: dict) -> list[dict]:
    """Issue 10's targets: the mixed load on the default single process, and --workers 2 vs 1."""
    nodes = res.get("nodes")
    if not nodes:
        return []
    out = []
    for layout, m in nodes["mixed"].items():
        t = m["targets"]
        out.append({"target": f"mixed load ({m['clients']} clients, {layout}): 202 p99, ms",
                    "measured": t["accept_p99_ms"]["value"], "limit": "≤ 50 ms", "met": t["accept_p99_ms"]["met"]})
        out.append({"target": f"mixed load ({layout}): reads p99, ms", "measured": t["read_p99_ms"]["value"],
                    "limit": "≤ 100 ms", "met": t["read_p99_ms"]["met"]})
        out.append({"target": f"mixed load ({layout}): errors", "measured": t["errors"]["value"], "limit": "0",
                    "met": t["errors"]["met"]})
    sc = nodes.get("scaling", {})
    if "workers_ratio" in sc:
        out.append({"target": "10-candidate req/s, --workers 2 / --workers 1 (wrk)", "measured": sc["workers_ratio"],
                    "limit": "≥ 1.6", "met": sc["targets"]["workers_ratio"]["met"]})
    return out


def nodes_tables(run: dict) -> list[str]:
    rows = [(b, r["nodes"]) for b, r in run["results"].items() if r.get("nodes")]
    if not rows:
        return []
    lines = ["", "## Many processes, many nodes (issue 10)", "",
             "Mixed load: 16 clients, one keep-alive connection each (asyncio, in the bench process), for"
             f" {run['config'].get('mixed_seconds')} s: 20% ChangeVmImage PUTs (each only has to be accepted:"
             " 202), polls of the client's own jobs, and reads (the 10-candidate call, a zone by uuid, a page of"
             " QueryVmInstance). Client-side latency; errors are unexpected statuses and accepted jobs that"
             " failed. `two_nodes`: two `zslite serve` processes, clients split between them.", "",
             "| database | layout | req/s | 202 p50 / p99 ms | reads p50 / p99 ms | candidates p99 | zone p99 |"
             " query p99 | poll p99 | jobs accepted | errors | client CPU | cores: server / database / machine busy |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    def cores(m: dict) -> str:  # (results from before the CPU meter have none)
        c = m.get("cores")
        return f"{c['server']:.2f} / {c['database']:.2f} / {c['machine_busy']:.2f}" if c else "–"

    for backend, nodes in rows:
        for layout, m in nodes["mixed"].items():
            k = m["kinds"]
            p99 = lambda name: _fmt(k[name]["p99"], 1) if name in k else "–"  # noqa: E731
            lines.append(f"| {backend} | {layout} | {m['rps']:.0f} | {_fmt(k['accept']['p50'], 1)} / "
                         f"{_fmt(k['accept']['p99'], 1)} | {_fmt(m['reads']['p50'], 1)} / {_fmt(m['reads']['p99'], 1)}"
                         f" | {p99('candidates_10')} | {p99('zone')} | {p99('query_vms')} | {p99('job_poll')} |"
                         f" {m['jobs_accepted']} | {m['errors']} | {m['client_cpu_share']:.0%} | {cores(m)} |")
    lines += ["", "Scaling: the 10-candidate call under wrk (1 thread, 8 connections; for nodes, two wrk"
              " processes of 4 connections), interleaved rounds, median req/s; wrk's own CPU use as a share of"
              " one core.", "",
              "| database | --workers 1 | --workers 2 | ratio | 1 node | 2 nodes | ratio | wrk CPU |",
              "|---|---|---|---|---|---|---|---|"]
    for backend, nodes in rows:
        sc = nodes.get("scaling", {})
        if "workers_ratio" not in sc:
            lines.append(f"| {backend} | {sc.get('skipped', 'not run')} |||||||")
            continue
        two = (f"{sc['one_node']['rps']:.0f} | {sc['two_nodes']['rps']:.0f} | {_fmt(sc['nodes_ratio'])}"
               if "nodes_ratio" in sc else "– | – | –")
        lines.append(f"| {backend} | {sc['workers_1']['rps']:.0f} | {sc['workers_2']['rps']:.0f} |"
                     f" {_fmt(sc['workers_ratio'])} | {two} | {sc['workers_2']['client_cpu_share']:.0%} |")
    return lines


def _verdict(met) -> str:
    return "n/a" if met is None else ("**met**" if met else "**missed**")


def summary(run: dict) -> str:
    m = run["machine"]
    cfg = run["config"]
    lines = [f"# zslite benchmark {run['stamp']}" + (" (quick)" if run["quick"] else ""), "",
             f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gib']} GiB, Python {m['python']},"
             f" {m['platform']}. Noisy; every figure is the median of {cfg['rounds']} rounds"
             f" ({cfg['rounds_load']} for load, jobs and queries), the 1k and the large catalog measured"
             " in turn.", "",
             f"Sizes run: {', '.join(_size(s) for s in cfg['sizes'])} images (2 refs each on average),"
             f" {cfg['vms']} VMs, 10 zones, 50 backup storages. Whole run: {run['seconds'] / 60:.1f} min.", ""]
    for backend, res in run["results"].items():
        note = f"; {res['server_settings']}" if res.get("server_settings") else ""
        lines.append(f"- {backend}: {res['version']}{note}; {res['seconds'] / 60:.1f} min")
    lines += ["", "## Targets", "", "| database | target | measured | limit | verdict |", "|---|---|---|---|---|"]
    for backend, res in run["results"].items():
        for t in (targets(res) if res["sizes"] else []) + nodes_targets(res):
            lines.append(f"| {backend} | {t['target']} | {_fmt(t['measured'])} | {t['limit']} | {_verdict(t['met'])} |")
    lines += nodes_tables(run)
    from bench.plans import tables as plans_tables
    lines += plans_tables(run)
    if not any(res["sizes"] for res in run["results"].values()):
        return "\n".join(lines) + "\n"
    lines += ["", "## Candidates: latency against catalog size (probe VM, exactly 100 candidates)", "",
              "In-process: the rule engine (`get_image_candidates`: scope, rules, refs, inventories) on the"
              " large catalog and, in the same rounds, on the 1k one; the floor: the engine's two SQL"
              " statements (the scope, the candidates with their refs) run by the driver, rows fetched,"
              " nothing else; ZStack: its plan (one DISTINCT join,"
              " then the refs one query per image) on the same stack. HTTP: a live `zslite serve`, one"
              " connection, server-side time from its access log and client-side time at the socket.", "",
              "| database | images | refs | load s | engine p50 ms | engine 1k p50 | ratio | floor p50 |"
              " ZStack p50 (answer) | ZStack / engine | HTTP server p50 / p99 | HTTP 1k server p50 |"
              " client p50 / p99 |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for backend, res in run["results"].items():
        for r in res["sizes"]:
            ip, h = r["inprocess"], r["http"]
            c, c1 = h["candidates"], h["candidates_1k"]
            lines.append(
                f"| {backend} | {_size(r['size'])} | {r['refs']} | {_fmt(r['load_seconds'], 1)} |"
                f" {_fmt(ip['engine']['p50'])} | {_fmt(ip['engine_1k']['p50'])} |"
                f" {_fmt(ip['engine']['p50'] / ip['engine_1k']['p50'])} | {_fmt(ip['floor']['p50'])} |"
                f" {_fmt(ip['zstack']['p50'])} ({r['zstack_answer']}) |"
                f" {_fmt(ip['zstack']['p50'] / ip['engine']['p50'], 1)} |"
                f" {_fmt(c['server_p50'])} / {_fmt(c['server_p99'])} | {_fmt(c1['server_p50'])} |"
                f" {_fmt(c['client_p50'])} / {_fmt(c['client_p99'])} |")
    lines += ["", "## At the largest size", "",
              "Throughput: 8 keep-alive connections (wrk, or the asyncio load generator when wrk is missing) on"
              " the same 2 CPUs, interleaved rounds, median req/s. The floor is a bare app on the same uvicorn,"
              " Starlette and orjson answering a body of the same size as GET zone, without authentication,"
              " database or logging; the row floors answer the same URL with the zone's row, read by one"
              " SQLAlchemy Core statement on zslite's read engine, on a request thread as zslite does or on"
              " the event loop (bench/floor.py). The candidates floor runs the 10-candidate call's own two"
              " statements (the VM's scope, the candidates with their refs) on a request thread and sends"
              " their rows; the bound is the highest 10-candidate/GET zone ratio that leaves: GET zone's time"
              " plus what those statements cost more than one row (bench/report.py `candidates_bound`).", "",
              "| database | floor req/s | one row, thread / loop req/s (% of floor) |"
              " GET zone req/s (% of floor) | 10 candidates req/s (% of GET zone) |"
              " candidates floor req/s (bound) |"
              " 100 candidates req/s | p99 under load (floor / zone / 10 / 100) ms | load generator CPU |"
              " ChangeVmImage jobs/s |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for backend, res in run["results"].items():
        if not res["sizes"]:
            continue
        last = res["sizes"][-1]
        t = last.get("throughput")
        if not t or "floor" not in t:
            continue
        f, z, c10, c100 = t["floor"], t["zone"], t["candidates_10"], t["candidates_100"]
        j = last["change_vm_image"]
        cpu = f"{z['client_cpu_share']:.0%}" if "client_cpu_share" in z else "–"
        rt, rl = t.get("floor_row"), t.get("floor_row_loop")
        row_floors = (f"{rt['rps']:.0f} / {rl['rps']:.0f} ({rt['rps'] / f['rps']:.0%} / {rl['rps'] / f['rps']:.0%})"
                      if rt and rl else "–")
        bound = candidates_bound(t)
        cand_floor = (f"{t['floor_candidates_10']['rps']:.0f} ({bound:.0%})" if bound is not None else "–")
        lines.append(f"| {backend} | {f['rps']:.0f} | {row_floors} | {z['rps']:.0f} ({z['rps'] / f['rps']:.0%}) |"
                     f" {c10['rps']:.0f} ({c10['rps'] / z['rps']:.0%}) | {cand_floor} | {c100['rps']:.0f} |"
                     f" {_fmt(f['client_p99'], 1)} / {_fmt(z['client_p99'], 1)} / {_fmt(c10['client_p99'], 1)} /"
                     f" {_fmt(c100['client_p99'], 1)} | {cpu} | {_fmt(j['jobs_per_s'], 1)} ({j['failed']} failed) |")
    lines += ["", "QueryImage (`limit=100`), one connection:", "",
              "| database | condition | server p50 / p99 ms | client p50 ms |", "|---|---|---|---|"]
    for backend, res in run["results"].items():
        q = res["sizes"][-1].get("query_image", {}) if res["sizes"] else {}
        for name, v in q.items():
            lines.append(f"| {backend} | `{name}` | {_fmt(v['server_p50'])} / {_fmt(v['server_p99'])} |"
                         f" {_fmt(v['client_p50'])} |")
    lines += ["", "GetImageCandidatesForVmToChange with `explain=true` on the whole catalog (the probe VM: 100"
              " candidates, every other image excluded; the excluded list is a page of at most 1000), one"
              " connection:", "",
              "| database | call | server p50 / p99 ms | client p50 ms | answer bytes |", "|---|---|---|---|---|"]
    for backend, res in run["results"].items():
        for name, v in res["sizes"][-1].get("explain_call", {}).items():
            lines.append(f"| {backend} | `{name}` | {_fmt(v['server_p50'])} / {_fmt(v['server_p99'])} |"
                         f" {_fmt(v['client_p50'])} | {v['bytes']} |")
    lines += ["", "## EXPLAIN at the largest size", ""]
    for backend, res in run["results"].items():
        if not res["sizes"]:
            continue
        last = res["sizes"][-1]
        for name, plan in last["explain"].items():
            title = {"candidates": "the candidate query", "zstack": "ZStack's DISTINCT join",
                     "excluded": "explain=true's page of excluded images"}.get(name, name)
            lines += [f"### {backend}: {title} ({_size(last['size'])} images)", "", "```", plan, "```", ""]
    if NOTES.exists():
        lines += ["", NOTES.read_text().strip(), ""]
    return "\n".join(lines) + "\n"


def plot(run: dict, path: Path) -> Path | None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    colors = {"sqlite": "tab:blue", "postgresql": "tab:green", "mariadb": "tab:orange"}
    if not any(res["sizes"] for res in run["results"].values()):
        plt.close(fig)
        return None
    for backend, res in run["results"].items():
        sizes = [r["size"] for r in res["sizes"]]
        col = colors.get(backend)
        axes[0].plot(sizes, [r["inprocess"]["engine"]["p50"] for r in res["sizes"]], "o-", color=col,
                     label=f"{backend} engine")
        axes[0].plot(sizes, [r["inprocess"]["zstack"]["p50"] for r in res["sizes"]], "x--", color=col,
                     label=f"{backend} ZStack plan")
        axes[0].plot(sizes, [r["inprocess"]["floor"]["p50"] for r in res["sizes"]], ":", color=col,
                     label=f"{backend} driver floor")
        axes[1].plot(sizes, [r["http"]["candidates"]["server_p50"] for r in res["sizes"]], "o-", color=col,
                     label=f"{backend} p50")
        axes[1].plot(sizes, [r["http"]["candidates"]["server_p99"] for r in res["sizes"]], "^--", color=col,
                     label=f"{backend} p99")
    axes[0].set_title("In-process, 100-candidate answer (p50)")
    axes[1].set_title("HTTP server-side, 100-candidate answer")
    axes[1].axhline(10, color="gray", lw=0.8, ls="--")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("images in the catalog")
        ax.set_ylabel("ms")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(f"zslite GetImageCandidatesForVmToChange, {run['stamp']} "
                 f"({run['machine']['nproc']} CPUs, {run['machine']['memory_gib']} GiB)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write(run: dict, out_dir: Path) -> list[Path]:
    md = out_dir / f"{run['stamp']}-summary.md"
    md.write_text(summary(run))
    paths = [md]
    png = plot(run, out_dir / f"{run['stamp']}-latency.png")
    if png is not None:
        paths.append(png)
    return paths


def rebuild(stamp: str, out_dir: Path) -> list[Path]:
    """Rewrite the summary and the plot of a run from its JSON files (after editing notes.md)."""
    import json
    results = {}
    for path in sorted(out_dir.glob(f"{stamp}-*.json")):
        res = json.loads(path.read_text())
        results[res["backend"]] = res
    order = {"sqlite": 0, "postgresql": 1, "mariadb": 2}
    results = dict(sorted(results.items(), key=lambda kv: order.get(kv[0], 9)))
    first = next(iter(results.values()))
    run = {"stamp": stamp, "machine": first["machine"], "quick": first.get("quick", False),
           "config": first["config"], "results": results,
           "seconds": first.get("run_seconds") or sum(r["seconds"] for r in results.values())}
    return write(run, out_dir)


if __name__ == "__main__":
    import sys
    print(*rebuild(sys.argv[1], Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).parent / "results"))
