"""The plan's dated parameters and diseases (policy show, policy diseases) and the blank
workbooks to hand out (template units, template claims)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from aidctl import api
from aidctl.cli.app import policy_app, template_app
from aidctl.cli.options import (
    CommonOptions,
    JsonOpt,
    LangOpt,
    PolicyOpt,
)
from aidctl.cli.render import Col, print_json, say, table
from aidctl.cli.running import run_command

# ---------------------------------------------------------------- parameters


def _related_text(t: Callable[[str, str], str], related: dict[str, str], code: str) -> str:
    """The D1 pairs of one disease: 'C1-10 (certain), C1-08 (review)'."""
    kinds = {"certain": t("确定", "certain"), "review": t("复核", "review")}
    return ", ".join(f"{k} ({kinds[v]})" for k, v in related.items() if k != code)


@policy_app.command("show")
def policy_show(
    on: Annotated[
        str | None,
        typer.Option("--on", "--as-of", help="Show the set in force on this day (YYYY-MM-DD)."),
    ] = None,
    policy: PolicyOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Print the parameter set in force (A5.6, D9), each value with its clause.

    Example: aidctl policy show --on 2026-11-28
    """

    def body() -> int:
        opts = CommonOptions.parse(None, on, lang, json_out, policy)
        shown = api.policy_show(opts.as_of, policy=opts.policy)
        if opts.json:
            print_json(shown)
            return 0
        t, v, loaded = opts.t, shown.version, shown.policy
        say(
            t(
                f"参数版本 {v.id}，自 {v.effective_from} 起施行（{v.source}）",
                f"Parameter version {v.id}, in force from {v.effective_from} ({v.source})",
            )
        )
        say(t(f"参数文件：{loaded.path}", f"File: {loaded.path}"))
        table(
            t("参数", "Parameters"),
            [
                Col(t("参数", "Parameter"), "name", 9),
                Col(t("值", "Value"), "word", 8),
                Col(t("条款", "Clause"), "word", 7),
            ],
            [
                [
                    api.parameter_name(k, opts.lang),
                    api.parameter_value(k, val, opts.lang),
                    v.clause(k),
                ]
                for k, val in v.values.items()
            ],
            lang=opts.lang,
        )
        table(
            t("伤残等级给付（A5.3）", "Disability by grade (A5.3)"),
            [t("等级", "Grade"), t("金额（元）", "Yuan")],
            [
                [t(f"{g}级", f"grade {g}"), t(f"{a}元", f"{a} yuan")]
                for g, a in v.disability.items()
            ],
            lang=opts.lang,
        )
        table(
            t("保障病种（A3.1）", "Listed diseases (A3.1)"),
            [
                t("代码", "Code"),
                t("类别", "Class"),
                t("名称", "Name"),
                t("相关病种（D1）", "Related (D1)"),
            ],
            [
                [
                    d.code,
                    d.disease_class,
                    d.name(opts.lang),
                    _related_text(t, shown.related(d.code), d.code),
                ]
                for d in loaded.catalogue.diseases
            ],
            lang=opts.lang,
        )
        return 0

    run_command(body, lang)


_OUTCOME_WORDS = {
    "listed": ("保障病种，可给付", "a listed disease: can be paid"),
    "person": ("待人工审核：须写明是哪一种病种", "to a person: the disease must be named"),
    "unrecognised": ("无法识别，待补正", "not recognised: pending"),
    "unlisted": ("不属于保障病种，拒付", "not a listed disease: rejected"),
}


@policy_app.command("diseases")
def policy_diseases(
    check: Annotated[
        str | None, typer.Option("--check", help="A diagnosis as a hospital wrote it.")
    ] = None,
    code: Annotated[
        str | None, typer.Option("--code", help="Its ICD-10 code, if there is one.")
    ] = None,
    policy: PolicyOpt = None,
    lang: LangOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The listed diseases and how a diagnosis is read (A3.1, D10, D1).

    Without --check: each disease with the number of its vocabulary rules and its related
    pairs. With --check: how the text (and --code) is read and why.

    Example: aidctl policy diseases --check 左肺上叶（腺癌） --code C34.1
    """

    def body() -> int:
        opts = CommonOptions.parse(None, None, lang, json_out, policy)
        t = opts.t
        shown = api.policy_diseases(check, code, policy=opts.policy, lang=opts.lang)
        cat = shown.policy.catalogue
        if opts.json:
            print_json(shown)
            return 0
        if shown.reading is None:
            table(
                t(
                    "保障病种与识别词表（A3.1、D10）",
                    "Listed diseases and their vocabulary (A3.1, D10)",
                ),
                [
                    t("代码", "Code"),
                    t("类别", "Class"),
                    t("名称", "Name"),
                    t("同义词/家族规则数", "Synonym/family rules"),
                    t("相关病种（D1）", "Related (D1)"),
                ],
                [
                    [
                        d.code,
                        d.disease_class,
                        d.name(opts.lang),
                        shown.rules[d.code],
                        _related_text(t, shown.related(d.code), d.code),
                    ]
                    for d in cat.diseases
                ],
                lang=opts.lang,
            )
            return 0
        r = shown.reading
        zh, en = _OUTCOME_WORDS.get(r["dx_outcome"] or "", ("无", "none"))
        say(
            t(
                f"病种：{check or ''}  诊断编码：{code or '无'}",
                f"Disease: {check or ''}  ICD-10: {code or 'none'}",
            )
        )
        say(t(f"结果：{zh}", f"Outcome: {en}"))
        if r["dx_code"]:
            d = cat.by_code(r["dx_code"])
            say(
                t(
                    f"病种代码：{d.code}（第{d.disease_class}类）{d.zh}",
                    f"Code: {d.code} (class {d.disease_class}) {d.en}",
                )
            )
        if r["dx_words"]:
            say(t(f"依据：{r['dx_words']}", f"Decided by: {r['dx_words']}"))
        if r["dx_candidates"]:
            say(t(f"可能的病种：{r['dx_candidates']}", f"Candidates: {r['dx_candidates']}"))
        if r["hint"]:
            say(t(f"请补正：{r['hint']}", f"To do: {r['hint']}"))
        elif r["dx_outcome"] == "unrecognised":
            say(t(f"请补正：{cat.missing_hint('', 'zh')}", f"To do: {cat.missing_hint('', 'en')}"))
        return 0

    run_command(body, lang)


@template_app.command("units")
def template_units(
    out_path: Annotated[Path, typer.Option("--out", help="Where to write the workbook.")] = Path(
        "参保单位模板.xlsx"
    ),
    lang: LangOpt = None,
) -> None:
    """A blank units workbook: Chinese headers, dropdowns and instructions.

    Example: aidctl template units --out 参保单位模板.xlsx
    """

    def body() -> int:
        say(str(api.template("units", out_path)))
        return 0

    run_command(body, lang)


@template_app.command("claims")
def template_claims(
    out_path: Annotated[Path, typer.Option("--out", help="Where to write the workbook.")] = Path(
        "理赔申请模板.xlsx"
    ),
    policy: PolicyOpt = None,
    lang: LangOpt = None,
) -> None:
    """A blank claims workbook: headers, dropdowns (type, the 27 diseases, grade, yes/no).

    Example: aidctl template claims --out 理赔申请模板.xlsx
    """

    def body() -> int:
        say(str(api.template("claims", out_path, policy=policy)))
        return 0

    run_command(body, lang)
