"""python -m sanhao.scoring SCHEME FACTS [--out RESULT.json] [--explain CANDIDATE] [--stats]

Exit status 0 with the ranking; 2 when an input is bad (every problem listed, nothing
computed or written) or the candidate to explain is unknown.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sanhao.scoring.api import score
from sanhao.scoring.problems import InvalidInput
from sanhao.scoring.report import explain_lines, ranking_table, to_document, to_json

SHOWN = 200  # problems printed; the count says how many there are


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sanhao.scoring", description="三好创争计分引擎"
    )
    parser.add_argument("scheme", type=Path, help="方案文件（TOML）")
    parser.add_argument("facts", type=Path, help="事实数据文件（JSON）")
    parser.add_argument("--out", type=Path, help="结果文件（JSON）")
    parser.add_argument("--explain", metavar="CANDIDATE", help="逐行说明一个候选对象的得分")
    parser.add_argument("--stats", action="store_true", help="同时计算一致性、不确定性等统计")
    parser.add_argument("--seed", type=int, default=2026, help="统计抽样的随机种子")
    args = parser.parse_args(argv)
    try:
        result = score(args.scheme, args.facts)
    except InvalidInput as error:
        print(f"输入有 {len(error.problems)} 处问题，未计算、未写入任何文件：", file=sys.stderr)
        for problem in error.problems[:SHOWN]:
            print(f"  {problem}", file=sys.stderr)
        if len(error.problems) > SHOWN:
            print(f"  ……另有 {len(error.problems) - SHOWN} 处", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"无法读取文件：{error.filename}：{error.strerror}", file=sys.stderr)
        return 2
    if args.explain and args.explain not in result.facts.cand_ids:
        print(f"没有编号为 {args.explain} 的候选对象", file=sys.stderr)
        return 2
    document = to_document(result)
    if args.stats:
        from sanhao.scoring.stats import statistics, stats_table

        document["statistics"] = statistics(result, seed=args.seed)
        print(stats_table(document["statistics"]))
    print(ranking_table(result))
    if args.explain:
        print(explain_lines(result, args.explain))
    if args.out:
        args.out.write_text(to_json(document), encoding="utf-8")
        print(f"结果已写入 {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
