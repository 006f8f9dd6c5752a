"""Train the category classifier and report its accuracy (held-out split and the independent
evaluation file, overall and per voice).

Trains on the street's closed cases, or on the demo corpus while there are fewer than
classify.MIN_CASES of them (`gongzhi demo` runs it at the end). `--json` prints the figures for
the benchmark runner.
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.cases import classify
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node


class Command(BaseCommand):
    help = "训练事项分类建议模型，并报告留出集和独立评测集（总体与各语体）上的准确率"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source",
            choices=["auto", "cases", "demo"],
            default="auto",
            help="训练数据：auto（已结案工单足够时用工单，否则用演示语料）、cases、demo",
        )
        parser.add_argument("--per-category", type=int, default=400, help="演示语料每个小类的条数")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--json", action="store_true", help="以 JSON 输出各项指标")
        parser.add_argument(
            "--street",
            default="",
            help="街道编码：只用该街道的已结案工单训练该街道自己的模型（多街道部署，见 docs/tenancy.md）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["source"]
        street = options["street"]
        under = ""
        if street:
            node = Node.objects.filter(code=street, level=Level.STREET).first()
            if node is None:
                raise CommandError(f"没有编码为 {street} 的街道")
            under = node.path
        rows: list[tuple[str, str]] = []
        if source in ("auto", "cases"):
            rows = classify.closed_cases(under)
            if source == "auto" and len(rows) < classify.MIN_CASES:
                rows, source = [], "demo"
            else:
                source = "cases"
        try:
            if source == "demo":
                pipeline, split, n = classify.train_on_demo(options["seed"], options["per_category"])
                labels = sorted(str(c) for c in pipeline.classes_ if c != classify.OFF_TOPIC)
            else:
                labels = [code for code, _ in rows]
                pipeline, split = classify.train([t for _, t in rows], labels, seed=options["seed"])
                n = len(rows)
        except ValueError as exc:
            raise CommandError(
                f"训练数据不足：至少需要两个小类、每类不少于 {classify.MIN_PER_CATEGORY} 条文本"
            ) from exc
        on_eval = classify.eval_scores(pipeline)
        names = classify.category_names() if source == "cases" else classify.NAMES
        path = classify.save(
            pipeline,
            {
                "n": n,
                "source": source,
                "accuracy": split["top1"],
                "split": split,
                "eval": on_eval,
                "names": {code: names.get(code, code) for code in set(labels)},
                "street": street,
            },
            street=street,
        )
        figures = {
            "source": source,
            "n": n,
            "categories": len(set(labels)),
            "split": split,
            "eval": on_eval,
            "path": str(path),
        }
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
            return
        label = "已结案工单" if source == "cases" else "演示语料"
        self.stdout.write(f"训练数据：{label} {n} 条，{len(set(labels))} 个小类（另加无关内容一类）")
        held = "留出集（另一半措辞）" if source == "demo" else "留出集（20%）"
        for title, f in ((held, split), (f"独立评测集（{on_eval['n']} 条）", on_eval)):
            self.stdout.write(
                f"{title}：小类 top-1 {f['top1']:.1%}，大类 top-1 {f['parent_top1']:.1%}，小类 top-3 {f['top3']:.1%}"
                + (f"，校准误差 ECE {f['ece']:.3f}，需人工分诊 {f['triage']:.1%}" if "ece" in f else "")
                + (
                    f"，无关内容进分诊 {f['off_topic_triaged']:.1%}"
                    if f.get("off_topic_triaged") is not None
                    else ""
                )
            )
        for voice, f in on_eval["voices"].items():
            if f["n"]:
                self.stdout.write(
                    f"  {voice}（{f['n']} 条）：小类 top-1 {f['top1']:.1%}，大类 top-1 {f['parent_top1']:.1%}，"
                    f"小类 top-3 {f['top3']:.1%}，需人工分诊 {f['triage']:.1%}"
                )
            elif f.get("off_topic_triaged") is not None:
                self.stdout.write(
                    f"  {voice}（{f['off_topic_n']} 条无关内容）：进分诊 {f['off_topic_triaged']:.1%}"
                )
        self.stdout.write(f"温度 T = {split['temperature']}；模型已保存：{path}")
