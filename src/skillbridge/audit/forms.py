from django import forms

from .models import Outcome


class EventFilterForm(forms.Form):
    actor = forms.CharField(label="操作人", required=False, max_length=64)
    action = forms.CharField(label="操作", required=False, max_length=80)
    outcome = forms.ChoiceField(label="结果", required=False, choices=[("", "全部结果"), *Outcome.choices])
    object_id = forms.CharField(label="对象ID", required=False, max_length=64)
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
