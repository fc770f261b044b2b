"""Time `import ketlearn` in a fresh interpreter (target: <= 0.3 s), against bare start-up."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def wall(code: str, repeats: int = 7) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


if __name__ == "__main__":
    bare = wall("pass")
    with_pkg = wall("import ketlearn")
    data = wall("import ketlearn.data")
    print(f"python start-up alone:        {bare * 1000:7.1f} ms")
    print(f"import ketlearn (extra):      {(with_pkg - bare) * 1000:7.1f} ms   target <= 300 ms")
    print(f"import ketlearn.data (extra): {(data - bare) * 1000:7.1f} ms   (loads pandas)")
