from django import forms

from .models import Outcome

TEXT = {"class": "form-control form-control-sm"}
DATE = {"class": "form-control form-control-sm", "type": "date"}


class EventFilterForm(forms.Form):
    actor = forms.CharField(label="操作人", required=False, max_length=64, widget=forms.TextInput(TEXT))
    action = forms.CharField(
        label="操作代码",
        required=False,
        max_length=80,
        widget=forms.TextInput({**TEXT, "placeholder": "如 review."}),
    )
    outcome = forms.ChoiceField(
        label="结果",
        required=False,
        choices=[("", "全部结果"), *Outcome.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    object_id = forms.CharField(label="对象ID", required=False, max_length=64, widget=forms.TextInput(TEXT))
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(DATE))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(DATE))
