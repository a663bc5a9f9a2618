from datetime import date

from django import forms
from django.utils import timezone

from skillbridge.accounts.models import Organisation, OrgType

from .models import EntryKind
from .services import REFUND_DIRECTIONS, allowed_categories

_INPUT = {"class": "form-control"}
_SELECT = {"class": "form-select"}
_DATE = {"class": "form-control", "type": "date"}
_SMALL = {"class": "form-control form-control-sm"}
_SELECT_SMALL = {"class": "form-select form-select-sm"}
_DATE_SMALL = {"class": "form-control form-control-sm", "type": "date"}
ISO_DATE = "%Y-%m-%d"


def _amount():
    return forms.DecimalField(
        label="金额（元）",
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**_INPUT, "step": "0.01"}),
    )


def _date(label: str):
    return forms.DateField(
        label=label, initial=timezone.localdate, widget=forms.DateInput(attrs=_DATE, format=ISO_DATE)
    )


class ReceiptForm(forms.Form):
    amount = _amount()
    received_on = _date("到账日期")
    voucher_no = forms.CharField(label="凭证号/拨款文号", max_length=40, widget=forms.TextInput(attrs=_INPUT))
    note = forms.CharField(label="摘要", max_length=300, required=False, widget=forms.TextInput(attrs=_INPUT))


class PaymentForm(forms.Form):
    payee_org = forms.ModelChoiceField(
        label="收款机构",
        required=False,
        queryset=Organisation.objects.none(),
        widget=forms.Select(attrs=_SELECT),
        help_text="拨付给培训机构或评价机构时选择；其他支出填写下面的收款方",
    )
    payee = forms.CharField(
        label="其他收款方", max_length=100, required=False, widget=forms.TextInput(attrs=_INPUT)
    )
    category = forms.ChoiceField(label="用途类别", widget=forms.Select(attrs=_SELECT))
    amount = _amount()
    paid_on = _date("支付日期")
    voucher_no = forms.CharField(
        label="凭证号", max_length=40, required=False, widget=forms.TextInput(attrs=_INPUT)
    )
    note = forms.CharField(label="摘要", max_length=300, required=False, widget=forms.TextInput(attrs=_INPUT))

    def __init__(self, *args, unit: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "请选择"), *allowed_categories(unit).items()]
        self.fields["payee_org"].queryset = Organisation.objects.filter(
            org_type__in=[OrgType.TRAINING_INSTITUTION, OrgType.EVALUATION_INSTITUTION],
            region_code__startswith=unit.province_prefix,
            is_active=True,
        )

    def clean(self):
        data = super().clean()
        if not data.get("payee_org") and not (data.get("payee") or "").strip():
            self.add_error("payee", "请选择收款机构或填写收款方")
        return data


class RefundForm(forms.Form):
    direction = forms.ChoiceField(
        label="方向", choices=list(REFUND_DIRECTIONS.items()), widget=forms.Select(attrs=_SELECT)
    )
    counterparty = forms.CharField(label="往来单位", max_length=100, widget=forms.TextInput(attrs=_INPUT))
    category = forms.ChoiceField(
        label="冲减的用途类别", required=False, widget=forms.Select(attrs=_SELECT), help_text="机构退回时选择"
    )
    amount = _amount()
    refunded_on = _date("日期")
    voucher_no = forms.CharField(
        label="凭证号", max_length=40, required=False, widget=forms.TextInput(attrs=_INPUT)
    )
    note = forms.CharField(label="摘要", max_length=300, required=False, widget=forms.TextInput(attrs=_INPUT))

    def __init__(self, *args, unit: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *allowed_categories(unit).items()]


class EntryFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="类型",
        required=False,
        choices=[("", "全部类型"), *EntryKind.choices],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    date_from = forms.DateField(
        label="起", required=False, widget=forms.DateInput(attrs=_DATE_SMALL, format=ISO_DATE)
    )
    date_to = forms.DateField(
        label="止", required=False, widget=forms.DateInput(attrs=_DATE_SMALL, format=ISO_DATE)
    )


class PeriodForm(forms.Form):
    date_from = forms.DateField(label="起始日期", widget=forms.DateInput(attrs=_DATE_SMALL, format=ISO_DATE))
    date_to = forms.DateField(label="截止日期", widget=forms.DateInput(attrs=_DATE_SMALL, format=ISO_DATE))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "截止日期不能早于起始日期")
        return data

    @staticmethod
    def default_initial() -> dict:
        today = timezone.localdate()
        return {"date_from": date(today.year, 1, 1), "date_to": today}


class YearForm(forms.Form):
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=_SMALL)
    )


class FundsReceivedForm(forms.Form):
    received_on = _date("市财政局收到资金日期")
    voucher_no = forms.CharField(
        label="资金文号/凭证号", max_length=40, required=False, widget=forms.TextInput(attrs=_INPUT)
    )


class PrepayForm(forms.Form):
    paid_on = _date("预拨日期")
    voucher_no = forms.CharField(label="拨款凭证号", max_length=40, widget=forms.TextInput(attrs=_INPUT))


class SettleForm(forms.Form):
    settled_on = _date("清算日期")
    voucher_no = forms.CharField(
        label="凭证号", max_length=40, required=False, widget=forms.TextInput(attrs=_INPUT)
    )
