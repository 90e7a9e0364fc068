"""`make bench`: every benchmark, each printed as a ratio against its bare baseline."""

from __future__ import annotations

from bench import bench_engine, bench_pipeline


def main() -> None:
    bench_engine.main()
    bench_pipeline.main()


if __name__ == "__main__":
    main()
