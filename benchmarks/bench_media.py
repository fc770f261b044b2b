"""Speed of the red-flag flagger (assignment 06).

Target (issue 6): flag 10 MB of text in <= 2 s. Also times 1 MB of adversarial text (long runs
without sentence ends, long digit and punctuation runs) to show the cost stays linear.
This script PRINTS wall-clock and CPU times (CPU time is less sensitive to other processes on a
shared machine); it asserts nothing. Run: ``python benchmarks/bench_media.py``.
"""

from __future__ import annotations

import time

from ketlearn import data, media


def timed(fn, repeats: int = 3) -> tuple[float, float, object]:
    """Best wall-clock and CPU seconds over ``repeats`` runs, and the last result."""
    best_wall = best_cpu = float("inf")
    result = None
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        best_wall = min(best_wall, time.perf_counter() - w0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best_wall, best_cpu, result


def main() -> None:
    corpus = data.load("media_corpus_fictional")
    one = " ".join(corpus["text"].astype(str)) + " "
    ten_mb = (one * (10_000_000 // len(one) + 1))[:10_000_000]
    adversarial = {
        "digits": "1" * 1_000_000,
        "exclamation marks, no space": "!" * 1_000_000 + "x",
        "one 1 MB word after 'i '": "i " + "a" * 1_000_000,
        "'. ' repeated (500k sentences)": ". " * 500_000,
        "'miracle ' repeated (no full stop)": "miracle " * 125_000,
    }
    print("ketlearn.media.flag_text (target: 10 MB in <= 2 s)")
    media.flag_text(one)  # warm-up
    wall, cpu, flags = timed(lambda: media.flag_text(ten_mb), repeats=2)
    print(f"  realistic 10 MB (fictional corpus repeated): wall {wall:5.2f} s, CPU {cpu:5.2f} s,"
          f" {len(flags):,} flags")  # fmt: skip
    wall, cpu, _ = timed(lambda: media.split_sentences(ten_mb), repeats=2)
    print(f"    of which sentence splitting:             wall {wall:5.2f} s, CPU {cpu:5.2f} s")
    for name, text in adversarial.items():
        wall, cpu, flags = timed(lambda t=text: media.flag_text(t))
        print(f"  adversarial 1 MB, {name:34s} wall {wall:5.2f} s, CPU {cpu:5.2f} s")


if __name__ == "__main__":
    main()
