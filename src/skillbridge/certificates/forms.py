from django import forms

from skillbridge.catalog.models import CertificateType

from .models import CertificateStatus

ISO_DATE = "%Y-%m-%d"
_INPUT = {"class": "form-control"}
_SELECT = {"class": "form-select"}
_SMALL = {"class": "form-control form-control-sm"}
_SELECT_SMALL = {"class": "form-select form-select-sm"}


class CertificateFilterForm(forms.Form):
    q = forms.CharField(
        label="姓名或证书编号",
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={**_SMALL, "placeholder": "姓名或证书编号"}),
    )
    certificate_type = forms.ModelChoiceField(
        label="证书类型",
        required=False,
        queryset=CertificateType.objects.all(),
        empty_label="全部证书类型",
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), *CertificateStatus.choices],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    year = forms.IntegerField(
        label="发证年度",
        required=False,
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={**_SMALL, "placeholder": "发证年度"}),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="撤销原因", max_length=300, widget=forms.Textarea(attrs={**_INPUT, "rows": 3})
    )


class ReissueForm(forms.Form):
    reason = forms.CharField(
        label="换发原因", max_length=300, widget=forms.Textarea(attrs={**_INPUT, "rows": 3})
    )
    official_number = forms.CharField(
        label="新证书编号",
        required=False,
        max_length=64,
        help_text="不填则沿用原证书编号",
        widget=forms.TextInput(attrs=_INPUT),
    )
    issue_date = forms.DateField(
        label="换发日期",
        required=False,
        input_formats=[ISO_DATE],
        help_text="不填则为今天",
        widget=forms.DateInput(attrs={**_INPUT, "type": "date"}, format=ISO_DATE),
    )


class ReleaseFilterForm(forms.Form):
    unit = forms.ModelChoiceField(label="单位", queryset=None, widget=forms.Select(attrs=_SELECT_SMALL))
    year = forms.IntegerField(
        label="释放年度", min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=_SMALL)
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class VerifyForm(forms.Form):
    """Public form: a verification code, or name and certificate number together."""

    code = forms.CharField(
        label="查验码",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={**_INPUT, "placeholder": "如 ABCD-EFGH-JKLM", "autocomplete": "off"}),
    )
    name = forms.CharField(
        label="持证人姓名", required=False, max_length=50, widget=forms.TextInput(attrs=_INPUT)
    )
    number = forms.CharField(
        label="证书编号", required=False, max_length=64, widget=forms.TextInput(attrs=_INPUT)
    )

    def clean(self):
        data = super().clean()
        code, name, number = data.get("code"), data.get("name"), data.get("number")
        if not code and not (name and number):
            if name or number:
                raise forms.ValidationError("按姓名查验时，须同时填写持证人姓名与证书编号")
            raise forms.ValidationError("请填写查验码，或同时填写持证人姓名与证书编号")
        return data


class ArchiveSearchForm(forms.Form):
    q = forms.CharField(
        label="姓名",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={**_SMALL, "placeholder": "姓名（前几个字）"}),
    )
