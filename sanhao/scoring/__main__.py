"""python -m sanhao.scoring SCHEME FACTS [--out RESULT.json|RESULT.npz] [--explain CANDIDATE]
[--stats] [--quiet]

FACTS is the JSON document of docs/scheme.md or the engine's arrays (`.npz`, as
`save_arrays` writes them; checked by `validate_arrays`). RESULT is written as the JSON
document, or for a name ending in `.npz` as its columns (`columns.py`), which is what a
result at scale wants. A run longer than a second shows a progress bar on stderr.

Exit status 0 with the ranking; 2 when an input is bad (every problem listed, nothing
computed or written) or the candidate to explain is unknown.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

from tqdm import tqdm

from sanhao.scoring.api import read_facts, read_scheme
from sanhao.scoring.arrays import load_arrays
from sanhao.scoring.engine import compute
from sanhao.scoring.facts import Facts
from sanhao.scoring.problems import InvalidInput, Problem
from sanhao.scoring.report import explain_lines, ranking_table, to_document, to_json
from sanhao.scoring.results import Result

SHOWN = 200  # problems printed; the count says how many there are
STAGES = ("读取", "检查", "计算", "统计", "输出")  # read, check, compute, statistics, write
DELAY = 1.0  # seconds before the bar appears: a quick run shows none


class Progress:
    """The stages on a tqdm bar on stderr: it appears once the run has taken DELAY seconds
    and is redrawn every half second from then on, so that a long stage shows its time
    going by, not only its end."""

    def __init__(self) -> None:
        self.bar = tqdm(total=len(STAGES), delay=DELAY, file=sys.stderr, leave=False,
                        bar_format="计分：{desc} {bar} {n_fmt}/{total_fmt} [{elapsed}]")  # fmt: skip
        self.started = time.monotonic()
        self.done = threading.Event()
        self.ticker = threading.Thread(target=self._tick, daemon=True)
        self.ticker.start()

    def _tick(self) -> None:
        while not self.done.wait(0.5):
            if time.monotonic() - self.started >= DELAY:
                self.bar.refresh()

    def stage(self, label: str) -> None:
        self.bar.set_description_str(label, refresh=False)
        if label != STAGES[0]:
            self.bar.update(1)

    def close(self) -> None:
        self.done.set()
        self.ticker.join()
        self.bar.close()


def _facts(path: Path) -> Facts | Path:
    """An `.npz` of arrays as `Facts` (checked later, with the scheme), its input hash the
    file's SHA-256; any other file is the JSON document, read and checked in one go."""
    if path.suffix != ".npz":
        return path
    try:
        facts = load_arrays(path)
    except (FileNotFoundError, PermissionError, IsADirectoryError):
        raise  # said as a file that cannot be read
    except (ValueError, KeyError, TypeError, AttributeError, EOFError, OSError,
            zipfile.BadZipFile) as error:  # fmt: skip
        raise InvalidInput([Problem(str(path), f"不是引擎的数组文件（{error}）")]) from None
    with open(path, "rb") as handle:
        facts.input_hash = hashlib.file_digest(handle, "sha256").hexdigest()
    return facts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sanhao.scoring", description="三好创争计分引擎"
    )
    parser.add_argument("scheme", type=Path, help="方案文件（TOML）")
    parser.add_argument("facts", type=Path, help="事实数据文件（JSON，或数组文件 .npz）")
    parser.add_argument("--out", type=Path, help="结果文件（JSON；以 .npz 结尾时按列写入）")
    parser.add_argument("--explain", metavar="CANDIDATE", help="逐行说明一个候选对象的得分")
    parser.add_argument("--stats", action="store_true", help="同时计算一致性、不确定性等统计")
    parser.add_argument("--seed", type=int, default=2026, help="统计抽样的随机种子")
    parser.add_argument("--quiet", action="store_true", help="不打印排名表")
    args = parser.parse_args(argv)
    out: list[str] = []
    err: list[str] = []
    progress = Progress()
    try:
        code = _run(args, progress, out, err)
    finally:
        progress.close()  # the bar is gone before anything is printed
    for line in err:
        print(line, file=sys.stderr)
    for line in out:
        print(line)
    return code


def _run(args: argparse.Namespace, progress: Progress, out: list[str], err: list[str]) -> int:
    try:
        progress.stage("读取")
        scheme = read_scheme(args.scheme)
        source = _facts(args.facts)
        progress.stage("检查")
        facts = read_facts(source, scheme)
        progress.stage("计算")
        computed = compute(scheme, facts)
        result = Result(scheme, facts, computed.quantified, computed.categories)
    except InvalidInput as error:
        err.append(f"输入有 {len(error.problems)} 处问题，未计算、未写入任何文件：")
        err.extend(f"  {problem}" for problem in error.problems[:SHOWN])
        if len(error.problems) > SHOWN:
            err.append(f"  ……另有 {len(error.problems) - SHOWN} 处")
        return 2
    except OSError as error:
        err.append(f"无法读取文件：{error.filename}：{error.strerror}")
        return 2
    if args.explain and args.explain not in result.facts.cand_ids:
        err.append(f"没有编号为 {args.explain} 的候选对象")
        return 2
    progress.stage("统计")
    statistics: dict[str, Any] | None = None
    if args.stats:
        from sanhao.scoring.stats import statistics as compute_statistics
        from sanhao.scoring.stats import stats_table

        statistics = compute_statistics(result, seed=args.seed)
        out.append(stats_table(statistics))
    progress.stage("输出")
    if not args.quiet:
        out.append(ranking_table(result))
    if args.explain:
        out.append(explain_lines(result, args.explain))
    if args.out:
        try:
            if args.out.suffix == ".npz":
                from sanhao.scoring.columns import write_columns

                write_columns(result, args.out, statistics=statistics)
            else:
                document = to_document(result)
                if statistics is not None:
                    document["statistics"] = statistics
                args.out.write_text(to_json(document), encoding="utf-8")
        except OSError as error:
            err.append(f"无法写入文件：{args.out}：{error.strerror}")
            return 2
        out.append(f"结果已写入 {args.out}")
    progress.bar.update(1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
