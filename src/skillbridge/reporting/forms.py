from django import forms

from .models import ReportKind


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label="报告类型", choices=ReportKind.choices)
    period = forms.CharField(label="统计期间", max_length=10, help_text="季报填 2026Q3，年报填 2026")
    title = forms.CharField(
        label="标题", max_length=120, required=False, help_text="不填则按范围和期间自动生成"
    )
    body = forms.CharField(
        label="报告正文/情况说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="重大情况专报必填：事件经过、影响、已采取措施",
    )
    city = forms.CharField(required=False, widget=forms.HiddenInput)
    unit = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs.setdefault(
                    "class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
                )


class ReportEditForm(forms.Form):
    title = forms.CharField(
        label="标题", max_length=120, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    body = forms.CharField(
        label="报告正文/情况说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "form-control"}),
    )


class ReceiveForm(forms.Form):
    note = forms.CharField(
        label="签收意见 / 退回原因",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
