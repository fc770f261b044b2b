"""Speed of the red-flag flagger (assignment 06).

Targets (issues 6 and 16): the rules flag 10 MB of text in <= 2 s; the learned model (and
``method="both"``) within 5x of that, <= 10 s. Also times 1 MB of adversarial text (long runs
without sentence ends, long digit and punctuation runs) to show the cost stays linear. The text
is the fictional sentence corpus (``media_sentences_fictional``) joined into its documents and
repeated. This script PRINTS wall-clock and CPU times (CPU time is less sensitive to other
processes on a shared machine); it asserts nothing. Run: ``python benchmarks/bench_media.py``.
"""

from __future__ import annotations

import time

from ketlearn import data, media, media_model


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
    s = data.load("media_sentences_fictional").sort_values(["doc_id", "sentence_index"])
    docs = s.groupby("doc_id", sort=False)["sentence"].apply(lambda x: " ".join(map(str, x)))
    one = "\n".join(docs) + "\n"
    ten_mb = (one * (10_000_000 // len(one) + 1))[:10_000_000]
    adversarial = {
        "digits": "1" * 1_000_000,
        "exclamation marks, no space": "!" * 1_000_000 + "x",
        "one 1 MB word after 'i '": "i " + "a" * 1_000_000,
        "'. ' repeated (500k sentences)": ". " * 500_000,
        "'miracle ' repeated (no full stop)": "miracle " * 125_000,
    }
    print("ketlearn.media.flag_text on 10 MB (fictional sentence corpus repeated)")
    media.flag_text(one)  # warm-up
    wall, cpu, flags = timed(lambda: media.flag_text(ten_mb), repeats=2)
    rules_cpu = cpu
    print(f"  rules (target <= 2 s):            wall {wall:5.2f} s, CPU {cpu:5.2f} s,"
          f" {len(flags):,} flags")  # fmt: skip
    wall, cpu, _ = timed(lambda: media.split_sentences(ten_mb), repeats=2)
    print(f"    of which sentence splitting:    wall {wall:5.2f} s, CPU {cpu:5.2f} s")
    w0 = time.perf_counter()
    media_model.fitted_model()
    print(f"  model fit on the dev split (once per session): {time.perf_counter() - w0:5.2f} s")
    for method in ("model", "both"):
        wall, cpu, flags = timed(lambda m=method: media.flag_text(ten_mb, m), repeats=1)
        print(f"  {method:5s} (target <= 5x rules):     wall {wall:5.2f} s, CPU {cpu:5.2f} s,"
              f" {cpu / rules_cpu:4.1f}x rules (CPU), {len(flags):,} flags")  # fmt: skip
    for name, text in adversarial.items():
        wall, cpu, _ = timed(lambda t=text: media.flag_text(t))
        print(f"  adversarial 1 MB, {name:34s} wall {wall:5.2f} s, CPU {cpu:5.2f} s")


if __name__ == "__main__":
    main()
