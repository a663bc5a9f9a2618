"""Pages: the special accounts (专账) with their ledger, receipt/payment/refund forms, the statement per
period (page, xlsx, PDF) and the Anhui budget / prepayment / settlement page.

Thin views: scope first (``unit_in_scope`` / ``get_in_scope`` → 404 outside it), then a form, then one
service; a refused action is shown on the form (or by ServiceErrorMiddleware for plain POST buttons).
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from skillbridge.accounts.scope import get_in_scope
from skillbridge.errors import ServiceError
from skillbridge.policy.loader import get_pack
from skillbridge.web.exports import xlsx_response
from skillbridge.web.forms import form_error
from skillbridge.web.pdf import Paragraph, Spacer, grid_table, mm, pdf_response, styles
from skillbridge.web.pdf import render as render_pdf

from . import selectors, services
from .forms import (
    EntryFilterForm,
    FundsReceivedForm,
    PaymentForm,
    PeriodForm,
    PrepayForm,
    ReceiptForm,
    RefundForm,
    SettleForm,
    YearForm,
)
from .models import YearBudget


def _form_error(form, exc: ServiceError) -> None:
    if exc.status == 403:
        raise exc
    form_error(form, exc)


def _money(value) -> str:
    return "" if value is None else f"{value:,.2f}"


ENTRY_HEADERS = [
    "日期", "类型", "摘要", "用途类别", "收付款方", "凭证号", "收入（元）", "支出（元）", "记账后余额（元）", "来源",
    "经办人", "记账时间",
]  # fmt: skip


def _entry_row(e, balance=None):
    return (
        e.entry_date.isoformat(),
        e.get_kind_display(),
        e.note,
        e.get_category_display() if e.category else "",
        e.counterparty,
        e.voucher_no,
        float(e.income) if e.income else None,
        float(e.expense) if e.expense else None,
        float(balance if balance is not None else e.balance_after),
        f"{e.source_type}#{e.source_id}" if e.source_id else "",
        e.created_by.full_name,
        timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"),
    )


# ---- accounts ---------------------------------------------------------------------------------------------


@login_required
def account_list(request):
    units = selectors.units_for_user(request.user)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "培训资金专账.xlsx",
            "培训资金专账",
            ["单位", "行政区划", "余额（元）", "明细笔数"],
            ((u.name, u.region_code, float(u.balance or 0), u.entry_count) for u in units),
        )
    page = Paginator(units, 20).get_page(request.GET.get("page"))
    return render(request, "funds/account_list.html", {"page": page, "page_title": "培训资金专账"})


@login_required
def account_detail(request, unit_pk: int):
    unit = selectors.unit_in_scope(request.user, unit_pk)
    account = selectors.account_of(unit)
    form = EntryFilterForm(request.GET or None)
    rows = selectors.entries(unit)
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        if data["date_from"]:
            rows = rows.filter(entry_date__gte=data["date_from"])
        if data["date_to"]:
            rows = rows.filter(entry_date__lte=data["date_to"])
    rows = rows.order_by("-entry_date", "-id")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"{unit.name}专账明细.xlsx", "专账明细", ENTRY_HEADERS, (_entry_row(e) for e in rows.iterator())
        )
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "funds/account_detail.html",
        {
            "unit": unit,
            "account": account,
            "form": form,
            "page": page,
            "can_receive": selectors.can_receive(request.user, unit),
            "can_pay": selectors.can_pay(request.user, unit),
            "page_title": f"{unit.name}培训资金专账",
        },
    )


def _entry_form(request, unit_pk: int, form_class, *, title: str, hint: str, allowed, submit):
    unit = selectors.unit_in_scope(request.user, unit_pk)
    if not allowed(request.user, unit):
        from skillbridge.errors import Forbidden

        raise Forbidden(f"您不能为{unit.name}的专账办理{title}")
    kwargs = {"unit": unit} if form_class is not ReceiptForm else {}
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            entry = submit(unit, form.cleaned_data)
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                f"已记账：{entry.get_kind_display()} {entry.amount:,.2f} 元，余额 {entry.balance_after:,.2f} 元。",
            )
            return redirect("funds:account_detail", unit_pk=unit.pk)
    account = selectors.account_of(unit)
    return render(
        request,
        "funds/entry_form.html",
        {"unit": unit, "account": account, "form": form, "title": title, "hint": hint, "page_title": title},
    )


@login_required
def receipt_create(request, unit_pk: int):
    def submit(unit, data):
        return services.receipt_record(
            actor=request.user,
            unit=unit,
            amount=data["amount"],
            received_on=data["received_on"],
            voucher_no=data["voucher_no"],
            source_type="",
            source_id="",
            note=data["note"],
        )

    return _entry_form(
        request,
        unit_pk,
        ReceiptForm,
        title="登记资金到账",
        hint="市财政局拨入专账的资金（补贴拨付、年度资金）。凭证号在本专账内不能重复。",
        allowed=selectors.can_receive,
        submit=submit,
    )


@login_required
def payment_create(request, unit_pk: int):
    def submit(unit, data):
        return services.payment_record(
            actor=request.user,
            unit=unit,
            payee=data["payee_org"] or data["payee"],
            amount=data["amount"],
            paid_on=data["paid_on"],
            category=data["category"],
            source_type="",
            source_id="",
            note=data["note"],
            voucher_no=data["voucher_no"],
        )

    return _entry_form(
        request,
        unit_pk,
        PaymentForm,
        title="登记专账支付",
        hint="从专账拨付给培训/评价机构，或按用途类别支出。余额不足时不能支付。",
        allowed=selectors.can_pay,
        submit=submit,
    )


@login_required
def refund_create(request, unit_pk: int):
    def submit(unit, data):
        return services.refund_record(
            actor=request.user,
            unit=unit,
            amount=data["amount"],
            refunded_on=data["refunded_on"],
            direction=data["direction"],
            counterparty=data["counterparty"],
            voucher_no=data["voucher_no"],
            category=data["category"],
            note=data["note"],
        )

    return _entry_form(
        request,
        unit_pk,
        RefundForm,
        title="登记退回/收回",
        hint="退回财政：专账资金退回市财政局（支出，不能超过余额）；收回：机构退回多拨的款项（收入）。",
        allowed=selectors.can_pay,
        submit=submit,
    )


# ---- statement --------------------------------------------------------------------------------------------


def _period(request) -> tuple[PeriodForm, date, date]:
    """The period asked for; the current year up to today when none (or an invalid one, shown on the form)."""
    initial = PeriodForm.default_initial()
    if "date_from" in request.GET or "date_to" in request.GET:
        form = PeriodForm(request.GET)
        if form.is_valid():
            return form, form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        return form, initial["date_from"], initial["date_to"]
    return PeriodForm(initial=initial), initial["date_from"], initial["date_to"]


STATEMENT_HEADERS = [
    "日期",
    "类型",
    "摘要",
    "用途类别",
    "收付款方",
    "凭证号",
    "收入（元）",
    "支出（元）",
    "余额（元）",
]


@login_required
def statement(request, unit_pk: int):
    unit = selectors.unit_in_scope(request.user, unit_pk)
    form, date_from, date_to = _period(request)
    st = selectors.statement(unit, date_from, date_to)
    export = request.GET.get("export")
    title = f"{unit.name}培训资金专账对账单（{date_from:%Y-%m-%d}至{date_to:%Y-%m-%d}）"
    if export == "xlsx":
        rows = [("", "", "期初余额", "", "", "", None, None, float(st.opening))]
        rows += [(*_entry_row(r.entry, r.balance)[:8], float(r.balance)) for r in st.rows]
        rows.append(("", "", "本期合计", "", "", "", float(st.income), float(st.expense), float(st.closing)))
        rows.append(("", "", "期末余额", "", "", "", None, None, float(st.closing)))
        rows.append(())
        rows.append(("", "", "用途类别", "支出（元）", "收回（元）", "净支出（元）"))
        rows += [("", "", c.label, float(c.spent), float(c.recovered), float(c.net)) for c in st.categories]
        return xlsx_response(f"{unit.name}专账对账单.xlsx", "对账单", STATEMENT_HEADERS, rows)
    if export == "pdf":
        return pdf_response(f"{unit.name}专账对账单.pdf", _statement_pdf(st, title))
    return render(
        request,
        "funds/statement.html",
        {"unit": unit, "form": form, "st": st, "title": title, "page_title": "专账对账单"},
    )


def _statement_pdf(st: selectors.Statement, title: str) -> bytes:
    s = styles()
    flow = [Paragraph(title, s["title"]), Spacer(1, 4 * mm)]
    flow.append(
        Paragraph(
            f"期初余额 {_money(st.opening)} 元；本期收入 {_money(st.income)} 元；本期支出 {_money(st.expense)} 元；"
            f"期末余额 {_money(st.closing)} 元。",
            s["body"],
        )
    )
    flow.append(Spacer(1, 3 * mm))
    rows = [["日期", "类型", "摘要", "用途类别", "收付款方", "凭证号", "收入", "支出", "余额"]]
    rows.append(["", "", "期初余额", "", "", "", "", "", _money(st.opening)])
    for r in st.rows:
        e = r.entry
        rows.append(
            [
                f"{e.entry_date:%Y-%m-%d}",
                e.get_kind_display(),
                e.note,
                e.get_category_display() if e.category else "",
                e.counterparty,
                e.voucher_no,
                _money(e.income),
                _money(e.expense),
                _money(r.balance),
            ]
        )
    rows.append(["", "", "本期合计", "", "", "", _money(st.income), _money(st.expense), _money(st.closing)])
    widths = [22, 20, 52, 28, 36, 24, 24, 24, 26]
    flow.append(grid_table(rows, [w * mm for w in widths], header_rows=1))
    if st.categories:
        flow += [Spacer(1, 5 * mm), Paragraph("按用途类别汇总", s["subtitle"]), Spacer(1, 2 * mm)]
        cat_rows = [["用途类别", "支出（元）", "收回（元）", "净支出（元）"]]
        cat_rows += [[c.label, _money(c.spent), _money(c.recovered), _money(c.net)] for c in st.categories]
        flow.append(grid_table(cat_rows, [70 * mm, 40 * mm, 40 * mm, 40 * mm], header_rows=1))
    flow += [
        Spacer(1, 8 * mm),
        Paragraph("经办人：__________　　审核人：__________　　单位负责人：__________", s["body"]),
    ]
    return render_pdf(flow, title=title, landscape_page=True)


# ---- Anhui budgets ----------------------------------------------------------------------------------------


def _year(request) -> int:
    form = YearForm(request.GET or None)
    return (
        form.cleaned_data["year"]
        if request.GET.get("year") and form.is_valid()
        else timezone.localdate().year
    )


BUDGET_HEADERS = [
    "单位", "年度", "计划人数", "人均标准", "经费预算数", "市财政局收到资金", "预拨截止", "应预拨", "已预拨",
    "预拨状态", "实际取证人数", "按取证应拨", "清算差额", "清算日期",
]  # fmt: skip


def _num(value):
    return None if value is None else float(value)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _budget_row(row: selectors.BudgetRow) -> tuple:
    b = row.budget
    if b is None:
        return (row.unit.name, row.year, "未测算")
    return (
        row.unit.name,
        b.year,
        b.planned_trainees,
        _num(b.standard),
        _num(b.budget),
        _iso(b.funds_received_on),
        _iso(b.prepayment_due),
        _num(b.prepayment_amount),
        _num(b.prepaid),
        row.status.label,
        b.certified_trainees,
        _num(b.settlement_due),
        _num(b.settlement_difference),
        _iso(b.settled_on),
    )


@login_required
def budget_list(request):
    year = _year(request)
    rows = selectors.budget_overview(request.user, year)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"{year}年度培训资金预拨与清算.xlsx", "预拨与清算", BUDGET_HEADERS, (_budget_row(r) for r in rows)
        )
    can_prepare = {r.unit.pk for r in rows if selectors.can_manage_budget(request.user, r.unit)}
    return render(
        request,
        "funds/budget_list.html",
        {
            "rows": rows,
            "year": year,
            "form": YearForm(initial={"year": year}),
            "can_prepare": can_prepare,
            "page_title": "年度预拨与清算",
        },
    )


@login_required
@require_POST
def budget_prepare(request):
    try:
        unit_pk, year = int(request.POST.get("unit", "")), int(request.POST.get("year", ""))
    except ValueError:
        raise ServiceError("单位或年度不正确", field="year") from None
    unit = selectors.unit_in_scope(request.user, unit_pk)
    budget = services.budget_prepare(actor=request.user, unit=unit, year=year)
    messages.success(
        request, f"已按计划{budget.planned_trainees}人测算{year}年度经费预算 {budget.budget:,.2f} 元。"
    )
    return redirect("funds:budget_detail", pk=budget.pk)


@login_required
def budget_detail(request, pk: int):
    budget = get_in_scope(YearBudget, request.user, pk=pk)
    budget = selectors.budgets_for_user(request.user).get(pk=budget.pk)
    forms = {
        "received": FundsReceivedForm(initial={"voucher_no": budget.funds_voucher_no}, prefix="received"),
        "prepay": PrepayForm(prefix="prepay"),
        "settle": SettleForm(prefix="settle"),
    }
    return _budget_page(request, budget, forms)


def _budget_page(request, budget, forms, status=200):
    pack = get_pack(budget.unit.policy_pack)
    return render(
        request,
        "funds/budget_detail.html",
        {
            "b": budget,
            "status": selectors.prepayment_status(budget),
            "forms": forms,
            "pack": pack,
            "certified_now": services.certified_trainees_for(budget.unit, budget.year),
            "can_prepay": selectors.can_prepay(request.user, budget.unit),
            "can_settle": selectors.can_manage_budget(request.user, budget.unit),
            "page_title": str(budget),
        },
        status=status,
    )


def _budget_action(request, pk: int, form_class, key: str, call, done: str):
    budget = get_in_scope(YearBudget, request.user, pk=pk)
    form = form_class(request.POST, prefix=key)
    if form.is_valid():
        try:
            call(budget, form.cleaned_data)
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("funds:budget_detail", pk=budget.pk)
    budget = selectors.budgets_for_user(request.user).get(pk=budget.pk)
    forms = {
        "received": FundsReceivedForm(prefix="received"),
        "prepay": PrepayForm(prefix="prepay"),
        "settle": SettleForm(prefix="settle"),
        key: form,
    }
    return _budget_page(request, budget, forms, status=400)


@login_required
@require_POST
def budget_received(request, pk: int):
    return _budget_action(
        request,
        pk,
        FundsReceivedForm,
        "received",
        lambda b, d: services.budget_funds_received(
            actor=request.user, budget=b, received_on=d["received_on"], voucher_no=d["voucher_no"]
        ),
        "已登记市财政局收到资金日期，预拨截止日期已计算。",
    )


@login_required
@require_POST
def budget_prepay(request, pk: int):
    return _budget_action(
        request,
        pk,
        PrepayForm,
        "prepay",
        lambda b, d: services.budget_prepay(
            actor=request.user, budget=b, paid_on=d["paid_on"], voucher_no=d["voucher_no"]
        ),
        "预拨资金已拨入单位专账。",
    )


@login_required
@require_POST
def budget_settle(request, pk: int):
    return _budget_action(
        request,
        pk,
        SettleForm,
        "settle",
        lambda b, d: services.budget_settle(
            actor=request.user, budget=b, settled_on=d["settled_on"], voucher_no=d["voucher_no"]
        ),
        "年度清算已完成并记入专账。",
    )


def prepayment_panel(request) -> str | None:
    """Home-page panel: prepayments in the user's scope whose funds have arrived but are not yet paid
    (Anhui: within 10 working days of 市财政局 receiving them), overdue ones first."""
    from django.template.loader import render_to_string

    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    pending = [
        (b, selectors.prepayment_status(b))
        for b in selectors.budgets_for_user(user).filter(
            funds_received_on__isnull=False, prepayment_entry=None
        )
    ]
    if not pending:
        return None
    pending.sort(key=lambda row: (-row[1].overdue_days, row[0].prepayment_due))
    return render_to_string("funds/_prepayment_panel.html", {"pending": pending[:10]}, request)
